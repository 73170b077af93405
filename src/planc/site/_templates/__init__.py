"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""

DIGEST = 'ff31fe8341c6487da460c07d0285c52a17eda8b645e56e3d5f2ef065064a05dd'
MODULES = {
    '_macros.html.j2': 't__macros_html_j2',
    '_product_actuals.html.j2': 't__product_actuals_html_j2',
    'base.html.j2': 't_base_html_j2',
    'index.html.j2': 't_index_html_j2',
    'node.html.j2': 't_node_html_j2',
    'rep.html.j2': 't_rep_html_j2',
}
