"""Where planc's shipped files live: the one place that knows.

A source checkout (editable install, tests) reads the repository's top-level
``schema/`` and ``templates/``; a wheel carries copies under ``planc/_data/``
(see ``setup.py``). Everything else asks this module.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder ``schema`` or ``templates``, from the wheel or the checkout."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"planc is installed without its {name}/ folder")


def schema_path() -> Path:
    """The plan JSON Schema (draft-07)."""
    return data_dir("schema") / "plan.schema.json"
