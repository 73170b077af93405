"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""

DIGEST = '3d9bdde660bcddbdc3413ee31396a40cb72fe4f643d43e22e198f92791add663'
MODULES = {
    '_macros.html.j2': 't__macros_html_j2',
    '_product_actuals.html.j2': 't__product_actuals_html_j2',
    'base.html.j2': 't_base_html_j2',
    'index.html.j2': 't_index_html_j2',
    'node.html.j2': 't_node_html_j2',
    'rep.html.j2': 't_rep_html_j2',
}
