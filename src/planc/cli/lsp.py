"""``planc lsp``: the language server, over stdin and stdout (an editor starts it)."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "--stdio",
    is_flag=True,
    help="Talk over stdin and stdout (the default and only transport; accepted because "
    "editors' LSP clients often pass it).",
)
def lsp(stdio: bool) -> None:
    """Start the language server: diagnostics, hover, completion and fixes in the editor.

    Editors start it themselves (see docs/editors.md for VS Code, Neovim and
    Helix); it compiles the quarter of every plan file you open, from the
    editor's unsaved text, with the same checks and codes as planc check.
    Needs the lsp extra: pip install 'planc[lsp]'.
    """
    del stdio  # stdio is the only transport
    try:
        from planc.lsp.server import serve
    except ModuleNotFoundError as error:
        from planc.core.extras import MissingExtra

        if (error.name or "").partition(".")[0] in ("pygls", "lsprotocol", "cattrs"):
            raise MissingExtra("planc lsp", "lsp", error.name) from None
        raise
    from planc.cli import debug_requested

    serve(debug=debug_requested())
