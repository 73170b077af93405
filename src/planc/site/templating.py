"""The page templates compiled to Python ahead of time, shipped inside the package.

Jinja compiles a template to Python source, then to bytecode, the first time a
process renders it: for planc's templates about 0.3 s of CPU in every render,
before its first page (a render again of a large site spends about as long on the
few pages it writes). :func:`generated` makes that Python source once, from
``templates/`` (``bash scripts/docs.sh`` writes it to ``planc/site/_templates/``,
and ``tests/test_templating.py`` fails while it is stale): modules of the package
like any other, so an installed wheel has them compiled to bytecode by pip and
finds them by import, never in a folder anyone else writes (a bytecode cache in
planc's cache folder would be code read from an untrusted place).

They stand for the templates only while made from these very bytes, with this
Jinja and these options: :func:`template_loader` checks the digest recorded
beside them, and where it differs (a template edited, another Jinja) the
templates are compiled at run time from ``templates/``, as before.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
from collections.abc import Callable, MutableMapping
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

import jinja2

from planc.core.safetext import WITHOUT_CONTROLS


def page_text(value: Any) -> Any:
    """Every value a template writes (Jinja's ``finalize``, before it is escaped): text
    without control or bidi characters (:data:`planc.core.safetext.WITHOUT_CONTROLS`: the C0
    controls but TAB, LF and CR, DEL, the C1 controls and the bidi controls); anything else,
    markup too, as it is (a template's markup, a macro's output, is made of values that came
    through here; planc's own, the stylesheet, has none).

    A plan's author writes the names, notes, actions and products a site shows: an
    override there (``Ann\u202eeciffo``) would make a rep's page read differently from
    its bytes, in text and in attributes alike, and a control character is no text a page
    can hold (XML refuses it; a browser shows it, or not, as it likes). Escaping cannot show
    one in HTML; as the PR comment's markdown does, the page leaves them out. One place, for
    every page: a call for each value written, so printable text (nearly all) is returned
    first, and the rest is one ``str.translate``."""
    if type(value) is not str or value.isprintable():
        return value
    return value.translate(WITHOUT_CONTROLS)


#: the one set of options planc's environment has: the compiled code depends on them
OPTIONS: dict[str, Any] = {
    "finalize": page_text,
    "autoescape": True,
    "undefined": jinja2.StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
    "auto_reload": False,
}

PACKAGE = "planc.site._templates"
_HEADER = (
    '"""Made by planc.site.templating from templates/ (bash scripts/docs.sh): do not edit."""\n'
)


def template_names(folder: Path) -> list[str]:
    """Every template of ``folder`` (the pages and what they extend and import)."""
    return sorted(path.name for path in folder.glob("*.j2") if path.is_file())


def source_digest(folder: Path) -> str:
    """What the compiled templates are made from: each template's name and bytes, the
    Jinja version and the options (SHA-256)."""
    digest = hashlib.sha256()
    options = sorted((name, _option_text(value)) for name, value in OPTIONS.items())
    digest.update(f"jinja2={jinja2.__version__}\x00{options!r}\x00".encode())
    for name in template_names(folder):
        digest.update(name.encode() + b"\x00" + (folder / name).read_bytes() + b"\x00")
    return digest.hexdigest()


def _option_text(value: Any) -> str:
    """An option as the digest records it: a function by its name (its ``repr`` holds an
    address that differs in every process; the compiled code calls it by the option)."""
    if isinstance(value, FunctionType):
        return f"<function {value.__module__}.{value.__qualname__}>"
    return repr(value)


def module_name(template: str) -> str:
    """The module (in :data:`PACKAGE`) a template is compiled to."""
    return "t_" + re.sub(r"\W", "_", template)


def generated(folder: Path) -> dict[str, str]:
    """The files of :data:`PACKAGE` (file name -> text): each template of ``folder``
    compiled as Jinja compiles it at run time, and the digest they were made from."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), **OPTIONS)
    files: dict[str, str] = {}
    names = template_names(folder)
    for name in names:
        source = (folder / name).read_text(encoding="utf-8")
        code = env.compile(source, name, None, raw=True, defer_init=True)
        files[f"{module_name(name)}.py"] = _HEADER + str(code).rstrip("\n") + "\n"
    modules = "".join(f"    {name!r}: {module_name(name)!r},\n" for name in names)
    files["__init__.py"] = (
        f"{_HEADER}\nDIGEST = {source_digest(folder)!r}\nMODULES = {{\n{modules}}}\n"
    )
    return files


class CompiledLoader(jinja2.BaseLoader):
    """Templates from the modules of :data:`PACKAGE` (``modules``: template -> module)."""

    has_source_access = False

    def __init__(self, modules: dict[str, str]) -> None:
        self.modules = modules

    def load(
        self,
        environment: jinja2.Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        module = self.modules.get(name)
        if module is None:
            raise jinja2.TemplateNotFound(name)
        # a module of its own for each environment: Jinja binds the module's code to
        # the environment it is loaded into (as its ModuleLoader, which imports afresh)
        spec = importlib.util.find_spec(f"{PACKAGE}.{module}")
        if spec is None or spec.loader is None:
            raise jinja2.TemplateNotFound(name)
        code = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(code)
        return environment.template_class.from_module_dict(
            environment, code.__dict__, {} if globals is None else globals
        )


def template_loader(
    folder: Path, package: Callable[[], ModuleType | None] | None = None
) -> jinja2.BaseLoader:
    """The compiled templates where they were made from ``folder``'s templates as they are
    (with this Jinja and :data:`OPTIONS`); else ``folder``'s, compiled at run time."""
    found = (package or _package)()
    if found is not None and getattr(found, "DIGEST", None) == source_digest(folder):
        modules = getattr(found, "MODULES", None)
        if isinstance(modules, dict):
            return CompiledLoader(modules)
    return jinja2.FileSystemLoader(folder)


def _package() -> ModuleType | None:
    try:
        return importlib.import_module(PACKAGE)
    except ImportError:
        return None
