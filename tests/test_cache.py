"""The on-disk unit cache: hits, misses, a stale entry never used, a bad entry never trusted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import run_planc
from planc.checks import check_directory
from planc.core.cache import (
    StatCache,
    UnitCache,
    _decode,
    _encode,
    _record_key,
    default_folder,
    entry_key,
)
from planc.core.frontend import FileUnit, unit_digest
from planc.core.loader import DEFAULT_MAX_BYTES
from planc.core.pipeline import CheckResult, read_directory


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


def test_an_entry_from_the_texts_of_a_units_data_is_the_encoded_one(tmp_path: Path) -> None:
    """A unit put with its data's JSON text (a unit read from a team record) is written as
    a unit encoded here would be, byte for byte."""
    from planc.checks.partition import FromRecord

    teams = [{"id": "t1", "n": Decimal("4.50")}, {"id": "t2", "n": Decimal("1e3")}]
    data = {"kind": "region", "region": {"id": "r", "teams": teams, "m": Decimal("1.")}}
    unit = FileUnit("r.yaml", "d" * 40, data, ())
    texts = ['{"id":"t1","n":4.50E+0}', '{"id":"t2","n":1E+3}']
    rest = '{"kind":"region","region":{"id":"r","teams":[],"m":1E+0}}'
    made = FromRecord(unit, None, rest, texts)
    text = made.data_text()
    assert text is not None
    encoded, spliced = UnitCache(tmp_path / "a"), UnitCache(tmp_path / "b")
    encoded.put(unit)
    spliced.put(unit, text)
    written = [_entries(store.folder) for store in (encoded, spliced)]
    assert [p.name for p in written[0]] == [p.name for p in written[1]]
    assert written[0][0].read_bytes() == written[1][0].read_bytes() == _encode(unit).encode()
    # a rest whose empty team list is not there exactly once: no text (the unit is encoded)
    twice = '{"kind":"region","teams":[],"region":{"id":"r","teams":[],"m":1E+0}}'
    assert FromRecord(unit, None, twice, texts).data_text() is None
    assert FromRecord(unit, None, '{"kind":"region"}', texts).data_text() is None


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_a_decoded_unit_holds_each_distinct_string_once(mini_plan: Path, tmp_path: Path) -> None:
    # json.loads makes a new string per value; a unit read back must be as compact as a
    # freshly loaded one (a 50,000-rep render with a filled cache held 130 MiB more)
    store = UnitCache(tmp_path / "cache")
    check_directory(mini_plan, store=store)
    source = next(s for s in read_directory(mini_plan, DEFAULT_MAX_BYTES)[0] if "north" in s.path)
    unit = UnitCache(tmp_path / "cache").get(unit_digest(source.path, source.data))
    assert unit is not None and unit.data is not None
    values = _strings(unit.data)
    assert len(values) > len(set(values))  # the fixture repeats values (ids, enum words)
    first: dict[str, str] = {}
    for value in values:
        assert first.setdefault(value, value) is value
        if len(value) <= 32:
            assert sys.intern(value) is value


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
    # the quarter file's unit, two region results and the record that their ids are disjoint
    assert len(_entries(folder)) == 4
    assert sum(p.read_text().startswith('{"record":"ids:') for p in _entries(folder)) == 1
    warm = run_planc("check", mini_plan, "--format", "json", "--cache-dir", folder)
    assert (cold.code, cold.stdout) == (warm.code, warm.stdout)
    shutil.rmtree(folder)
    off = run_planc("check", mini_plan, "--no-cache", "--cache-dir", folder)
    assert off.code == 0 and not folder.exists()
    env = run_planc("check", mini_plan, env={"PLANC_CACHE_DIR": str(tmp_path / "env")})
    # as above; beside them the stat record, once the files are old enough
    stat = (
        tmp_path
        / "env"
        / f"{_record_key(StatCache.open(UnitCache(folder), mini_plan, DEFAULT_MAX_BYTES).name)}.json"
    )
    assert env.code == 0 and len(set(_entries(tmp_path / "env")) - {stat}) == 4


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


# --- the stat cache: a file whose stat is unchanged is not hashed again -------------------


def _stat_pass(plan: Path, folder: Path) -> tuple[StatCache, dict[str, str]]:
    """What ``check_directory(whole=False)`` does with a UnitCache: each file's stat, then
    its bytes read, then digest."""
    stats = StatCache.open(UnitCache(folder), plan, DEFAULT_MAX_BYTES)
    sources, _ = read_directory(plan, DEFAULT_MAX_BYTES, stats.reading)
    digests = {s.path: stats.digest(s) for s in sources}
    for s in sources:  # whatever the stat said, the digest is the bytes' own
        assert digests[s.path] == unit_digest(s.path, s.data, DEFAULT_MAX_BYTES)
    stats.save({s.path for s in sources})
    return stats, digests


@pytest.fixture
def old_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test are milliseconds old: let the stat vouch for them."""
    monkeypatch.setattr("planc.core.cache.STAT_WINDOW_NS", 0)


@pytest.mark.usefixtures("old_enough")
def test_an_unchanged_stat_is_not_hashed_again(mini_plan: Path, tmp_path: Path) -> None:
    first, _ = _stat_pass(mini_plan, tmp_path / "cache")
    assert len(first.hashed) == 3
    second, _ = _stat_pass(mini_plan, tmp_path / "cache")
    assert second.hashed == []
    north = mini_plan / "regions" / "north.yaml"
    north.write_bytes(north.read_bytes() + b"# more\n")
    third, _ = _stat_pass(mini_plan, tmp_path / "cache")
    assert [Path(p).name for p in third.hashed] == ["north.yaml"]


@pytest.mark.usefixtures("old_enough")
@pytest.mark.parametrize("how", ["in place", "replaced"])
def test_an_edit_that_keeps_size_and_mtime_is_still_caught(
    mini_plan: Path, tmp_path: Path, how: str
) -> None:
    """``touch -d`` puts the old mtime back; the ctime (and for a new file the inode)
    still moves, which no user can set."""
    north = mini_plan / "regions" / "north.yaml"
    _stat_pass(mini_plan, tmp_path / "cache")
    before = north.stat()
    data = north.read_bytes()
    edited = data.replace(b"owner: ned\n", b"owner: nex\n", 1)
    assert len(edited) == len(data) and edited != data
    if how == "in place":
        north.write_bytes(edited)
    else:
        (north.parent / "new.tmp").write_bytes(edited)
        (north.parent / "new.tmp").replace(north)
    os.utime(north, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (north.stat().st_size, north.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    stats, digests = _stat_pass(mini_plan, tmp_path / "cache")
    assert [Path(p).name for p in stats.hashed] == ["north.yaml"]
    sources, _ = read_directory(mini_plan)
    (source,) = [s for s in sources if s.path.endswith("north.yaml")]
    assert digests[source.path] == unit_digest(source.path, edited, DEFAULT_MAX_BYTES)


@pytest.mark.usefixtures("old_enough")
def test_an_edit_while_the_file_is_read_is_never_vouched_for(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stat kept beside a file's digest is the one taken before its bytes were read: a
    file replaced just as its read ends (same size, same mtime) is hashed again next time,
    never taken for the bytes read before the edit."""
    import planc.core.pipeline

    north = mini_plan / "regions" / "north.yaml"
    data = north.read_bytes()
    edited = data.replace(b"owner: ned\n", b"owner: nex\n", 1)
    assert len(edited) == len(data) and edited != data
    real = planc.core.pipeline.read_regular

    def edited_as_read(path: Path, *args: Any, **kwargs: Any) -> bytes:
        found = real(path, *args, **kwargs)
        if path == north and found == data:  # the edit lands right after the bytes were read
            before = north.stat()
            (north.parent / "new.tmp").write_bytes(edited)
            (north.parent / "new.tmp").replace(north)
            os.utime(north, ns=(before.st_atime_ns, before.st_mtime_ns))
        return found

    with monkeypatch.context() as reading:
        reading.setattr(planc.core.pipeline, "read_regular", edited_as_read)
        first, _ = _stat_pass(mini_plan, tmp_path / "cache")
    assert north.read_bytes() == edited and len(first.hashed) == 3
    again, digests = _stat_pass(mini_plan, tmp_path / "cache")
    assert [Path(p).name for p in again.hashed] == ["north.yaml"]
    (name,) = [p for p in digests if p.endswith("north.yaml")]
    assert digests[name] == unit_digest(name, edited, DEFAULT_MAX_BYTES)


def test_a_stat_younger_than_the_window_is_hashed_and_not_kept(
    mini_plan: Path, tmp_path: Path
) -> None:
    """git's racy case: an edit within the timestamp tick of the last hash keeps the stat."""
    first, _ = _stat_pass(mini_plan, tmp_path / "cache")
    second, _ = _stat_pass(mini_plan, tmp_path / "cache")
    assert len(first.hashed) == len(second.hashed) == 3  # just written: too young to vouch
    assert second.entries == {}


@pytest.mark.usefixtures("old_enough")
@pytest.mark.parametrize(
    "damage",
    [
        lambda entries: "not a mapping",
        lambda entries: {path: entry[:5] for path, entry in entries.items()},
        lambda entries: {path: [*entry[:5], "x" * 40] for path, entry in entries.items()},
        lambda entries: {path: [str(n) for n in entry] for path, entry in entries.items()},
    ],
)
def test_a_damaged_stat_record_is_ignored(mini_plan: Path, tmp_path: Path, damage: Any) -> None:
    first, _ = _stat_pass(mini_plan, tmp_path / "cache")
    store = UnitCache(tmp_path / "cache")
    store.put_record(first.name, first.sealed(damage(first.entries)))  # sealed, yet refused
    again, _ = _stat_pass(mini_plan, tmp_path / "cache")
    assert len(again.hashed) == 3


@pytest.mark.usefixtures("old_enough")
def test_a_stat_record_sealed_elsewhere_is_ignored(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record restored from another machine's cache (another key), or one whose entries
    were changed after sealing, could tie a file's stat to other bytes' digest: never read."""
    first, _ = _stat_pass(mini_plan, tmp_path / "cache")
    store = UnitCache(tmp_path / "cache")
    assert _stat_pass(mini_plan, tmp_path / "cache")[0].hashed == []
    north = next(path for path in first.entries if path.endswith("north.yaml"))
    lying = {**first.entries, north: [*first.entries[north][:5], "0" * 40]}
    store.put_record(first.name, {"seal": first.sealed(first.entries)["seal"], "entries": lying})
    assert len(_stat_pass(mini_plan, tmp_path / "cache")[0].hashed) == 3
    for seal in ("é" * 64, "\ud800", 7):  # any text, or none: never a traceback
        store.put_record(first.name, {"seal": seal, "entries": first.entries})
        assert len(_stat_pass(mini_plan, tmp_path / "cache")[0].hashed) == 3
    _stat_pass(mini_plan, tmp_path / "cache")  # sealed again with this key
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "another-machine"))
    again, _ = _stat_pass(mini_plan, tmp_path / "cache")
    assert len(again.hashed) == 3 and again.key is not None and again.key != first.key


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG_STATE_HOME is Linux's")
def test_the_suite_keeps_its_key_and_cache_out_of_the_users_folders(
    tmp_path_factory: pytest.TempPathFactory, mini_plan: Path
) -> None:
    """conftest points planc's cache and state folders (the stat key) at this session's
    temporary folder, for planc here and for the planc processes the tests run."""
    from planc.core.cache import state_folder, user_cache_folder

    session = tmp_path_factory.getbasetemp()
    for folder in (state_folder(), user_cache_folder(), default_folder(mini_plan)):
        assert folder.is_relative_to(session)
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from planc.core.cache import state_folder, user_cache_folder\n"
            "print(state_folder()); print(user_cache_folder())",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()
    assert len(shown) == 2 and all(Path(line).is_relative_to(session) for line in shown)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG_STATE_HOME is Linux's")
@pytest.mark.usefixtures("old_enough")
def test_the_stat_key_is_private_and_never_inside_the_cache_folder(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planc.core.cache import stat_key

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    key = stat_key(tmp_path / "cache")
    made = tmp_path / "state" / "planc" / "stat-key"
    assert key is not None and made.read_bytes() == key and made.stat().st_mode & 0o077 == 0
    assert stat_key(tmp_path / "cache") == key  # made once, then read
    # a cache folder that holds the key (it would travel with the folder): no record at all
    inside, _ = _stat_pass(mini_plan, tmp_path / "state")
    again, _ = _stat_pass(mini_plan, tmp_path / "state")
    assert inside.key is None and len(again.hashed) == 3
    made.write_bytes(b"short")
    assert stat_key(tmp_path / "cache") is None


@pytest.mark.usefixtures("old_enough")
def test_the_check_with_the_stat_cache_finds_an_edit(mini_plan: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    check_directory(mini_plan, store=UnitCache(folder), whole=False)
    north = mini_plan / "regions" / "north.yaml"
    before = north.stat()
    data = north.read_bytes()
    north.write_bytes(data.replace(b"owner: ned\n", b"owner: nex\n", 1))
    os.utime(north, ns=(before.st_atime_ns, before.st_mtime_ns))
    warm = check_directory(mini_plan, store=UnitCache(folder), whole=False)
    assert _summary(warm) == _summary(check_directory(mini_plan))
    assert "PLC201" in {code for code, *_ in _summary(warm)}


def test_a_text_record_comes_back_as_written_and_only_under_its_name(tmp_path: Path) -> None:
    """Text records (a region file's teams, one JSON text a line) are entries like the
    others: read back under their own name only, never as a JSON record, nor one as text."""
    store = UnitCache(tmp_path / "cache")
    text = '{"a":1}\n["é","\\u2028"]\n\n3'
    store.put_text("teams:x", text)
    store.put_record("json:y", {"v": 1})
    assert store.get_text("teams:x") == text
    assert store.get_text("teams:other") is None
    assert store.get_record("teams:x") is None  # text is not a JSON record
    assert store.get_text("json:y") is None  # nor a JSON record text
    (entry,) = [
        p for p in (tmp_path / "cache").glob("*.json") if p.read_bytes().startswith(b'{"text"')
    ]
    for damage in (
        b"",
        b'{"text": "teams:x"}',
        b"\xff\xfe\n",
        b"[1]\nx",
        b'{"text": "teams:y"}\nx',
    ):
        entry.write_bytes(damage)
        assert store.get_text("teams:x") is None


@pytest.mark.usefixtures("old_enough")
def test_the_whole_compile_looks_units_up_by_the_stat_cache(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``check --base`` (the whole compile, with the cache): a file whose stat vouches for it
    is not hashed, its unit read from the cache; an edited file is hashed, compiled and its
    unit filed by its new bytes' digest; the results are the uncached compile's."""
    import planc.core.cache
    import planc.core.frontend

    hashed: list[str] = []

    def counted(path: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
        hashed.append(Path(path).name)
        return unit_digest(path, data, max_bytes)

    monkeypatch.setattr(planc.core.frontend, "unit_digest", counted)
    monkeypatch.setattr(planc.core.cache, "unit_digest", counted)
    folder = tmp_path / "cache"
    cold = check_directory(mini_plan, store=UnitCache(folder))
    assert hashed  # the stat cache learns each file, then the units are compiled
    hashed.clear()
    store = UnitCache(folder)
    warm = check_directory(mini_plan, store=store)
    assert hashed == []
    assert (store.hits, store.misses) == (3, 0)
    assert warm.plan == cold.plan and _summary(warm) == _summary(cold)
    _break_north(mini_plan)
    store = UnitCache(folder)
    edited = check_directory(mini_plan, store=store)
    assert set(hashed) == {"north.yaml"}
    assert (store.hits, store.misses) == (2, 1)
    plain = check_directory(mini_plan)
    assert _summary(edited) == _summary(plain) and edited.plan == plain.plan
    sources, _ = read_directory(mini_plan)
    (north,) = [s for s in sources if s.path.endswith("north.yaml")]
    kept = UnitCache(folder).get(unit_digest(north.path, north.data, DEFAULT_MAX_BYTES))
    assert kept is not None and kept.digest == unit_digest(north.path, north.data)


# --- files the stat cache vouches for are not even read -------------------------------


@pytest.mark.usefixtures("old_enough")
def test_a_warm_check_reads_only_the_files_whose_stat_changed(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import planc.core.pipeline

    read: list[str] = []
    real = planc.core.pipeline.read_regular

    def counted(path: Path | str, limit: int, shown: str | None = None) -> bytes:
        read.append(Path(path).name)
        return real(path, limit, shown)

    monkeypatch.setattr(planc.core.pipeline, "read_regular", counted)
    folder = tmp_path / "cache"
    check_directory(mini_plan, store=UnitCache(folder), whole=False)
    assert len(read) == 3
    read.clear()
    quiet = check_directory(mini_plan, store=UnitCache(folder), whole=False)
    assert read == [] and _summary(quiet) == _summary(check_directory(mini_plan))
    _break_north(mini_plan)  # a finding in north: its lines are read for the report
    read.clear()
    edited = check_directory(mini_plan, store=UnitCache(folder), whole=False)
    assert read == ["north.yaml"] and _summary(edited) == _summary(check_directory(mini_plan))
    (north,) = [s for p, s in edited.sources.items() if p.endswith("north.yaml")]
    assert "owner: nobody" in north.line_text(_summary(edited)[0][3])


@pytest.mark.usefixtures("old_enough")
def test_a_file_left_unread_and_edited_before_it_is_read_is_checked_as_edited(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same size, the old mtime put back, during the check: its bytes, read at last for
    the report, no longer match the stat that vouched for them, and every file is read
    again (never a report of other bytes' lines)."""
    import planc.checks

    _break_north(mini_plan)
    folder = tmp_path / "cache"
    check_directory(mini_plan, store=UnitCache(folder), whole=False)
    north = mini_plan / "regions" / "north.yaml"
    real = planc.checks.check_sources
    calls: list[int] = []

    def editing(*args: Any, **kwargs: Any) -> CheckResult:
        if not calls:  # the first pass: north was left unread; edit it now
            before = north.stat()
            data = north.read_bytes()
            north.write_bytes(data.replace(b"owner: nobody\n", b"owner: nobodz\n", 1))
            os.utime(north, ns=(before.st_atime_ns, before.st_mtime_ns))
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(planc.checks, "check_sources", editing)
    found = check_directory(mini_plan, store=UnitCache(folder), whole=False)
    assert len(calls) == 2  # read again, once
    assert _summary(found) == _summary(check_directory(mini_plan))
    assert "nobodz" in " ".join(message for _, message, *_ in _summary(found))


@pytest.mark.usefixtures("old_enough")
def test_a_file_left_unread_is_read_whole_and_only_as_vouched(tmp_path: Path) -> None:
    from planc.core.cache import StatCache, _vouching
    from planc.core.source import SourceChanged

    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "a.yaml").write_bytes(b"kind: region\n" + b"#" * 100_000 + b"\n")
    store = UnitCache(tmp_path / "cache")
    first = StatCache(store, "x", DEFAULT_MAX_BYTES, b"k" * 32)
    first.entries[str(plan / "a.yaml")] = [*(_vouching(plan / "a.yaml") or []), "0" * 40]
    unread = first.deferred(str(plan / "a.yaml"), plan / "a.yaml")
    assert unread is not None and not unread.is_read
    assert unread.head(5) == b"kind:" and not unread.is_read  # a first part only
    assert first.digest(unread) == "0" * 40 and first.hashed == []
    (plan / "a.yaml").write_bytes(b"kind: quarter\n" + b"#" * 99_999 + b"\n")  # same size
    with pytest.raises(SourceChanged):
        _ = unread.data


@pytest.mark.usefixtures("old_enough")
@pytest.mark.parametrize("how", ["deleted", "a FIFO"])
def test_a_file_left_unread_and_gone_before_it_is_read_is_no_internal_error(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A vouched file removed (or replaced by a FIFO) while the check runs: the check
    reports the folder as it was when the stat vouched for it, or as it is after (read
    again), never an internal error (FileNotFoundError or NotRegularFile out of the read
    of a file left unread; a first read would have reported PLC00x for it)."""
    import planc.checks

    if how == "a FIFO" and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    folder = tmp_path / "cache"
    before = _summary(check_directory(mini_plan, store=UnitCache(folder), whole=False))
    north = mini_plan / "regions" / "north.yaml"
    real = planc.checks.check_sources
    calls: list[int] = []

    def removing(*args: Any, **kwargs: Any) -> CheckResult:
        if not calls:  # the first pass: north was left unread; take it away now
            north.unlink()
            if how == "a FIFO":
                os.mkfifo(north)
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(planc.checks, "check_sources", removing)
    found = check_directory(mini_plan, store=UnitCache(folder), whole=False)
    assert _summary(found) in (before, _summary(check_directory(mini_plan)))
