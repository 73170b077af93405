"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'node.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    l_0_m = missing
    pass
    parent_template = environment.get_template('base.html.j2', 'node.html.j2')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    l_0_m = context.vars['m'] = environment.get_template('_macros.html.j2', 'node.html.j2').make_module(context.get_all(), True, {'m': l_0_m})
    context.exported_vars.discard('m')
    yield from parent_template.root_render_func(context)

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_page = resolve('page')
    l_0_m = resolve('m')
    l_0_t = resolve('t')
    l_0_product_actuals = missing
    try:
        t_1 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<header class="hero">\n<p class="eyebrow">'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'kind')))
    yield '</p>\n<h1>'
    yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'heading')))
    yield '</h1>\n'
    if t_1(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'ranking')):
        pass
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'facts'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'facts'), _block_vars=_block_vars)))
    yield '</header>\n'
    if (not t_1(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'ranking'))):
        pass
        yield '<section aria-labelledby="ranking">\n<h2 id="ranking">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'ranking')))
        yield ' · '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'ranking'), 'metric')))
        yield '</h2>\n'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'ranking'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'ranking'), _block_vars=_block_vars)))
        yield '\n</section>\n'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'facts'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'facts'), _block_vars=_block_vars)))
        yield '\n'
    yield '<section aria-labelledby="targets">\n<h2 id="targets">'
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
    if (not t_1(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'split'))):
        pass
        yield '<section aria-labelledby="split">\n<h2 id="split">'
        yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'split_title')))
        yield '</h2>\n'
        if (not t_1(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'peers_note'))):
            pass
            yield '<p class="hint">'
            yield escape(environment.finalize(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'peers_note')))
            yield '</p>'
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'split_table'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'split'), _block_vars=_block_vars)))
        yield '\n</section>\n'
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
    included_template = environment.get_template('_product_actuals.html.j2', 'node.html.j2').make_module(context.get_all(), True, {'product_actuals': l_0_product_actuals})
    l_0_product_actuals = getattr(included_template, 'product_actuals', missing)
    if l_0_product_actuals is missing:
        l_0_product_actuals = undefined(f"the template {included_template.__name__!r} (imported on line 40 in 'node.html.j2') does not export the requested name 'product_actuals'", name='product_actuals')
    if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'product_actuals'):
        pass
        yield escape(environment.finalize(context.call((undefined(name='product_actuals') if l_0_product_actuals is missing else l_0_product_actuals), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'product_actuals'), _block_vars=_block_vars)))
    yield '<section aria-labelledby="actions">\n<h2 id="actions">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'actions')))
    yield '</h2>\n'
    if environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions'):
        pass
        yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'actions_table'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'actions'), _block_vars=_block_vars)))
        yield '\n'
    else:
        pass
        yield '<p class="hint">'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'actions_none')))
        yield '</p>\n'
    yield '</section>\n<section aria-labelledby="changes">\n<h2 id="changes">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'adjustments')))
    yield '</h2>\n'
    yield escape(environment.finalize(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'adjustments'), environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'adjustments'), _block_vars=_block_vars)))
    yield '\n</section>\n'

blocks = {'main': block_main}
debug_info = '1=13&2=16&3=20&5=39&6=41&7=43&9=47&12=50&13=54&15=56&18=59&19=61&21=63&23=66&24=68&27=70&29=73&30=75&31=80&34=82&36=85&37=91&40=93&42=101&43=103&44=105&46=110&50=113&51=115'
