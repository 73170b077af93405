"""The on-disk unit cache: hits, misses, a stale entry never used, a bad entry never trusted."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import run_planc
from planc.checks import check_directory
from planc.core.cache import UnitCache, _decode, _encode, default_folder, entry_key
from planc.core.frontend import FileUnit
from planc.core.pipeline import CheckResult


def _summary(result: CheckResult) -> list[tuple[str, str, str, int, int]]:
    return [
        (d.code, d.message, d.span.path, d.span.line, d.span.col)
        for d in result.diagnostics
        if d.span is not None
    ]


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def _break_north(plan: Path) -> None:
    north = plan / "regions" / "north.yaml"
    text = north.read_text(encoding="utf-8")
    north.write_text(text.replace("owner: ned\n", "owner: nobody\n", 1), encoding="utf-8")


def test_a_second_check_reads_every_file_from_the_cache(mini_plan: Path, tmp_path: Path) -> None:
    store = UnitCache(tmp_path / "cache")
    cold = check_directory(mini_plan, store=store)
    assert (store.hits, store.misses, store.written) == (0, 3, 3)
    assert len(_entries(tmp_path / "cache")) == 3
    warm_store = UnitCache(tmp_path / "cache")
    warm = check_directory(mini_plan, store=warm_store)
    assert (warm_store.hits, warm_store.misses, warm_store.written) == (3, 0, 0)
    assert cold.plan == warm.plan
    assert _summary(cold) == _summary(warm)


def test_an_edited_file_misses_and_the_stale_entry_is_never_used(
    mini_plan: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    check_directory(mini_plan, store=UnitCache(folder))
    _break_north(mini_plan)
    store = UnitCache(folder)
    result = check_directory(mini_plan, store=store)
    assert (store.hits, store.misses) == (2, 1)
    fresh = check_directory(mini_plan)
    assert _summary(result) == _summary(fresh)
    assert "PLC201" in {code for code, *_ in _summary(result)}


def test_a_stale_entry_under_the_new_name_is_ignored(mini_plan: Path, tmp_path: Path) -> None:
    """An entry copied over the name the edited file now has says another digest inside."""
    folder = tmp_path / "cache"
    check_directory(mini_plan, store=UnitCache(folder))
    before = {p.name: p.read_bytes() for p in _entries(folder)}
    _break_north(mini_plan)
    probe = UnitCache(tmp_path / "probe")
    check_directory(mini_plan, store=probe)
    (new_name,) = {p.name for p in _entries(tmp_path / "probe")} - set(before)
    stale = next(v for k, v in before.items() if b"north.yaml" in v and k != new_name)
    (folder / new_name).write_bytes(stale)
    store = UnitCache(folder)
    result = check_directory(mini_plan, store=store)
    assert store.ignored == 1 and store.hits == 2
    assert "PLC201" in {code for code, *_ in _summary(result)}


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # torn
        lambda text: "\x00\x01 not json",
        lambda text: json.dumps([1, 2, 3]),
        lambda text: text.replace('"planc":"', '"planc":"0.0.0-', 1),  # another planc
        lambda text: text.replace('"kind":"region"', '"kind":"regio"', 1),  # not schema-valid
        lambda text: text.replace('"diagnostics":[', '"diagnostics":[["PLC001","fatal"', 1),
    ],
    ids=["torn", "garbage", "not-an-entry", "foreign-version", "bad-data", "bad-diagnostic"],
)
def test_a_damaged_entry_is_ignored(mini_plan: Path, tmp_path: Path, damage: Any) -> None:
    folder = tmp_path / "cache"
    clean = check_directory(mini_plan, store=UnitCache(folder))
    damaged = 0
    for entry in _entries(folder):
        text = entry.read_text(encoding="utf-8")
        damaged += damage(text) != text
        entry.write_text(damage(text), encoding="utf-8")
    assert damaged
    store = UnitCache(folder)
    result = check_directory(mini_plan, store=store)
    assert (store.ignored, store.hits) == (damaged, 3 - damaged)
    assert _summary(result) == _summary(clean) and result.plan == clean.plan


def test_numbers_keep_their_exact_digits() -> None:
    data = {
        "kind": "region",
        "a": Decimal("1."),
        "b": Decimal("4.50"),
        "c": Decimal("-0.0"),
        "d": Decimal("1.5e3"),
        "e": 12345678901234567890,
        "f": ["1E+0", "text", None, True],
    }
    unit = FileUnit("x.yaml", "d" * 40, data, ())
    text = _encode(unit)
    assert text is not None
    decoded = json.loads(text, parse_float=Decimal)["data"]
    assert decoded == data
    for key in "abcd":
        assert type(decoded[key]) is Decimal
        assert decoded[key].as_tuple() == data[key].as_tuple()


def test_a_string_that_looks_like_a_number_mark_is_not_cached() -> None:
    # A value of the file's own that reads like the cache's mark for a number: no entry at all.
    unit = FileUnit("x.yaml", "d" * 40, {"name": "\x001E+0", "value": Decimal("2.5")}, ())
    assert _encode(unit) is None


def test_an_entry_for_another_digest_is_foreign() -> None:
    unit = FileUnit("x.yaml", "a" * 40, None, ())
    text = _encode(unit)
    assert text is not None
    assert _decode(text, "a" * 40) is not None
    assert _decode(text, "b" * 40) is None
    assert entry_key("a" * 40) != entry_key("b" * 40)


def test_the_folder_stays_bounded_least_recently_used_first(
    mini_plan: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    (folder).mkdir()
    (folder / "notes.txt").write_text("not ours", encoding="utf-8")
    check_directory(mini_plan, store=UnitCache(folder, max_entries=2))
    assert len(_entries(folder)) == 2
    assert (folder / "notes.txt").exists()


def test_the_default_folder_is_inside_dot_git_else_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLANC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    plan = repo / "plans" / "2027-Q1"
    plan.mkdir(parents=True)
    assert default_folder(plan) == repo / ".git" / "planc" / "cache"
    outside = tmp_path / "loose" / "2027-Q1"
    outside.mkdir(parents=True)
    if not any((p / ".git").exists() for p in outside.parents):
        assert default_folder(outside).parent in {tmp_path / "xdg", Path.home() / ".cache"}
    monkeypatch.setenv("PLANC_CACHE_DIR", str(tmp_path / "chosen"))
    assert default_folder(plan) == tmp_path / "chosen"


def test_the_command_line_options(mini_plan: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cold = run_planc("check", mini_plan, "--format", "json", "--cache-dir", folder)
    assert len(_entries(folder)) == 3
    warm = run_planc("check", mini_plan, "--format", "json", "--cache-dir", folder)
    assert (cold.code, cold.stdout) == (warm.code, warm.stdout)
    shutil.rmtree(folder)
    off = run_planc("check", mini_plan, "--no-cache", "--cache-dir", folder)
    assert off.code == 0 and not folder.exists()
    env = run_planc("check", mini_plan, env={"PLANC_CACHE_DIR": str(tmp_path / "env")})
    assert env.code == 0 and len(_entries(tmp_path / "env")) == 3


def test_another_schema_or_loader_finds_no_entry(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key covers the schema and the code that makes units, not only the version."""
    from planc.core import cache

    folder = tmp_path / "cache"
    check_directory(mini_plan, store=UnitCache(folder))
    monkeypatch.setattr(cache, "schema_digest", lambda: "0" * 32)
    store = UnitCache(folder)
    check_directory(mini_plan, store=store)
    assert (store.hits, store.misses, store.ignored) == (0, 3, 0)
    for entry in _entries(folder):  # an old entry under a new name is still refused
        text = entry.read_text(encoding="utf-8")
        digest = json.loads(text)["digest"]
        assert cache._decode(text, digest) is None or '"schema":"' + "0" * 32 in text
