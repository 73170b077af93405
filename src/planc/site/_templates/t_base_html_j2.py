"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'base.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_page = resolve('page')
    l_0_css = resolve('css')
    l_0_t = resolve('t')
    try:
        t_1 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<!DOCTYPE html>\n<html lang="'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'lang')))
    yield '">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; base-uri \'none\'; form-action \'none\'">\n<meta name="referrer" content="no-referrer">\n<meta name="robots" content="noindex, nofollow">\n<meta name="generator" content="'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'generator')))
    yield '">\n<title>'
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'title')))
    yield '</title>\n<style>\n'
    yield escape(environment.finalize((undefined(name='css') if l_0_css is missing else l_0_css)))
    yield '</style>\n</head>\n<body>\n<a class="skip" href="#main">'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'skip')))
    yield '</a>\n<header class="site">\n<div class="wrap">\n'
    if (not t_1(environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'home'))):
        pass
        yield '<a class="brand" href="'
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'home')))
        yield '">'
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'site')))
        yield '</a>\n'
    else:
        pass
        yield '<span class="brand">'
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'site')))
        yield '</span>\n'
    if environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'crumbs'):
        pass
        yield '<nav aria-label="'
        yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'page_nav')))
        yield '"><ol class="crumbs">\n'
        for l_1_crumb in environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'crumbs'):
            _loop_vars = {}
            pass
            yield '<li>'
            if (not t_1(environment.getattr(l_1_crumb, 'href'))):
                pass
                yield '<a href="'
                yield escape(environment.finalize(environment.getattr(l_1_crumb, 'href')))
                yield '">'
                yield escape(environment.finalize(environment.getattr(l_1_crumb, 'text')))
                yield '</a>'
            else:
                pass
                yield escape(environment.finalize(environment.getattr(l_1_crumb, 'text')))
            yield '</li>\n'
        l_1_crumb = missing
        yield '</ol></nav>\n'
    yield '</div>\n</header>\n<main id="main" class="wrap">\n'
    yield from context.blocks['main'][0](context)
    yield '</main>\n<footer class="wrap site-foot">\n<p>'
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'revision')))
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'colon')))
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'revision')))
    yield ' · '
    yield escape(environment.finalize(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'rendered_by')))
    yield ' ('
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='page') if l_0_page is missing else l_0_page), 'frame'), 'generator')))
    yield ')</p>\n</footer>\n</body>\n</html>\n'

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

blocks = {'main': block_main}
debug_info = '2=21&9=23&10=25&12=27&15=29&18=31&19=34&21=41&23=43&24=46&25=48&26=52&33=66&36=68&33=77'
