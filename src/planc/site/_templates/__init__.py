"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""

DIGEST = '8a69ba2c0c667a289f0f64be391d9241e237e34b09fcd6c9de2be926db3cd752'
MODULES = {
    '_macros.html.j2': 't__macros_html_j2',
    '_product_actuals.html.j2': 't__product_actuals_html_j2',
    'base.html.j2': 't_base_html_j2',
    'index.html.j2': 't_index_html_j2',
    'node.html.j2': 't_node_html_j2',
    'rep.html.j2': 't_rep_html_j2',
}
