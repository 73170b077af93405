"""``planc lsp``: the plan compiled as you type, in any editor that speaks LSP.

An output layer over ``core`` and ``checks``: :mod:`planc.lsp.session` keeps a
:class:`planc.core.frontend.Frontend` per quarter folder and compiles it from
the editor's buffers and the disk; :mod:`planc.lsp.features` answers hover,
completion, definitions, references, code actions and outlines from the last
model; :mod:`planc.lsp.server` is the pygls server (the only module that needs
the ``lsp`` extra at import, with :mod:`planc.lsp.features`).
"""
