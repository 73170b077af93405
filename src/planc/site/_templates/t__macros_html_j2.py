"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_macros.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_facts = l_0_progress_block = l_0_warning_note = l_0_pace_chart = l_0_gap_line = l_0_kpi_tiles = l_0_target_cards = l_0_targets_table = l_0_progress_table = l_0_month_chart = l_0_product_chart = l_0_charts = l_0_rank_cells = l_0_ranking = l_0_split_table = l_0_actions_table = l_0_adjustments = missing
    try:
        t_1 = environment.filters['list']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'list' found.")
    try:
        t_2 = environment.filters['selectattr']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'selectattr' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    def macro(l_1_items):
        t_4 = []
        if l_1_items is missing:
            l_1_items = undefined("parameter 'items' was not provided", name='items')
        pass
        t_4.append(
            '<dl class="facts">\n',
        )
        for l_2_f in l_1_items:
            _loop_vars = {}
            pass
            t_4.append(
                '<div',
            )
            if environment.getattr(l_2_f, 'wide'):
                pass
                t_4.append(
                    ' class="wide"',
                )
            t_4.extend((
                '><dt>',
                escape(environment.finalize(environment.getattr(l_2_f, 'label'))),
                '</dt><dd>',
            ))
            if (not t_3(environment.getattr(l_2_f, 'href'))):
                pass
                t_4.extend((
                    '<a href="',
                    escape(environment.finalize(environment.getattr(l_2_f, 'href'))),
                    '">',
                    escape(environment.finalize(environment.getattr(l_2_f, 'text'))),
                    '</a>',
                ))
            else:
                pass
                t_4.append(
                    escape(environment.finalize(environment.getattr(l_2_f, 'text'))),
                )
            if (not t_3(environment.getattr(l_2_f, 'note'))):
                pass
                t_4.extend((
                    '<small>',
                    escape(environment.finalize(environment.getattr(l_2_f, 'note'))),
                    '</small>',
                ))
            t_4.append(
                '</dd></div>\n',
            )
        l_2_f = missing
        t_4.append(
            '</dl>\n',
        )
        return concat(t_4)
    context.exported_vars.add('facts')
    context.vars['facts'] = l_0_facts = Macro(environment, macro, 'facts', ('items',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_p):
        t_5 = []
        l_1_t = resolve('t')
        if l_1_p is missing:
            l_1_p = undefined("parameter 'p' was not provided", name='p')
        pass
        t_5.extend((
            '<div class="progress ',
            escape(environment.finalize(environment.getattr(l_1_p, 'state'))),
            '">\n<p class="state">',
            escape(environment.finalize(environment.getattr(l_1_p, 'status'))),
            '</p>\n<p class="att"><span class="lbl">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'attained'))),
            '</span> <strong>',
            escape(environment.finalize(environment.getattr(l_1_p, 'attained'))),
            '</strong>',
        ))
        if (not t_3(environment.getattr(l_1_p, 'attainment'))):
            pass
            t_5.extend((
                ' <span class="pct">',
                escape(environment.finalize(environment.getattr(l_1_p, 'attainment'))),
                '</span>',
            ))
        t_5.append(
            '</p>\n',
        )
        if (not t_3(environment.getattr(l_1_p, 'bar'))):
            pass
            t_5.extend((
                '<svg class="pbar" viewBox="0 0 ',
                escape(environment.finalize(environment.getattr(environment.getattr(l_1_p, 'bar'), 'width'))),
                ' 16" preserveAspectRatio="none" role="img" aria-label="',
                escape(environment.finalize(environment.getattr(environment.getattr(l_1_p, 'bar'), 'label'))),
                '" focusable="false"><rect class="track" x="0" y="4" width="',
                escape(environment.finalize(environment.getattr(environment.getattr(l_1_p, 'bar'), 'width'))),
                '" height="8" rx="4"/><rect class="fill" x="0" y="4" width="',
                escape(environment.finalize(environment.getattr(environment.getattr(l_1_p, 'bar'), 'fill'))),
                '" height="8" rx="4"/><rect class="pace" x="',
                escape(environment.finalize(environment.getattr(environment.getattr(l_1_p, 'bar'), 'pace'))),
                '" y="0" width="2" height="16"/></svg>\n',
            ))
        if (not t_3(environment.getattr(l_1_p, 'to_go'))):
            pass
            t_5.extend((
                '<p class="togo"><strong>',
                escape(environment.finalize(environment.getattr(l_1_p, 'to_go'))),
                '</strong>',
            ))
            if (not t_3(environment.getattr(l_1_p, 'per_week'))):
                pass
                t_5.extend((
                    ' <span>',
                    escape(environment.finalize(environment.getattr(l_1_p, 'per_week'))),
                    '</span>',
                ))
            t_5.append(
                '</p>',
            )
        t_5.extend((
            '<dl class="mini">\n<dt>',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'pace'))),
            '</dt><dd>',
            escape(environment.finalize(environment.getattr(l_1_p, 'pace'))),
        ))
        if (not t_3(environment.getattr(l_1_p, 'of_pace'))):
            pass
            t_5.extend((
                ' <span class="unit">',
                escape(environment.finalize(environment.getattr(l_1_p, 'of_pace'))),
                '</span>',
            ))
        t_5.append(
            '</dd>\n',
        )
        if (not t_3(environment.getattr(l_1_p, 'forecast'))):
            pass
            t_5.extend((
                '<dt>',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'forecast'))),
                '</dt><dd>',
                escape(environment.finalize(environment.getattr(l_1_p, 'forecast'))),
                '</dd>\n',
            ))
        t_5.append(
            '</dl>\n',
        )
        if (not t_3(environment.getattr(l_1_p, 'warning'))):
            pass
            t_5.append(
                escape(environment.finalize(context.call((undefined(name='warning_note') if l_0_warning_note is missing else l_0_warning_note), environment.getattr(l_1_p, 'warning')))),
            )
        t_5.append(
            '</div>\n',
        )
        return concat(t_5)
    context.exported_vars.add('progress_block')
    context.vars['progress_block'] = l_0_progress_block = Macro(environment, macro, 'progress_block', ('p',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_w):
        t_6 = []
        if l_1_w is missing:
            l_1_w = undefined("parameter 'w' was not provided", name='w')
        pass
        t_6.extend((
            '<details class="early">\n<summary><code>',
            escape(environment.finalize(environment.getattr(l_1_w, 'code'))),
            '</code> ',
            escape(environment.finalize(environment.getattr(l_1_w, 'headline'))),
            '</summary>\n<p',
        ))
        if (not t_3(environment.getattr(l_1_w, 'detail_lang'))):
            pass
            t_6.extend((
                ' lang="',
                escape(environment.finalize(environment.getattr(l_1_w, 'detail_lang'))),
                '"',
            ))
        t_6.extend((
            '>',
            escape(environment.finalize(environment.getattr(l_1_w, 'detail'))),
            '</p>\n</details>\n',
        ))
        return concat(t_6)
    context.exported_vars.add('warning_note')
    context.vars['warning_note'] = l_0_warning_note = Macro(environment, macro, 'warning_note', ('w',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_c):
        t_7 = []
        l_1_t = resolve('t')
        if l_1_c is missing:
            l_1_c = undefined("parameter 'c' was not provided", name='c')
        pass
        t_7.extend((
            '<figure class="chart pace-chart">\n<figcaption id="',
            escape(environment.finalize(environment.getattr(l_1_c, 'ident'))),
            '"><strong>',
            escape(environment.finalize(environment.getattr(l_1_c, 'metric'))),
            '</strong> <span>· ',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'pace_chart'))),
            '</span></figcaption>\n<svg viewBox="0 0 ',
            escape(environment.finalize(environment.getattr(l_1_c, 'width'))),
            ' ',
            escape(environment.finalize(environment.getattr(l_1_c, 'height'))),
            '" role="img" aria-labelledby="',
            escape(environment.finalize(environment.getattr(l_1_c, 'ident'))),
            ' ',
            escape(environment.finalize(environment.getattr(l_1_c, 'ident'))),
            '-sum" focusable="false">\n<line class="axis" x1="0" x2="',
            escape(environment.finalize(environment.getattr(l_1_c, 'width'))),
            '" y1="',
            escape(environment.finalize(environment.getattr(l_1_c, 'axis'))),
            '" y2="',
            escape(environment.finalize(environment.getattr(l_1_c, 'axis'))),
            '"/>\n',
        ))
        for (l_2_end, l_2_mid, l_2_label) in environment.getattr(l_1_c, 'ticks'):
            _loop_vars = {}
            pass
            t_7.extend((
                '<line class="tick" x1="',
                escape(environment.finalize(l_2_end)),
                '" x2="',
                escape(environment.finalize(l_2_end)),
                '" y1="',
                escape(environment.finalize((environment.getattr(l_1_c, 'axis') - 4))),
                '" y2="',
                escape(environment.finalize((environment.getattr(l_1_c, 'axis') + 4))),
                '"/><text class="l" x="',
                escape(environment.finalize(l_2_mid)),
                '" y="',
                escape(environment.finalize((environment.getattr(l_1_c, 'axis') + 18))),
                '" text-anchor="middle">',
                escape(environment.finalize(l_2_label)),
                '</text>',
            ))
        l_2_end = l_2_mid = l_2_label = missing
        t_7.extend((
            '<polyline class="plan" points="',
            escape(environment.finalize(environment.getattr(l_1_c, 'plan_points'))),
            '"/>\n<polyline class="done" points="',
            escape(environment.finalize(environment.getattr(l_1_c, 'attained_points'))),
            '"/>\n<circle class="done" cx="',
            escape(environment.finalize(environment.getattr(environment.getattr(l_1_c, 'today'), 'x'))),
            '" cy="',
            escape(environment.finalize(environment.getattr(environment.getattr(l_1_c, 'today'), 'y'))),
            '" r="4"/>\n<text class="v" x="',
            escape(environment.finalize(environment.getattr(l_1_c, 'width'))),
            '" y="10" text-anchor="end">',
            escape(environment.finalize(environment.getattr(l_1_c, 'target_label'))),
            '</text>\n<text class="v done" x="',
            escape(environment.finalize(environment.getattr(environment.getattr(l_1_c, 'today'), 'x'))),
            '" y="',
            escape(environment.finalize((environment.getattr(environment.getattr(l_1_c, 'today'), 'y') - 9))),
            '" text-anchor="middle">',
            escape(environment.finalize(environment.getattr(l_1_c, 'attained_label'))),
            '</text>\n</svg>\n<p class="legend"><span class="key plan"></span>',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'phased_target'))),
            ' · <span class="key done"></span>',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'attained'))),
            '</p>\n<p class="hint" id="',
            escape(environment.finalize(environment.getattr(l_1_c, 'ident'))),
            '-sum">',
            escape(environment.finalize(environment.getattr(l_1_c, 'summary'))),
            '</p>\n</figure>\n',
        ))
        return concat(t_7)
    context.exported_vars.add('pace_chart')
    context.vars['pace_chart'] = l_0_pace_chart = Macro(environment, macro, 'pace_chart', ('c',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_gap):
        t_8 = []
        if l_1_gap is missing:
            l_1_gap = undefined("parameter 'gap' was not provided", name='gap')
        pass
        t_8.append(
            '<p class="gap',
        )
        if (not t_3(environment.getattr(l_1_gap, 'outside'))):
            pass
            t_8.append(
                ' out',
            )
        t_8.extend((
            '"><span>',
            escape(environment.finalize(environment.getattr(l_1_gap, 'top_down'))),
            '</span> · <span>',
            escape(environment.finalize(environment.getattr(l_1_gap, 'bottom_up'))),
            '</span>',
        ))
        if (not t_3(environment.getattr(l_1_gap, 'source'))):
            pass
            t_8.extend((
                ' ',
                escape(environment.finalize(environment.getattr(l_1_gap, 'source'))),
            ))
        t_8.extend((
            ' · <span>',
            escape(environment.finalize(environment.getattr(l_1_gap, 'gap'))),
            '</span>',
        ))
        if (not t_3(environment.getattr(l_1_gap, 'outside'))):
            pass
            t_8.extend((
                ' <span class="flag">',
                escape(environment.finalize(environment.getattr(l_1_gap, 'outside'))),
                '</span>',
            ))
        t_8.append(
            '</p>\n',
        )
        return concat(t_8)
    context.exported_vars.add('gap_line')
    context.vars['gap_line'] = l_0_gap_line = Macro(environment, macro, 'gap_line', ('gap',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_targets):
        t_9 = []
        if l_1_targets is missing:
            l_1_targets = undefined("parameter 'targets' was not provided", name='targets')
        pass
        t_9.append(
            '<div class="kpis">\n',
        )
        for l_2_g in l_1_targets:
            l_2_t = resolve('t')
            l_2_p = missing
            _loop_vars = {}
            pass
            l_2_p = environment.getattr(l_2_g, 'progress')
            _loop_vars['p'] = l_2_p
            t_9.append(
                '<div class="kpi',
            )
            if (not t_3((undefined(name='p') if l_2_p is missing else l_2_p))):
                pass
                t_9.extend((
                    ' ',
                    escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'state'))),
                ))
            t_9.extend((
                '">\n<p class="k-metric">',
                escape(environment.finalize(environment.getattr(l_2_g, 'metric'))),
            ))
            if environment.getattr(l_2_g, 'cap'):
                pass
                t_9.extend((
                    ' <span class="unit">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'cap_short'))),
                    '</span>',
                ))
            t_9.extend((
                '</p>\n<p class="k-value">',
                escape(environment.finalize(environment.getattr(l_2_g, 'value'))),
                '</p>\n',
            ))
            if (not t_3((undefined(name='p') if l_2_p is missing else l_2_p))):
                pass
                t_9.extend((
                    '<p class="state">',
                    escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'status'))),
                    '</p>\n<p class="k-att">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'attained'))),
                    ' <strong>',
                    escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'attained'))),
                    '</strong>',
                ))
                if (not t_3(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'attainment'))):
                    pass
                    t_9.extend((
                        ' · ',
                        escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'attainment'))),
                    ))
                t_9.append(
                    '</p>\n',
                )
                if (not t_3(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'bar'))):
                    pass
                    t_9.extend((
                        '<svg class="pbar" viewBox="0 0 ',
                        escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'bar'), 'width'))),
                        ' 16" preserveAspectRatio="none" role="img" aria-label="',
                        escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'bar'), 'label'))),
                        '" focusable="false"><rect class="track" x="0" y="4" width="',
                        escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'bar'), 'width'))),
                        '" height="8" rx="4"/><rect class="fill" x="0" y="4" width="',
                        escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'bar'), 'fill'))),
                        '" height="8" rx="4"/><rect class="pace" x="',
                        escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'bar'), 'pace'))),
                        '" y="0" width="2" height="16"/></svg>',
                    ))
            t_9.append(
                '</div>\n',
            )
        l_2_g = l_2_p = l_2_t = missing
        t_9.append(
            '</div>\n',
        )
        return concat(t_9)
    context.exported_vars.add('kpi_tiles')
    context.vars['kpi_tiles'] = l_0_kpi_tiles = Macro(environment, macro, 'kpi_tiles', ('targets',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_targets):
        t_10 = []
        if l_1_targets is missing:
            l_1_targets = undefined("parameter 'targets' was not provided", name='targets')
        pass
        t_10.append(
            '<div class="cards">\n',
        )
        for l_2_g in l_1_targets:
            l_2_t = resolve('t')
            _loop_vars = {}
            pass
            t_10.extend((
                '<article class="card target">\n<h3>',
                escape(environment.finalize(environment.getattr(l_2_g, 'metric'))),
            ))
            if environment.getattr(l_2_g, 'unit'):
                pass
                t_10.extend((
                    ' <span class="unit">',
                    escape(environment.finalize(environment.getattr(l_2_g, 'unit'))),
                    '</span>',
                ))
            t_10.extend((
                '</h3>\n<p class="big">',
                escape(environment.finalize(environment.getattr(l_2_g, 'value'))),
                '</p>\n',
            ))
            if (not t_3(environment.getattr(l_2_g, 'progress'))):
                pass
                t_10.append(
                    escape(environment.finalize(context.call((undefined(name='progress_block') if l_0_progress_block is missing else l_0_progress_block), environment.getattr(l_2_g, 'progress'), _loop_vars=_loop_vars))),
                )
            t_10.append(
                '<dl class="mini">\n',
            )
            if (not t_3(environment.getattr(l_2_g, 'stretch'))):
                pass
                t_10.extend((
                    '<dt>',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'stretch'))),
                    '</dt><dd>',
                    escape(environment.finalize(environment.getattr(l_2_g, 'stretch'))),
                    '</dd>\n',
                ))
            t_10.extend((
                '<dt>',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'deadline'))),
                '</dt><dd>',
                escape(environment.finalize(environment.getattr(l_2_g, 'deadline'))),
                '</dd>\n',
            ))
            if (not t_3(environment.getattr(l_2_g, 'last_quarter'))):
                pass
                t_10.extend((
                    '<dt>',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'last_quarter'))),
                    '</dt><dd>',
                    escape(environment.finalize(environment.getattr(l_2_g, 'last_quarter'))),
                    '</dd>\n',
                ))
            if (not t_3(environment.getattr(l_2_g, 'last_year'))):
                pass
                t_10.extend((
                    '<dt>',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'last_year_short'))),
                    '</dt><dd>',
                    escape(environment.finalize(environment.getattr(l_2_g, 'last_year'))),
                    '</dd>\n',
                ))
            if (not t_3(environment.getattr(l_2_g, 'growth'))):
                pass
                t_10.extend((
                    '<dt>',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'growth'))),
                    '</dt><dd>',
                    escape(environment.finalize(environment.getattr(l_2_g, 'growth'))),
                    ' <span class="unit">',
                    escape(environment.finalize(environment.getattr(l_2_g, 'growth_basis'))),
                    '</span></dd>\n',
                ))
            if (not t_3(environment.getattr(l_2_g, 'pillar'))):
                pass
                t_10.extend((
                    '<dt>',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'pillar'))),
                    '</dt><dd>',
                    escape(environment.finalize(environment.getattr(l_2_g, 'pillar'))),
                    '</dd>\n',
                ))
            t_10.append(
                '</dl>\n',
            )
            if (not t_3(environment.getattr(l_2_g, 'gap'))):
                pass
                t_10.append(
                    escape(environment.finalize(context.call((undefined(name='gap_line') if l_0_gap_line is missing else l_0_gap_line), environment.getattr(l_2_g, 'gap'), _loop_vars=_loop_vars))),
                )
            if environment.getattr(l_2_g, 'cap'):
                pass
                t_10.extend((
                    '<p class="tag">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'cap'))),
                    '</p>',
                ))
            if (not t_3(environment.getattr(l_2_g, 'note'))):
                pass
                t_10.extend((
                    '<p class="note">',
                    escape(environment.finalize(environment.getattr(l_2_g, 'note'))),
                    '</p>',
                ))
            t_10.append(
                '</article>\n',
            )
        l_2_g = l_2_t = missing
        t_10.append(
            '</div>\n',
        )
        return concat(t_10)
    context.exported_vars.add('target_cards')
    context.vars['target_cards'] = l_0_target_cards = Macro(environment, macro, 'target_cards', ('targets',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_targets):
        t_11 = []
        l_1_t = resolve('t')
        l_1_gaps = l_1_grown = missing
        if l_1_targets is missing:
            l_1_targets = undefined("parameter 'targets' was not provided", name='targets')
        pass
        l_1_gaps = t_1(context.eval_ctx, t_2(context, l_1_targets, 'gap'))
        l_1_grown = t_1(context.eval_ctx, t_2(context, l_1_targets, 'growth'))
        t_11.extend((
            '<table class="stack">\n<thead><tr><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'metric'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'target'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'stretch'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'last_quarter'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'last_year'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'growth'))),
            '</th><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'deadline'))),
            '</th>',
        ))
        if (undefined(name='gaps') if l_1_gaps is missing else l_1_gaps):
            pass
            t_11.extend((
                '<th scope="col">',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'gap_column'))),
                '</th>',
            ))
        t_11.append(
            '</tr></thead>\n<tbody>\n',
        )
        for l_2_g in l_1_targets:
            _loop_vars = {}
            pass
            t_11.extend((
                '<tr><th scope="row">',
                escape(environment.finalize(environment.getattr(l_2_g, 'metric'))),
            ))
            if environment.getattr(l_2_g, 'cap'):
                pass
                t_11.extend((
                    ' <span class="tag">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'cap'))),
                    '</span>',
                ))
            t_11.extend((
                '</th><td class="n" data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'target'))),
                '"><strong>',
                escape(environment.finalize(environment.getattr(l_2_g, 'value'))),
                '</strong></td>',
            ))
            for (l_3_label, l_3_text) in [(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'stretch'), environment.getattr(l_2_g, 'stretch')), (environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'last_quarter'), environment.getattr(l_2_g, 'last_quarter')), (environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'last_year'), environment.getattr(l_2_g, 'last_year')), (environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'growth'), environment.getattr(l_2_g, 'growth'))]:
                _loop_vars = {}
                pass
                t_11.append(
                    '<td class="n',
                )
                if t_3(l_3_text):
                    pass
                    t_11.append(
                        ' empty',
                    )
                t_11.extend((
                    '" data-label="',
                    escape(environment.finalize(l_3_label)),
                    '">',
                    escape(environment.finalize((l_3_text or '—'))),
                    '</td>',
                ))
            l_3_label = l_3_text = missing
            t_11.extend((
                '<td class="nowrap" data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'deadline'))),
                '">',
                escape(environment.finalize(environment.getattr(l_2_g, 'deadline'))),
                '</td>',
            ))
            if (undefined(name='gaps') if l_1_gaps is missing else l_1_gaps):
                pass
                t_11.append(
                    '<td class="wide',
                )
                if t_3(environment.getattr(l_2_g, 'gap')):
                    pass
                    t_11.append(
                        ' empty',
                    )
                t_11.extend((
                    '" data-label="',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'gap_column'))),
                    '">',
                ))
                if (not t_3(environment.getattr(l_2_g, 'gap'))):
                    pass
                    t_11.append(
                        escape(environment.finalize(context.call((undefined(name='gap_line') if l_0_gap_line is missing else l_0_gap_line), environment.getattr(l_2_g, 'gap'), _loop_vars=_loop_vars))),
                    )
                else:
                    pass
                    t_11.append(
                        '—',
                    )
                t_11.append(
                    '</td>',
                )
            t_11.append(
                '</tr>\n',
            )
        l_2_g = missing
        t_11.append(
            '</tbody>\n</table>\n',
        )
        if ((undefined(name='grown') if l_1_grown is missing else l_1_grown) or (undefined(name='gaps') if l_1_gaps is missing else l_1_gaps)):
            pass
            t_11.append(
                '<p class="hint">',
            )
            if (undefined(name='grown') if l_1_grown is missing else l_1_grown):
                pass
                t_11.append(
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'growth_hint'))),
                )
            if ((undefined(name='grown') if l_1_grown is missing else l_1_grown) and (undefined(name='gaps') if l_1_gaps is missing else l_1_gaps)):
                pass
                t_11.append(
                    ' ',
                )
            if (undefined(name='gaps') if l_1_gaps is missing else l_1_gaps):
                pass
                t_11.append(
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'gap_hint'))),
                )
            t_11.append(
                '</p>',
            )
        t_11.append(
            '\n',
        )
        return concat(t_11)
    context.exported_vars.add('targets_table')
    context.vars['targets_table'] = l_0_targets_table = Macro(environment, macro, 'targets_table', ('targets',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_targets, l_1_note):
        t_12 = []
        l_1_t = resolve('t')
        if l_1_targets is missing:
            l_1_targets = undefined("parameter 'targets' was not provided", name='targets')
        if l_1_note is missing:
            l_1_note = undefined("parameter 'note' was not provided", name='note')
        pass
        t_12.extend((
            '<p class="hint">',
            escape(environment.finalize(l_1_note)),
            '</p>\n<table class="stack">\n<thead><tr><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'metric'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'target'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'attained'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'pace'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'forecast'))),
            '</th><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'status'))),
            '</th></tr></thead>\n<tbody>\n',
        ))
        def t_13(fiter):
            for l_2_g in fiter:
                if (not t_3(environment.getattr(l_2_g, 'progress'))):
                    yield l_2_g
        t_14 = 1
        for l_2_g in t_13(l_1_targets):
            l_2_p = missing
            _loop_vars = {}
            pass
            l_2_p = environment.getattr(l_2_g, 'progress')
            _loop_vars['p'] = l_2_p
            t_12.extend((
                '<tr class="',
                escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'state'))),
                '"><th scope="row">',
                escape(environment.finalize(environment.getattr(l_2_g, 'metric'))),
                '</th><td class="n" data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'target'))),
                '">',
                escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'target'))),
                '</td><td class="n" data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'attained'))),
                '"><span><strong>',
                escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'attained'))),
                '</strong>',
            ))
            if (not t_3(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'attainment'))):
                pass
                t_12.extend((
                    '<small>',
                    escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'attainment'))),
                    '</small>',
                ))
            t_12.extend((
                '</span></td><td class="n" data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'pace'))),
                '"><span>',
                escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'pace'))),
            ))
            if (not t_3(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'of_pace'))):
                pass
                t_12.extend((
                    '<small>',
                    escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'of_pace'))),
                    '</small>',
                ))
            t_12.extend((
                '</span></td><td class="n" data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'forecast'))),
                '">',
                escape(environment.finalize((environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'forecast') or '—'))),
                '</td><td data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'status'))),
                '"><span class="state">',
                escape(environment.finalize(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'status'))),
                '</span></td></tr>\n',
            ))
            t_14 = 0
        l_2_g = l_2_p = missing
        if t_14:
            pass
            t_12.extend((
                '<tr><td colspan="6">',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'progress_none'))),
                '</td></tr>\n',
            ))
        t_12.append(
            '</tbody>\n</table>\n',
        )
        return concat(t_12)
    context.exported_vars.add('progress_table')
    context.vars['progress_table'] = l_0_progress_table = Macro(environment, macro, 'progress_table', ('targets', 'note'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_c):
        t_15 = []
        l_1_t = resolve('t')
        if l_1_c is missing:
            l_1_c = undefined("parameter 'c' was not provided", name='c')
        pass
        t_15.extend((
            '<figure class="chart">\n<figcaption id="',
            escape(environment.finalize(environment.getattr(l_1_c, 'ident'))),
            '"><strong>',
            escape(environment.finalize(environment.getattr(l_1_c, 'metric'))),
            '</strong> <span>· ',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'monthly_phasing'))),
            ' · ',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'total'))),
            ' ',
            escape(environment.finalize(environment.getattr(l_1_c, 'total'))),
        ))
        if environment.getattr(l_1_c, 'derived'):
            pass
            t_15.extend((
                ' · ',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'from_children'))),
            ))
        t_15.extend((
            '</span></figcaption>\n<svg class="months" viewBox="0 0 ',
            escape(environment.finalize(environment.getattr(l_1_c, 'width'))),
            ' ',
            escape(environment.finalize(environment.getattr(l_1_c, 'height'))),
            '" role="img" aria-labelledby="',
            escape(environment.finalize(environment.getattr(l_1_c, 'ident'))),
            '" focusable="false">\n<line class="axis" x1="0" x2="',
            escape(environment.finalize(environment.getattr(l_1_c, 'width'))),
            '" y1="',
            escape(environment.finalize(environment.getattr(l_1_c, 'axis'))),
            '" y2="',
            escape(environment.finalize(environment.getattr(l_1_c, 'axis'))),
            '"/>\n',
        ))
        for l_2_b in environment.getattr(l_1_c, 'bars'):
            _loop_vars = {}
            pass
            t_15.extend((
                '<rect class="bar" x="',
                escape(environment.finalize(environment.getattr(l_2_b, 'x'))),
                '" y="',
                escape(environment.finalize(environment.getattr(l_2_b, 'y'))),
                '" width="',
                escape(environment.finalize(environment.getattr(l_2_b, 'width'))),
                '" height="',
                escape(environment.finalize(environment.getattr(l_2_b, 'height'))),
                '" rx="3"/>\n<text class="v" x="',
                escape(environment.finalize(environment.getattr(l_2_b, 'mid'))),
                '" y="',
                escape(environment.finalize(environment.getattr(l_2_b, 'top'))),
                '" text-anchor="middle">',
                escape(environment.finalize(environment.getattr(l_2_b, 'short'))),
                '</text>\n<text class="l" x="',
                escape(environment.finalize(environment.getattr(l_2_b, 'mid'))),
                '" y="',
                escape(environment.finalize(environment.getattr(l_1_c, 'label_y'))),
                '" text-anchor="middle">',
                escape(environment.finalize(environment.getattr(l_2_b, 'label'))),
                '</text>\n',
            ))
        l_2_b = missing
        t_15.extend((
            '</svg>\n<table class="nums">\n<thead><tr><th scope="col" class="nowrap">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'month'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'target'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'of_quarter'))),
            '</th>',
        ))
        if environment.getattr(l_1_c, 'tracked'):
            pass
            t_15.extend((
                '<th scope="col" class="n">',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'attained'))),
                '</th>',
            ))
        t_15.append(
            '</tr></thead>\n<tbody>\n',
        )
        for l_2_b in environment.getattr(l_1_c, 'bars'):
            _loop_vars = {}
            pass
            t_15.extend((
                '<tr><th scope="row">',
                escape(environment.finalize(environment.getattr(l_2_b, 'label'))),
                '</th><td class="n">',
                escape(environment.finalize(environment.getattr(l_2_b, 'text'))),
                '</td><td class="n">',
                escape(environment.finalize(environment.getattr(l_2_b, 'share'))),
                '</td>',
            ))
            if environment.getattr(l_1_c, 'tracked'):
                pass
                t_15.extend((
                    '<td class="n">',
                    escape(environment.finalize(environment.getattr(l_2_b, 'attained'))),
                ))
                if environment.getattr(l_2_b, 'partial'):
                    pass
                    t_15.extend((
                        '<small>',
                        escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'so_far'))),
                        '</small>',
                    ))
                t_15.append(
                    '</td>',
                )
            t_15.append(
                '</tr>\n',
            )
        l_2_b = missing
        t_15.append(
            '</tbody>\n</table>\n</figure>\n',
        )
        return concat(t_15)
    context.exported_vars.add('month_chart')
    context.vars['month_chart'] = l_0_month_chart = Macro(environment, macro, 'month_chart', ('c',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_c):
        t_16 = []
        l_1_t = resolve('t')
        if l_1_c is missing:
            l_1_c = undefined("parameter 'c' was not provided", name='c')
        pass
        t_16.extend((
            '<figure class="chart">\n<figcaption id="',
            escape(environment.finalize(environment.getattr(l_1_c, 'ident'))),
            '"><strong>',
            escape(environment.finalize(environment.getattr(l_1_c, 'metric'))),
            '</strong> <span>· ',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'product_split'))),
            ' · ',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'total'))),
            ' ',
            escape(environment.finalize(environment.getattr(l_1_c, 'total'))),
        ))
        if environment.getattr(l_1_c, 'derived'):
            pass
            t_16.extend((
                ' · ',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'from_children'))),
            ))
        t_16.extend((
            '</span></figcaption>\n<svg viewBox="0 0 ',
            escape(environment.finalize(environment.getattr(l_1_c, 'width'))),
            ' ',
            escape(environment.finalize(environment.getattr(l_1_c, 'height'))),
            '" role="img" aria-labelledby="',
            escape(environment.finalize(environment.getattr(l_1_c, 'ident'))),
            '" focusable="false">\n',
        ))
        for l_2_r in environment.getattr(l_1_c, 'rows'):
            _loop_vars = {}
            pass
            t_16.extend((
                '<text class="l" x="0" y="',
                escape(environment.finalize(environment.getattr(l_2_r, 'y_text'))),
                '">',
                escape(environment.finalize(environment.getattr(l_2_r, 'name'))),
            ))
            if environment.getattr(l_2_r, 'key'):
                pass
                t_16.append(
                    ' ★',
                )
            t_16.extend((
                '</text>\n<text class="v" x="',
                escape(environment.finalize(environment.getattr(l_1_c, 'width'))),
                '" y="',
                escape(environment.finalize(environment.getattr(l_2_r, 'y_text'))),
                '" text-anchor="end">',
                escape(environment.finalize(environment.getattr(l_2_r, 'share'))),
                '</text>\n<rect class="track" x="0" y="',
                escape(environment.finalize(environment.getattr(l_2_r, 'y_bar'))),
                '" width="',
                escape(environment.finalize(environment.getattr(l_1_c, 'track'))),
                '" height="10" rx="5"/>\n<rect class="bar',
            ))
            if environment.getattr(l_2_r, 'key'):
                pass
                t_16.append(
                    ' key',
                )
            t_16.extend((
                '" x="0" y="',
                escape(environment.finalize(environment.getattr(l_2_r, 'y_bar'))),
                '" width="',
                escape(environment.finalize(environment.getattr(l_2_r, 'width'))),
                '" height="10" rx="5"/>\n',
            ))
        l_2_r = missing
        t_16.extend((
            '</svg>\n<table class="nums">\n<thead><tr><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'product'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'target'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'share'))),
            '</th></tr></thead>\n<tbody>\n',
        ))
        for l_2_r in environment.getattr(l_1_c, 'rows'):
            _loop_vars = {}
            pass
            t_16.extend((
                '<tr><th scope="row">',
                escape(environment.finalize(environment.getattr(l_2_r, 'name'))),
            ))
            if environment.getattr(l_2_r, 'key'):
                pass
                t_16.extend((
                    ' <span class="unit">★ ',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'key_product'))),
                    '</span>',
                ))
            t_16.extend((
                '</th><td class="n">',
                escape(environment.finalize(environment.getattr(l_2_r, 'text'))),
                '</td><td class="n">',
                escape(environment.finalize(environment.getattr(l_2_r, 'share'))),
                '</td></tr>\n',
            ))
        l_2_r = missing
        t_16.append(
            '</tbody>\n</table>\n</figure>\n',
        )
        return concat(t_16)
    context.exported_vars.add('product_chart')
    context.vars['product_chart'] = l_0_product_chart = Macro(environment, macro, 'product_chart', ('c',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_months, l_1_products):
        t_17 = []
        if l_1_months is missing:
            l_1_months = undefined("parameter 'months' was not provided", name='months')
        if l_1_products is missing:
            l_1_products = undefined("parameter 'products' was not provided", name='products')
        pass
        if (l_1_months or l_1_products):
            pass
            t_17.append(
                '<div class="charts">\n',
            )
            for l_2_c in l_1_months:
                _loop_vars = {}
                pass
                t_17.append(
                    escape(environment.finalize(context.call((undefined(name='month_chart') if l_0_month_chart is missing else l_0_month_chart), l_2_c, _loop_vars=_loop_vars))),
                )
            l_2_c = missing
            for l_2_c in l_1_products:
                _loop_vars = {}
                pass
                t_17.append(
                    escape(environment.finalize(context.call((undefined(name='product_chart') if l_0_product_chart is missing else l_0_product_chart), l_2_c, _loop_vars=_loop_vars))),
                )
            l_2_c = missing
            t_17.append(
                '</div>\n',
            )
        return concat(t_17)
    context.exported_vars.add('charts')
    context.vars['charts'] = l_0_charts = Macro(environment, macro, 'charts', ('months', 'products'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_r):
        t_18 = []
        l_1_t = resolve('t')
        if l_1_r is missing:
            l_1_r = undefined("parameter 'r' was not provided", name='r')
        pass
        t_18.extend((
            '<td class="bar-cell"><span class="rk-pct">',
            escape(environment.finalize(environment.getattr(l_1_r, 'attainment'))),
            '</span><svg class="pbar" viewBox="0 0 100 16" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="track" x="0" y="4" width="100" height="8" rx="4"/><rect class="fill" x="0" y="4" width="',
            escape(environment.finalize(environment.getattr(l_1_r, 'fill'))),
            '" height="8" rx="4"/><rect class="pace" x="',
            escape(environment.finalize(environment.getattr(l_1_r, 'pace'))),
            '" y="0" width="1.5" height="16"/></svg><span class="state">',
            escape(environment.finalize(environment.getattr(l_1_r, 'status'))),
            '</span></td>\n<td class="n">',
            escape(environment.finalize(environment.getattr(l_1_r, 'attained'))),
            '<small>',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'of_word'))),
            ' ',
            escape(environment.finalize(environment.getattr(l_1_r, 'target'))),
            '</small></td>\n<td class="n wide-only">',
            escape(environment.finalize((environment.getattr(l_1_r, 'of_pace') or '—'))),
            '</td>\n<td class="n wide-only">',
            escape(environment.finalize((environment.getattr(l_1_r, 'forecast') or '—'))),
            '</td>\n',
        ))
        return concat(t_18)
    context.exported_vars.add('rank_cells')
    context.vars['rank_cells'] = l_0_rank_cells = Macro(environment, macro, 'rank_cells', ('r',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_k):
        t_19 = []
        l_1_t = resolve('t')
        if l_1_k is missing:
            l_1_k = undefined("parameter 'k' was not provided", name='k')
        pass
        t_19.extend((
            '<table class="rank">\n<thead><tr><th scope="col" class="n">#</th><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'node_name'))),
            '</th><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'of_target_col'))),
            '</th><th scope="col" class="n">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'attained'))),
            '</th><th scope="col" class="n wide-only">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'pace'))),
            '</th><th scope="col" class="n wide-only">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'forecast'))),
            '</th></tr></thead>\n<tbody>\n',
        ))
        for l_2_r in environment.getattr(l_1_k, 'rows'):
            _loop_vars = {}
            pass
            t_19.extend((
                '<tr class="',
                escape(environment.finalize(environment.getattr(l_2_r, 'state'))),
                '"><td class="n">',
                escape(environment.finalize(environment.getattr(l_2_r, 'rank'))),
                '</td><th scope="row">',
            ))
            if (not t_3(environment.getattr(environment.getattr(l_2_r, 'link'), 'href'))):
                pass
                t_19.extend((
                    '<a href="',
                    escape(environment.finalize(environment.getattr(environment.getattr(l_2_r, 'link'), 'href'))),
                    '">',
                    escape(environment.finalize(environment.getattr(environment.getattr(l_2_r, 'link'), 'text'))),
                    '</a>',
                ))
            else:
                pass
                t_19.append(
                    escape(environment.finalize(environment.getattr(environment.getattr(l_2_r, 'link'), 'text'))),
                )
            for l_3_b in environment.getattr(l_2_r, 'badges'):
                _loop_vars = {}
                pass
                t_19.extend((
                    ' <span class="badge">',
                    escape(environment.finalize(l_3_b)),
                    '</span>',
                ))
            l_3_b = missing
            t_19.extend((
                '</th>',
                escape(environment.finalize(context.call((undefined(name='rank_cells') if l_0_rank_cells is missing else l_0_rank_cells), l_2_r, _loop_vars=_loop_vars))),
                '</tr>\n',
            ))
        l_2_r = missing
        t_19.extend((
            '</tbody>\n<tfoot>\n<tr class="',
            escape(environment.finalize(environment.getattr(environment.getattr(l_1_k, 'total'), 'state'))),
            '"><td></td><th scope="row">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'total'))),
            '</th>',
            escape(environment.finalize(context.call((undefined(name='rank_cells') if l_0_rank_cells is missing else l_0_rank_cells), environment.getattr(l_1_k, 'total')))),
            '</tr>\n</tfoot>\n</table>\n<p class="hint">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'ranking_hint'))),
            '</p>\n',
        ))
        return concat(t_19)
    context.exported_vars.add('ranking')
    context.vars['ranking'] = l_0_ranking = Macro(environment, macro, 'ranking', ('k',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_s):
        t_20 = []
        l_1_t = resolve('t')
        if l_1_s is missing:
            l_1_s = undefined("parameter 's' was not provided", name='s')
        pass
        t_20.extend((
            '<div class="table-wrap">\n<table class="stack">\n<thead><tr><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'node_name'))),
            '</th>',
        ))
        for l_2_c in environment.getattr(l_1_s, 'columns'):
            _loop_vars = {}
            pass
            t_20.extend((
                '<th scope="col" class="n">',
                escape(environment.finalize(l_2_c)),
                '</th>',
            ))
        l_2_c = missing
        t_20.append(
            '</tr></thead>\n',
        )
        if environment.getattr(l_1_s, 'rows'):
            pass
            t_20.append(
                '<tbody>\n',
            )
            l_2_loop = missing
            for l_2_r, l_2_loop in LoopContext(environment.getattr(l_1_s, 'rows'), undefined):
                _loop_vars = {}
                pass
                t_20.append(
                    '<tr><th scope="row">',
                )
                if (not t_3(environment.getattr(environment.getattr(l_2_r, 'link'), 'href'))):
                    pass
                    t_20.extend((
                        '<a href="',
                        escape(environment.finalize(environment.getattr(environment.getattr(l_2_r, 'link'), 'href'))),
                        '">',
                        escape(environment.finalize(environment.getattr(environment.getattr(l_2_r, 'link'), 'text'))),
                        '</a>',
                    ))
                else:
                    pass
                    t_20.append(
                        escape(environment.finalize(environment.getattr(environment.getattr(l_2_r, 'link'), 'text'))),
                    )
                for l_3_b in environment.getattr(l_2_r, 'badges'):
                    _loop_vars = {}
                    pass
                    t_20.extend((
                        ' <span class="badge">',
                        escape(environment.finalize(l_3_b)),
                        '</span>',
                    ))
                l_3_b = missing
                t_20.append(
                    '</th>',
                )
                l_3_loop = missing
                for l_3_cell, l_3_loop in LoopContext(environment.getattr(l_2_r, 'cells'), undefined):
                    l_3_p = missing
                    _loop_vars = {}
                    pass
                    l_3_p = (environment.getitem(environment.getattr(l_2_r, 'progress'), environment.getattr(l_3_loop, 'index0')) if environment.getattr(l_2_r, 'progress') else None)
                    _loop_vars['p'] = l_3_p
                    t_20.extend((
                        '<td class="n" data-label="',
                        escape(environment.finalize(environment.getitem(environment.getattr(l_1_s, 'columns'), environment.getattr(l_3_loop, 'index0')))),
                        '">',
                    ))
                    if (not t_3((undefined(name='p') if l_3_p is missing else l_3_p))):
                        pass
                        t_20.extend((
                            '<span>',
                            escape(environment.finalize(l_3_cell)),
                            '<small class="prog ',
                            escape(environment.finalize(environment.getattr((undefined(name='p') if l_3_p is missing else l_3_p), 'state'))),
                            '">',
                            escape(environment.finalize(environment.getattr((undefined(name='p') if l_3_p is missing else l_3_p), 'text'))),
                            '</small></span>',
                        ))
                    else:
                        pass
                        t_20.append(
                            escape(environment.finalize(l_3_cell)),
                        )
                    t_20.append(
                        '</td>',
                    )
                l_3_loop = l_3_cell = l_3_p = missing
                t_20.append(
                    '</tr>\n',
                )
            l_2_loop = l_2_r = missing
            t_20.append(
                '</tbody>\n',
            )
        t_20.extend((
            '<tfoot>\n<tr><th scope="row">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'total'))),
            '</th>',
        ))
        l_2_loop = missing
        for l_2_cell, l_2_loop in LoopContext(environment.getattr(l_1_s, 'total'), undefined):
            _loop_vars = {}
            pass
            t_20.extend((
                '<td class="n" data-label="',
                escape(environment.finalize(environment.getitem(environment.getattr(l_1_s, 'columns'), environment.getattr(l_2_loop, 'index0')))),
                '">',
                escape(environment.finalize(l_2_cell)),
                '</td>',
            ))
        l_2_loop = l_2_cell = missing
        t_20.extend((
            '</tr>\n<tr><th scope="row">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'target'))),
            '</th>',
        ))
        l_2_loop = missing
        for l_2_cell, l_2_loop in LoopContext(environment.getattr(l_1_s, 'target'), undefined):
            _loop_vars = {}
            pass
            t_20.extend((
                '<td class="n" data-label="',
                escape(environment.finalize(environment.getitem(environment.getattr(l_1_s, 'columns'), environment.getattr(l_2_loop, 'index0')))),
                '">',
                escape(environment.finalize(l_2_cell)),
                '</td>',
            ))
        l_2_loop = l_2_cell = missing
        t_20.extend((
            '</tr>\n<tr><th scope="row">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'vs_target'))),
            '</th>',
        ))
        l_2_loop = missing
        for l_2_cell, l_2_loop in LoopContext(environment.getattr(l_1_s, 'over'), undefined):
            _loop_vars = {}
            pass
            t_20.extend((
                '<td class="n" data-label="',
                escape(environment.finalize(environment.getitem(environment.getattr(l_1_s, 'columns'), environment.getattr(l_2_loop, 'index0')))),
                '">',
                escape(environment.finalize(l_2_cell)),
                '</td>',
            ))
        l_2_loop = l_2_cell = missing
        t_20.extend((
            '</tr>\n</tfoot>\n</table>\n</div>\n<p class="hint">',
            escape(environment.finalize(environment.getattr(l_1_s, 'band'))),
        ))
        if (environment.getattr(l_1_s, 'rows') and environment.getattr(environment.getitem(environment.getattr(l_1_s, 'rows'), 0), 'progress')):
            pass
            t_20.extend((
                ' ',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'split_progress_hint'))),
            ))
        t_20.append(
            '</p>\n',
        )
        return concat(t_20)
    context.exported_vars.add('split_table')
    context.vars['split_table'] = l_0_split_table = Macro(environment, macro, 'split_table', ('s',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_actions):
        t_21 = []
        l_1_t = resolve('t')
        if l_1_actions is missing:
            l_1_actions = undefined("parameter 'actions' was not provided", name='actions')
        pass
        t_21.extend((
            '<table class="stack">\n<thead><tr><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'what'))),
            '</th><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'due'))),
            '</th><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'supports'))),
            '</th><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'owner'))),
            '</th><th scope="col">',
            escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'resources'))),
            '</th></tr></thead>\n<tbody>\n',
        ))
        l_2_loop = missing
        for l_2_a, l_2_loop in LoopContext(l_1_actions, undefined):
            _loop_vars = {}
            pass
            t_21.extend((
                '<tr><th scope="row">',
                escape(environment.finalize(environment.getattr(l_2_a, 'what'))),
                '</th><td class="nowrap" data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'due'))),
                '">',
                escape(environment.finalize(environment.getattr(l_2_a, 'due'))),
                '</td><td data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'supports'))),
                '">',
                escape(environment.finalize(environment.getattr(l_2_a, 'supports'))),
                '</td><td class="nowrap" data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'owner'))),
                '">',
                escape(environment.finalize(environment.getattr(l_2_a, 'owner'))),
                '</td><td class="wide" data-label="',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'resources'))),
                '">',
            ))
            l_3_loop = missing
            t_22 = 1
            for l_3_r, l_3_loop in LoopContext(environment.getattr(l_2_a, 'resources'), undefined):
                _loop_vars = {}
                pass
                t_21.append(
                    escape(environment.finalize(l_3_r)),
                )
                if (not environment.getattr(l_3_loop, 'last')):
                    pass
                    t_21.append(
                        '<br>',
                    )
                t_22 = 0
            l_3_loop = l_3_r = missing
            if t_22:
                pass
                t_21.append(
                    '—',
                )
            t_21.append(
                '</td></tr>\n',
            )
        l_2_loop = l_2_a = missing
        t_21.append(
            '</tbody>\n</table>\n',
        )
        return concat(t_21)
    context.exported_vars.add('actions_table')
    context.vars['actions_table'] = l_0_actions_table = Macro(environment, macro, 'actions_table', ('actions',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_items, l_1_empty):
        t_23 = []
        l_1_t = resolve('t')
        if l_1_items is missing:
            l_1_items = undefined("parameter 'items' was not provided", name='items')
        if l_1_empty is missing:
            l_1_empty = None
        pass
        if l_1_items:
            pass
            t_23.append(
                '<div class="stack-list">\n',
            )
            for l_2_a in l_1_items:
                _loop_vars = {}
                pass
                t_23.extend((
                    '<article class="card adj">\n<h3>',
                    escape(environment.finalize(environment.getattr(l_2_a, 'id'))),
                    ' · ',
                    escape(environment.finalize(environment.getattr(l_2_a, 'cause'))),
                    '</h3>\n<p class="meta">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'date_decided'))),
                    ' ',
                    escape(environment.finalize(environment.getattr(l_2_a, 'decided'))),
                    ' · ',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'effective'))),
                    ' ',
                    escape(environment.finalize(environment.getattr(l_2_a, 'effective'))),
                ))
                if environment.getattr(l_2_a, 'approved_by'):
                    pass
                    t_23.extend((
                        ' · ',
                        escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'approved_by'))),
                        ' ',
                        escape(environment.finalize(environment.getattr(l_2_a, 'approved_by'))),
                    ))
                t_23.extend((
                    '</p>\n<p>',
                    escape(environment.finalize(environment.getattr(l_2_a, 'note'))),
                    '</p>\n<table class="stack">\n<thead><tr><th scope="col">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'target'))),
                    '</th><th scope="col" class="n">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'adjusted_from'))),
                    '</th><th scope="col" class="n">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'adjusted_to'))),
                    '</th><th scope="col" class="n">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'change'))),
                    '</th></tr></thead>\n<tbody>\n',
                ))
                for l_3_c in environment.getattr(l_2_a, 'changes'):
                    _loop_vars = {}
                    pass
                    t_23.extend((
                        '<tr><th scope="row">',
                        escape(environment.finalize(environment.getattr(l_3_c, 'target'))),
                        '</th><td class="n" data-label="',
                        escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'adjusted_from'))),
                        '">',
                        escape(environment.finalize(environment.getattr(l_3_c, 'before'))),
                        '</td><td class="n" data-label="',
                        escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'adjusted_to'))),
                        '">',
                        escape(environment.finalize(environment.getattr(l_3_c, 'after'))),
                        '</td><td class="n" data-label="',
                        escape(environment.finalize(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'change'))),
                        '">',
                        escape(environment.finalize(environment.getattr(l_3_c, 'delta'))),
                        '</td></tr>\n',
                    ))
                l_3_c = missing
                t_23.append(
                    '</tbody>\n</table>\n',
                )
                if (not t_3(environment.getattr(l_2_a, 'hidden'))):
                    pass
                    t_23.extend((
                        '<p class="hint">',
                        escape(environment.finalize(environment.getattr(l_2_a, 'hidden'))),
                        '</p>',
                    ))
                t_23.append(
                    '</article>\n',
                )
            l_2_a = missing
            t_23.append(
                '</div>\n',
            )
        else:
            pass
            t_23.extend((
                '<p class="hint">',
                escape(environment.finalize((l_1_empty or environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'adjustments_none')))),
                '</p>\n',
            ))
        return concat(t_23)
    context.exported_vars.add('adjustments')
    context.vars['adjustments'] = l_0_adjustments = Macro(environment, macro, 'adjustments', ('items', 'empty'), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '1=30&3=38&4=44&9=86&10=94&11=96&12=98&13=113&14=117&16=128&18=147&19=161&22=173&26=185&28=192&29=197&33=213&35=221&36=227&37=235&38=242&39=265&40=267&41=269&42=273&43=277&45=283&46=287&50=296&51=304&54=341&56=349&57=354&58=359&59=367&60=378&61=381&62=385&63=387&64=401&71=427&73=435&75=441&76=452&77=455&79=463&81=474&82=479&84=488&86=497&88=508&91=520&92=525&93=532&99=550&100=557&101=558&103=561&105=586&106=591&111=668&115=698&116=708&118=710&120=723&121=732&122=736&124=786&130=796&132=804&133=822&134=828&135=835&136=840&137=848&138=854&142=864&144=881&145=886&152=920&154=928&155=946&156=953&157=958&158=969&159=975&160=980&164=995&166=1002&167=1007&174=1031&175=1038&177=1043&178=1050&183=1064&184=1072&185=1080&186=1086&187=1088&190=1095&192=1103&194=1114&195=1119&199=1155&202=1161&205=1168&208=1176&209=1191&211=1197&212=1203&217=1270&218=1287&219=1304&223=1321&226=1336&228=1344&230=1356&231=1361&237=1409&238=1417&240=1422&242=1427&243=1431&244=1449&246=1451&248=1460&249=1465&253=1484&258=1502'
