"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""

DIGEST = 'ed5d29d6adfd277cdf3a2bed91c159a68231003d4860dd9588eb3610dcce0e95'
MODULES = {
    '_macros.html.j2': 't__macros_html_j2',
    '_product_actuals.html.j2': 't__product_actuals_html_j2',
    'base.html.j2': 't_base_html_j2',
    'index.html.j2': 't_index_html_j2',
    'node.html.j2': 't_node_html_j2',
    'rep.html.j2': 't_rep_html_j2',
}
