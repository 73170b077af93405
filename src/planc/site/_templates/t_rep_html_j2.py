"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'rep.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    l_0_m = missing
    pass
    parent_template = environment.get_template('base.html.j2', 'rep.html.j2')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    l_0_m = context.vars['m'] = environment.get_template('_macros.html.j2', 'rep.html.j2').make_module(context.get_all(), True, {'m': l_0_m})
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
    l_0_product_actuals = missing
    try:
        t_1 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<header class="hero brief">\n<p class="eyebrow">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'brief_of')))
    yield '</p>\n<h1>'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'heading')))
    yield '</h1>\n<p class="sub">'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'subtitle')))
    yield '</p>\n</header>\n<section aria-labelledby="targets">\n<h2 id="targets">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'my_targets')))
    yield '</h2>\n'
    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'target_cards'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'targets'), _block_vars=_block_vars)))
    yield '\n'
    if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'pace'):
        pass
        yield '<div class="charts">'
        for l_1_c in environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'pace'):
            _loop_vars = {}
            pass
            yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'pace_chart'), l_1_c, _loop_vars=_loop_vars)))
        l_1_c = missing
        yield '</div>\n'
    if (not t_1(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'progress_note'))):
        pass
        yield '<p class="hint">'
        yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'progress_note')))
        yield ' '
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'progress_legend')))
        yield '</p>'
    yield '</section>\n<section aria-labelledby="who">\n<h2 id="who">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'who')))
    yield '</h2>\n'
    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'facts'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'facts'), _block_vars=_block_vars)))
    yield '\n</section>\n'
    if (environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'months') or environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'products')):
        pass
        yield '<section aria-labelledby="charts">\n<h2 id="charts">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'monthly_phasing')))
        if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'products'):
            pass
            yield ' · '
            yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'product_split')))
        yield '</h2>\n'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'charts'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'months'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'products'), _block_vars=_block_vars)))
        yield '\n</section>\n'
    included_template = environment.get_template('_product_actuals.html.j2', 'rep.html.j2').make_module(context.get_all(), True, {'product_actuals': l_0_product_actuals})
    l_0_product_actuals = getattr(included_template, 'product_actuals', missing)
    if l_0_product_actuals is missing:
        l_0_product_actuals = undefined(f"the template {included_template.__name__!r} (imported on line 27 in 'rep.html.j2') does not export the requested name 'product_actuals'", name='product_actuals')
    if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'product_actuals'):
        pass
        yield escape(environment.finalize(context.call((undefined(name='product_actuals') if l_0_product_actuals is missing else l_0_product_actuals), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'product_actuals'), _block_vars=_block_vars)))
    yield '<section aria-labelledby="actions"'
    if ((not environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions_mine')) and (not environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions_shared'))):
        pass
        yield ' class="quiet"'
    yield '>\n<h2 id="actions">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'action_plan')))
    yield '</h2>\n'
    if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions_mine'):
        pass
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'actions_table'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions_mine'), _block_vars=_block_vars)))
        yield '\n'
    if (environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions_shared') and (not environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions_mine'))):
        pass
        yield '<p class="hint">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'actions_none_mine')))
        yield '</p>\n'
    if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions_shared'):
        pass
        yield '<h3>'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'actions_shared')))
        yield '</h3>\n'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'actions_table'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions_shared'), _block_vars=_block_vars)))
        yield '\n'
    if ((not environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions_mine')) and (not environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions_shared'))):
        pass
        yield '<p class="hint">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'actions_none')))
        yield '</p>\n'
    yield '</section>\n<section aria-labelledby="changes"'
    if (not environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'adjustments')):
        pass
        yield ' class="quiet"'
    yield '>\n<h2 id="changes">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'adjustments')))
    yield '</h2>\n'
    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'adjustments'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'adjustments'), environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'adjustments_none_rep'), _block_vars=_block_vars)))
    yield '\n</section>\n'
    if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'definitions'):
        pass
        yield '<section aria-labelledby="definitions" class="definitions">\n<h2 id="definitions">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'definitions')))
        yield '</h2>\n<dl class="defs">\n'
        for l_1_d in environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'definitions'):
            _loop_vars = {}
            pass
            yield '<dt>'
            yield escape(environment.finalize(environment.getattr(l_1_d, 'label')))
            yield '</dt><dd>'
            yield escape(environment.finalize(environment.getattr(l_1_d, 'text')))
            yield '</dd>\n'
        l_1_d = missing
        yield '</dl>\n</section>\n'

blocks = {'main': block_main}
debug_info = '1=13&2=16&3=20&5=39&6=41&7=43&10=45&11=47&12=49&13=52&15=58&18=66&19=68&21=70&23=73&24=79&27=81&28=89&29=93&30=95&31=97&33=99&35=102&37=104&38=107&39=109&41=111&42=114&45=117&46=121&48=123&50=125&52=128&54=130&55=134'
