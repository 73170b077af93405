"""Optional dependencies: which extra brings which package, and the error that names it.

``pip install planc`` brings what ``planc check`` and ``planc render`` need.
The heavy packages come with extras (``pip install 'planc[track]'``); a module
that needs one raises :class:`MissingExtra` when it is absent, and the command
line turns that into one line naming the ``pip install`` to run (exit 2),
never an ImportError traceback.
"""

from __future__ import annotations

# The top-level module of each optional package, and the extra that installs it.
EXTRA_BY_MODULE = {
    "pandas": "track",
    "numpy": "track",
    "pyarrow": "parquet",
    "openpyxl": "export",
    "git": "git",
    "sqlalchemy": "warehouse",
    "duckdb": "warehouse",
    "babel": "site",
    "pygls": "lsp",
    "lsprotocol": "lsp",
}


class MissingExtra(ModuleNotFoundError):
    """A feature needs an optional package that is not installed."""

    def __init__(self, feature: str, extra: str, module: str | None = None) -> None:
        self.feature = feature
        self.extra = extra
        super().__init__(
            f"{feature} needs planc's '{extra}' extra, which is not installed: "
            f"pip install 'planc[{extra}]'",
            name=module,
        )


def missing_extra_for(error: ModuleNotFoundError) -> MissingExtra | None:
    """The extra behind a failed import of an optional package, if it is one of ours."""
    module = (error.name or "").partition(".")[0]
    extra = EXTRA_BY_MODULE.get(module)
    if extra is None:
        return None
    return MissingExtra(f"this command (it imports {module})", extra, module)
