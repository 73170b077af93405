"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_product_actuals.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_product_actuals = missing
    try:
        t_1 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    def macro(l_1_sections):
        t_2 = []
        if l_1_sections is missing:
            l_1_sections = undefined("parameter 'sections' was not provided", name='sections')
        pass
        for l_2_s in l_1_sections:
            l_2_t = resolve('t')
            _loop_vars = {}
            pass
            t_2.extend((
                '<section class="won-by-product" aria-labelledby="',
                escape(environment.finalize(environment.getattr(l_2_s, 'ident'))),
                '">\n<h2 id="',
                escape(environment.finalize(environment.getattr(l_2_s, 'ident'))),
                '">',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'won_by_product'))),
                ' · ',
                escape(environment.finalize(environment.getattr(l_2_s, 'metric'))),
                '</h2>\n<table class="stack">\n<thead><tr><th scope="col">',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'product'))),
                '</th>',
            ))
            if environment.getattr(l_2_s, 'targets'):
                pass
                t_2.extend((
                    '<th scope="col" class="n">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'target'))),
                    '</th>',
                ))
            t_2.extend((
                '<th scope="col" class="n">',
                escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'won_so_far'))),
                '</th>',
            ))
            if environment.getattr(l_2_s, 'targets'):
                pass
                t_2.extend((
                    '<th scope="col" class="n">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'of_split'))),
                    '</th>',
                ))
            if environment.getattr(l_2_s, 'forecasts'):
                pass
                t_2.extend((
                    '<th scope="col" class="n">',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'pipeline_forecast'))),
                    '</th>',
                ))
            t_2.append(
                '</tr></thead>\n<tbody>\n',
            )
            for l_3_r in environment.getattr(l_2_s, 'rows'):
                _loop_vars = {}
                pass
                t_2.extend((
                    '<tr><th scope="row">',
                    escape(environment.finalize(environment.getattr(l_3_r, 'name'))),
                ))
                if environment.getattr(l_3_r, 'key'):
                    pass
                    t_2.extend((
                        ' <span class="unit">★ ',
                        escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'key_product'))),
                        '</span>',
                    ))
                t_2.append(
                    '</th>',
                )
                if environment.getattr(l_2_s, 'targets'):
                    pass
                    t_2.append(
                        '<td class="n',
                    )
                    if t_1(environment.getattr(l_3_r, 'target')):
                        pass
                        t_2.append(
                            ' empty',
                        )
                    t_2.extend((
                        '" data-label="',
                        escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'target'))),
                        '">',
                        escape(environment.finalize((environment.getattr(l_3_r, 'target') or '—'))),
                        '</td>',
                    ))
                t_2.extend((
                    '<td class="n" data-label="',
                    escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'won_so_far'))),
                    '">',
                    escape(environment.finalize(environment.getattr(l_3_r, 'won'))),
                    '</td>',
                ))
                if environment.getattr(l_2_s, 'targets'):
                    pass
                    t_2.append(
                        '<td class="n',
                    )
                    if t_1(environment.getattr(l_3_r, 'of_target')):
                        pass
                        t_2.append(
                            ' empty',
                        )
                    t_2.extend((
                        '" data-label="',
                        escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'of_split'))),
                        '">',
                        escape(environment.finalize((environment.getattr(l_3_r, 'of_target') or '—'))),
                        '</td>',
                    ))
                if environment.getattr(l_2_s, 'forecasts'):
                    pass
                    t_2.append(
                        '<td class="n',
                    )
                    if t_1(environment.getattr(l_3_r, 'forecast')):
                        pass
                        t_2.append(
                            ' empty',
                        )
                    t_2.extend((
                        '" data-label="',
                        escape(environment.finalize(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'pipeline_forecast'))),
                        '">',
                        escape(environment.finalize((environment.getattr(l_3_r, 'forecast') or '—'))),
                        '</td>',
                    ))
                t_2.append(
                    '</tr>\n',
                )
            l_3_r = missing
            t_2.append(
                '</tbody>\n</table>\n</section>\n',
            )
        l_2_s = l_2_t = missing
        return concat(t_2)
    context.exported_vars.add('product_actuals')
    context.vars['product_actuals'] = l_0_product_actuals = Macro(environment, macro, 'product_actuals', ('sections',), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '4=18&5=23&6=29&7=31&9=37&11=69&12=74'
