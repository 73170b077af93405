"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'index.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    l_0_m = missing
    pass
    parent_template = environment.get_template('base.html.j2', 'index.html.j2')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    l_0_m = context.vars['m'] = environment.get_template('_macros.html.j2', 'index.html.j2').make_module(context.get_all(), True, {'m': l_0_m})
    context.exported_vars.discard('m')
    yield from parent_template.root_render_func(context)

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_t = resolve('t')
    l_0_page = resolve('page')
    l_0_m = resolve('m')
    try:
        t_1 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<header class="hero">\n<p class="eyebrow">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'site_of')))
    yield '</p>\n<h1>'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'heading')))
    yield '</h1>\n</header>\n<section aria-labelledby="totals">\n<h2 id="totals">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'totals')))
    yield '</h2>\n'
    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'kpi_tiles'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'targets'), _block_vars=_block_vars)))
    yield '\n<div class="status'
    if (environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'warnings') or environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'early')):
        pass
        yield ' warn'
    yield '">\n<p><a href="#checks">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'checks')))
    yield '</a>'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'colon')))
    yield '<strong>'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'status')))
    yield '</strong>'
    if (not t_1(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'early_status'))):
        pass
        yield ' <a href="#early">'
        yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'early_status')))
        yield '</a>'
    yield '</p>\n</div>\n'
    if (not t_1(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'progress_note'))):
        pass
        yield '<p class="hint">'
        yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'progress_note')))
        yield '</p>'
    yield '</section>\n'
    if (not t_1(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'split'))):
        pass
        yield '<section aria-labelledby="split">\n<h2 id="split">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'split_regions')))
        yield '</h2>\n'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'split_table'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'split'), _block_vars=_block_vars)))
        yield '\n</section>\n'
    yield '<section aria-labelledby="targets-detail">\n<h2 id="targets-detail">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'targets')))
    yield '</h2>\n'
    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'targets_table'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'targets'), _block_vars=_block_vars)))
    yield '\n</section>\n'
    if (not t_1(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'progress_note'))):
        pass
        yield '<section aria-labelledby="progress">\n<h2 id="progress">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'progress')))
        yield '</h2>\n'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'progress_table'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'targets'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'progress_note'), _block_vars=_block_vars)))
        yield '\n</section>\n'
    if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'early'):
        pass
        yield '<section aria-labelledby="early">\n<h2 id="early">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'early_title')))
        yield '</h2>\n<p class="hint">'
        yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'early_status')))
        yield '</p>\n<ul class="warnings early-list">\n'
        for l_1_e in environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'early'):
            _loop_vars = {}
            pass
            yield '<li><p class="where">'
            if (not t_1(environment.getattr(environment.getattr(l_1_e, 'where'), 'href'))):
                pass
                yield '<a href="'
                yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_e, 'where'), 'href')))
                yield '">'
                yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_e, 'where'), 'text')))
                yield '</a>'
            else:
                pass
                yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_e, 'where'), 'text')))
            yield ' · '
            yield escape(environment.finalize(environment.getattr(l_1_e, 'metric')))
            yield '</p>'
            yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'warning_note'), environment.getattr(l_1_e, 'note'), _loop_vars=_loop_vars)))
            yield '</li>\n'
        l_1_e = missing
        yield '</ul>\n</section>\n'
    if (environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'months') or environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'products')):
        pass
        yield '<section aria-labelledby="charts">\n<h2 id="charts">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'monthly_phasing')))
        if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'products'):
            pass
            yield ' · '
            yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'product_mix')))
        yield '</h2>\n'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'charts'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'months'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'products'), _block_vars=_block_vars)))
        yield '\n</section>\n'
    yield '<section aria-labelledby="checks">\n<h2 id="checks">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'checks')))
    yield '</h2>\n<p>'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'status')))
    yield ' '
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'recon_ok')))
    yield '</p>\n'
    if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'warnings'):
        pass
        yield '<ul class="warnings">\n'
        for l_1_w in environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'warnings'):
            _loop_vars = {}
            pass
            yield '<li'
            if (not t_1(environment.getattr(l_1_w, 'lang'))):
                pass
                yield ' lang="'
                yield escape(environment.finalize(environment.getattr(l_1_w, 'lang')))
                yield '"'
            yield '><code>'
            yield escape(environment.finalize(environment.getattr(l_1_w, 'code')))
            yield '</code> <code>'
            yield escape(environment.finalize(environment.getattr(l_1_w, 'where')))
            yield '</code><br>'
            yield escape(environment.finalize(environment.getattr(l_1_w, 'message')))
            if (not t_1(environment.getattr(l_1_w, 'hint'))):
                pass
                yield '<br><span class="hint">'
                yield escape(environment.finalize(environment.getattr(l_1_w, 'hint')))
                yield '</span>'
            yield '</li>\n'
        l_1_w = missing
        yield '</ul>\n'
    if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'recon'):
        pass
        yield '<details class="fold">\n<summary>'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'reconciliation')))
        yield '</summary>\n<table class="stack">\n<thead><tr><th scope="col">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'metric')))
        yield '</th><th scope="col" class="n">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'splits')))
        yield '</th><th scope="col" class="n">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'lowest')))
        yield '</th><th scope="col" class="n">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'highest')))
        yield '</th><th scope="col" class="n">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'band')))
        yield '</th></tr></thead>\n<tbody>\n'
        for l_1_r in environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'recon'):
            _loop_vars = {}
            pass
            yield '<tr><th scope="row">'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'metric')))
            yield '</th><td class="n" data-label="'
            yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'splits')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'splits')))
            yield '</td><td class="n" data-label="'
            yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'lowest')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'lowest')))
            yield '</td><td class="n" data-label="'
            yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'highest')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'highest')))
            yield '</td><td class="n" data-label="'
            yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'band')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'band')))
            yield '</td></tr>\n'
        l_1_r = missing
        yield '</tbody>\n</table>\n<p class="hint">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'recon_hint')))
        yield '</p>\n</details>\n'
    yield '</section>\n<section aria-labelledby="pillars">\n<h2 id="pillars">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'pillars')))
    yield '</h2>\n<ul class="pillars cards">\n'
    for l_1_p in environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'pillars'):
        _loop_vars = {}
        pass
        yield '<li class="card"><h3>'
        yield escape(environment.finalize(environment.getattr(l_1_p, 'name')))
        yield '</h3>'
        if (not t_1(environment.getattr(l_1_p, 'description'))):
            pass
            yield '<p>'
            yield escape(environment.finalize(environment.getattr(l_1_p, 'description')))
            yield '</p>'
        if environment.getattr(l_1_p, 'metrics'):
            pass
            yield '<p class="hint">'
            yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'metric')))
            yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'colon')))
            yield escape(environment.finalize(environment.getattr(l_1_p, 'metrics')))
            yield '</p>'
        yield '</li>\n'
    l_1_p = missing
    yield '</ul>\n</section>\n<section aria-labelledby="org">\n<h2 id="org">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'org')))
    yield '</h2>\n'
    if (not t_1(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'peers_note'))):
        pass
        yield '<p class="hint">'
        yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'peers_note')))
        yield '</p>'
    yield '<p class="hint">'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'legend')))
    yield '</p>\n<ul class="tree">\n'
    for l_1_r in environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'tree'):
        _loop_vars = {}
        pass
        yield '<li><div class="row">'
        if (not t_1(environment.getattr(environment.getattr(l_1_r, 'link'), 'href'))):
            pass
            yield '<a href="'
            yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_r, 'link'), 'href')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_r, 'link'), 'text')))
            yield '</a>'
        else:
            pass
            yield '<span>'
            yield escape(environment.finalize(environment.getattr(environment.getattr(l_1_r, 'link'), 'text')))
            yield '</span>'
        yield ' <span class="who">'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'owner')))
        yield '</span>'
        if (not t_1(environment.getattr(l_1_r, 'value'))):
            pass
            yield ' <span class="fig"><span class="num">'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'value')))
            yield '</span>'
            if (not t_1(environment.getattr(l_1_r, 'over'))):
                pass
                yield ' <span class="over">'
                yield escape(environment.finalize(environment.getattr(l_1_r, 'over')))
                yield '</span>'
            yield '</span>'
        yield '</div>\n'
        if environment.getattr(l_1_r, 'children'):
            pass
            yield '<ul>\n'
            for l_2_tm in environment.getattr(l_1_r, 'children'):
                _loop_vars = {}
                pass
                yield '<li><div class="row">'
                if (not t_1(environment.getattr(environment.getattr(l_2_tm, 'link'), 'href'))):
                    pass
                    yield '<a href="'
                    yield escape(environment.finalize(environment.getattr(environment.getattr(l_2_tm, 'link'), 'href')))
                    yield '">'
                    yield escape(environment.finalize(environment.getattr(environment.getattr(l_2_tm, 'link'), 'text')))
                    yield '</a>'
                else:
                    pass
                    yield '<span>'
                    yield escape(environment.finalize(environment.getattr(environment.getattr(l_2_tm, 'link'), 'text')))
                    yield '</span>'
                yield ' <span class="who">'
                yield escape(environment.finalize(environment.getattr(l_2_tm, 'owner')))
                yield '</span>'
                if (not t_1(environment.getattr(l_2_tm, 'value'))):
                    pass
                    yield ' <span class="fig"><span class="num">'
                    yield escape(environment.finalize(environment.getattr(l_2_tm, 'value')))
                    yield '</span>'
                    if (not t_1(environment.getattr(l_2_tm, 'over'))):
                        pass
                        yield ' <span class="over">'
                        yield escape(environment.finalize(environment.getattr(l_2_tm, 'over')))
                        yield '</span>'
                    yield '</span>'
                yield '</div>\n'
                if environment.getattr(l_2_tm, 'children'):
                    pass
                    yield '<ul class="reps">\n'
                    for l_3_rep in environment.getattr(l_2_tm, 'children'):
                        _loop_vars = {}
                        pass
                        yield '<li>'
                        if (not t_1(environment.getattr(environment.getattr(l_3_rep, 'link'), 'href'))):
                            pass
                            yield '<a href="'
                            yield escape(environment.finalize(environment.getattr(environment.getattr(l_3_rep, 'link'), 'href')))
                            yield '">'
                            yield escape(environment.finalize(environment.getattr(environment.getattr(l_3_rep, 'link'), 'text')))
                            yield '</a>'
                        else:
                            pass
                            yield escape(environment.finalize(environment.getattr(environment.getattr(l_3_rep, 'link'), 'text')))
                        if (not t_1(environment.getattr(l_3_rep, 'value'))):
                            pass
                            yield '<span class="num">'
                            yield escape(environment.finalize(environment.getattr(l_3_rep, 'value')))
                            yield '</span>'
                        yield '</li>\n'
                    l_3_rep = missing
                    yield '</ul>\n'
                yield '</li>\n'
            l_2_tm = missing
            yield '</ul>\n'
        yield '</li>\n'
    l_1_r = missing
    yield '</ul>\n</section>\n<section aria-labelledby="changes">\n<h2 id="changes">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'adjustments')))
    yield '</h2>\n'
    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'adjustments'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'adjustments'), _block_vars=_block_vars)))
    yield '\n</section>\n<section aria-labelledby="about">\n<h2 id="about">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'about_plan')))
    yield '</h2>\n'
    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'facts'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'facts'), _block_vars=_block_vars)))
    yield '\n</section>\n'

blocks = {'main': block_main}
debug_info = '1=13&2=16&3=20&5=38&6=40&9=42&10=44&11=46&12=50&14=62&16=68&18=71&19=73&23=76&24=78&26=80&28=83&29=85&32=87&34=90&35=92&37=94&38=98&43=115&45=118&46=124&50=127&51=129&52=133&54=136&55=140&59=159&61=162&63=164&65=174&66=178&70=198&75=201&77=203&78=207&83=224&84=226&85=232&87=234&88=238&89=265&91=268&92=272&93=299&95=302&96=306&109=330&110=332&113=334&114=336'
