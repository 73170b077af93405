"""The page templates compiled to Python ahead of time (planc.site.templating)."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

from conftest import MINI, REPO
from planc.checks import check_directory
from planc.core.resources import data_dir
from planc.site import render, templating
from planc.site.render import RenderOptions, build_pages, environment
from planc.site.templating import OPTIONS, CompiledLoader, generated, template_loader

COMPILED = REPO / "src" / "planc" / "site" / "_templates"


def test_the_compiled_templates_are_fresh() -> None:
    """The committed modules are those templates/ compiles to now (else `bash scripts/docs.sh`)."""
    made = generated(data_dir("templates"))
    committed = {p.name: p.read_text(encoding="utf-8") for p in COMPILED.glob("*.py")}
    assert committed == made, f"{COMPILED} is stale: bash scripts/docs.sh"


@pytest.fixture
def fresh_environment() -> object:
    environment.cache_clear()
    yield
    environment.cache_clear()


@pytest.mark.usefixtures("fresh_environment")
def test_a_render_compiles_no_template(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page renders from the compiled modules: Jinja compiles nothing at run time."""

    def refused(*args: object, **kwargs: object) -> object:
        raise AssertionError("a template was compiled at run time")

    monkeypatch.setattr(jinja2.Environment, "compile", refused)
    assert isinstance(environment().loader, CompiledLoader)
    result = check_directory(MINI)
    pages = list(build_pages(result, RenderOptions()))
    assert {page.template for page in pages} == {"index.html.j2", "node.html.j2", "rep.html.j2"}
    for page in pages:
        assert render.render_page(page).startswith("<!DOCTYPE html>")


def _pages(loader: jinja2.BaseLoader) -> dict[str, str]:
    env = jinja2.Environment(loader=loader, **OPTIONS)
    env.globals.update(environment().globals)  # the stylesheet
    result = check_directory(MINI)
    return {
        page.path: env.get_template(page.template).render(page.context)
        for page in build_pages(result, RenderOptions())
    }


def test_compiled_templates_render_what_templates_do() -> None:
    folder = data_dir("templates")
    compiled = template_loader(folder)
    assert isinstance(compiled, CompiledLoader)
    assert _pages(compiled) == _pages(jinja2.FileSystemLoader(folder))


def test_an_edited_template_is_compiled_at_run_time(tmp_path: Path) -> None:
    """A template that is not what the modules were made from: the folder's, at run time."""
    folder = tmp_path / "templates"
    shutil.copytree(data_dir("templates"), folder)
    assert isinstance(template_loader(folder), CompiledLoader)
    path = folder / "base.html.j2"
    path.write_text(path.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    loader = template_loader(folder)
    assert isinstance(loader, jinja2.FileSystemLoader)
    pages = _pages(loader)
    assert pages and all(page.endswith("<!-- edited -->\n") for page in pages.values())


@pytest.mark.parametrize(
    "package",
    [
        None,  # no compiled package (a planc built without it)
        SimpleNamespace(DIGEST="0" * 64, MODULES={}),  # made from other templates or Jinja
        SimpleNamespace(MODULES={}),
    ],
)
def test_without_fresh_modules_the_folder_is_compiled(package: object) -> None:
    loader = template_loader(data_dir("templates"), lambda: package)  # type: ignore[arg-type,return-value]
    assert isinstance(loader, jinja2.FileSystemLoader)


def test_the_digest_covers_jinja_and_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = data_dir("templates")
    before = templating.source_digest(folder)
    monkeypatch.setattr(jinja2, "__version__", "0.0")
    assert templating.source_digest(folder) != before
    monkeypatch.undo()
    monkeypatch.setitem(OPTIONS, "trim_blocks", False)
    assert templating.source_digest(folder) != before


def test_each_environment_has_modules_of_its_own() -> None:
    """Jinja binds a compiled module's code to the environment it is loaded into: two
    environments never share one (each renders with its own globals)."""
    loader = template_loader(data_dir("templates"))
    first = jinja2.Environment(loader=loader, **OPTIONS)
    second = jinja2.Environment(loader=loader, **OPTIONS)
    one, two = first.get_template("base.html.j2"), second.get_template("base.html.j2")
    assert one.environment is first and two.environment is second
    assert one.root_render_func.__globals__["environment"] is first
    assert two.root_render_func.__globals__["environment"] is second
