"""The fast YAML path (yaml_rs + a conservative pre-scan) and the libyaml path agree exactly.

For every file planc's own tests and examples hold, for generated plans with
injected errors, and for hypothesis-made snippets built around every YAML trap
planc diagnoses: ``load_source`` gives the same values (same types, a Decimal
with the same digits and exponent), the same diagnostics and the same traps
whether the fast path is on or off; and the command line prints the same report.
Whatever the fast path accepts, the libyaml path finds nothing wrong with.
"""

from __future__ import annotations

import json
import re
import string
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, cli_modules
from planc.cli import cli
from planc.core import fastload
from planc.core.loader import LoadResult, load_source, reads_as_number
from planc.core.source import SourceFile

pytestmark = pytest.mark.skipif(
    not fastload.enabled(), reason="yaml_rs not installed (the `fast` extra)"
)


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types; Decimals with the same sign, digits and exponent."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Decimal):
        return a.as_tuple() == b.as_tuple()
    return bool(a == b)


def both(path: str, data: bytes) -> tuple[LoadResult, LoadResult, bool]:
    source = SourceFile(path, data)
    took_fast = fastload.fast_values(data, 64, reads_as_number) is not None
    return load_source(source), load_source(source, fast=False), took_fast


def assert_agree(path: str, data: bytes) -> bool:
    fast, slow, took_fast = both(path, data)
    assert same(fast.data, slow.data), path
    assert fast.diagnostics == slow.diagnostics, path
    assert fast.traps == slow.traps, path
    if took_fast:  # what the fast path vouches for, the libyaml path finds nothing wrong with
        assert [d.code for d in slow.diagnostics] in ([], ["PLC012"]), path
        assert not slow.traps, path
    return took_fast


def test_every_yaml_file_of_the_repository_loads_the_same_both_ways() -> None:
    files = [
        path
        for folder in ("tests", "plans", "examples", "docs")
        if (REPO / folder).is_dir()
        for path in sorted((REPO / folder).rglob("*.y*ml"))
    ]
    assert len(files) > 100
    fast = {path for path in files if assert_agree(str(path), path.read_bytes())}
    # Not vacuous: the example plan's region files take the fast path (the cases hold traps
    # on purpose; prose in comments can make the pre-scan refuse a file, which is safe).
    regions = sorted((REPO / "plans" / "2027-Q1" / "regions").glob("*.yaml"))
    assert regions and all(path in fast for path in regions), sorted(fast)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen") / "2027-Q1"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "600", str(root), "--errors", "40"],
        check=True,
        capture_output=True,
    )
    return root


def test_a_generated_plan_with_errors_loads_the_same_and_goes_fast(generated: Path) -> None:
    files = sorted(generated.rglob("*.yaml"))
    assert len(files) >= 2
    took_fast = [assert_agree(str(path), path.read_bytes()) for path in files]  # every file
    assert all(took_fast), list(zip(files, took_fast, strict=True))


def test_check_reports_the_same_diagnostics_and_positions_either_way(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def report(flag: str) -> Any:
        monkeypatch.setenv("PLANC_FAST_YAML", flag)
        result = CliRunner().invoke(cli, ["check", str(generated), "--no-cache", "-f", "json"])
        assert result.exit_code == 1, result.output
        return json.loads(result.output)

    fast, slow = report("1"), report("0")
    assert fast == slow
    assert len(fast["diagnostics"]) >= 40


TRAPS = [
    "no", "No", "NO", "yes", "on", "Off", "y", "n", "010", "-010", "+07", "00", "0",
    "-0", "1e6", "1E+6", "1.5e3", ".5e1", "1_000", "_1", "1_0.5", "1:30", "-1:30:00",
    ".inf", "-.Inf", ".NaN", ".nan", "1.50", "4.0", "5.", "-5.", ".5", "-.5", "0.5",
    "4.3", "0x1F", "0o17", "0b101", "+5", "1,000", "1,000,000", "50%", "2027-03-20",
    "12345678901234567", "999999999999999", "1000000000000000", "0.0000001",
    "1234567.123456", "1.0000001", "123456789012.345", "~", "null", "Null", "true",
    "TRUE", "False", "", "x", "r01-t001", "a.50", "v1.0", "wang-lei", "华东区", "R&D",
    "Q1!", "a#b", "a # c", "'q'", '"q"', "*a", "&a x", "!!str 5", "!!int 5", "<<",
    "@x", "`x`", "a: b", "- x", "[1, 2]", "{a: 1}", "[1,000]", "{v: 1,000}", "a\tb",
    "_0", "_1.5", "1__0", ":0", "=", "-", "inf", "nan", "0.", "+.5", "a :b",
    '"no"', "'010'", '"1.50"', '"a\\u00e9"', "'it''s'", '"two\n   lines"', "'two\n\n  x'",
    '"x" y', "x 'y'", "O'Brien", '"a # b"', '""', "''",
]  # fmt: skip
KEYS = ["value", "id", "no", "1", "010", "1.5", "null", "true", "~", "a b", "<<", "v"]


def snippet(items: list[tuple[str, str, int]]) -> str:
    lines = ["# yaml-language-server: $schema=x", "planc: 1"]
    for key, value, form in items:
        if form == 0:
            lines.append(f"{key}: {value}")
        elif form == 1:
            lines.append(f"{key}:\n  - {value}\n  - {value}")
        elif form == 2:
            lines.append(f"{key}: [{value}, {value}]")
        elif form == 3:
            lines.append(f"{key}: {{a: {value}, b: {value}}}")
        elif form == 4:
            lines.append(f"{key}:\n  inner: {value}")
        else:  # a trap in a comment: cut from the token rules, never read by either path
            lines.append(f"{key}: [{value}, x]  # {value} {value}\n# {value}")
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(KEYS), st.from_regex(r"[a-z][a-z_0-9]{0,6}", fullmatch=True)),
            st.one_of(
                st.sampled_from(TRAPS),
                st.from_regex(r"[-+.0-9a-z_ ,:eE]{1,12}", fullmatch=True),
                st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
                st.integers(-(10**17), 10**17).map(str),
            ),
            st.integers(0, 5),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_snippets_around_the_traps_load_the_same_both_ways(
    items: list[tuple[str, str, int]],
) -> None:
    assert_agree("snippet.yaml", snippet(items).encode("utf-8"))


def test_every_punctuation_start_in_every_context_loads_the_same_both_ways() -> None:
    """Where YAML 1.2 (yaml_rs) and 1.1 (libyaml) differ at the start of a plain scalar:
    found this way, `[:0]` (text for yaml_rs, an error for libyaml) and `_0` (an int for
    yaml_rs). Every token of one or two characters, in block and flow contexts."""
    tokens = {a + b for a in string.punctuation for b in ("", "x", "0", "1", a, "_1", "e1")}
    tokens |= {"inf", "nan", "Infinity", "1__0", "0.", "1.e5", "1.5E+3", "+_1", "_", "1_"}
    tokens |= {
        "_.5",
        "0_0",
        "e1",
        "1E5",
        "1e-5",
        "0b1",
        "0o7",
        "0x1",
        "1:2",
        "+00",
        "\u0663",
        "\uff11",
    }
    contexts = ["[{t}]", "[{t}, y]", "{{a: {t}}}", "{{{t}: 1}}", "a: {t}", "- {t}", "{t}: x"]
    contexts += ["a: [ {t} ]", "a: x {t}", "a: {t} x"]
    fast = sum(
        assert_agree("token.yaml", f"planc: 1\n{context.format(t=token)}\n".encode())
        for token in sorted(tokens)
        for context in contexts
    )
    assert fast > 300  # the plain ones go fast; the rest is refused, never read differently


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_load_the_same_both_ways(data: bytes) -> None:
    assert_agree("bytes.yaml", b"planc: 1\nkind: region\nx: " + data)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key: yaml_rs refuses, libyaml's path explains
        "a: &x [1]\nb: *x\n",
        "a: !!python/object:os.system x\n",
        "\ufeffa: 1\n",
        "a: 1\r\nb: 2\r\n",
        "a: 1\n---\nb: 2\n",
        "a: " + "[" * 70 + "]" * 70 + "\n",
        "a:\tb\n",
        "a: x\u2028y\n",
        "a: x\x85y\n",
        "id: [E:, E:]\n",  # a key without a value in a flow: a mapping in 1.2, an error in 1.1
        "id: [a:]\n",
        "id: {a:, b: 1}\n",
        "id: {a: 1, b:}\n",
    ],
)
def test_what_the_fast_path_refuses_is_diagnosed_as_before(text: str) -> None:
    data = text.encode("utf-8")
    assert fastload.fast_values(data, 64, reads_as_number) is None
    assert_agree("refused.yaml", data)


@pytest.mark.parametrize(
    "data",
    [
        b"a: \xff\n",  # no UTF-8 lead byte
        b"a: \xc3\n",  # cut short
        b"a: \xc3(\n",  # a continuation byte missing
        b"a: \xc0\xaf\n",  # overlong
        b"a: \xed\xa0\x80\n",  # a surrogate
        b"a: \xf4\x90\x80\x80\n",  # past U+10FFFF
        b"a: \xe6\x97\xa5\xe6\x9c\n",  # a CJK character, then half of one at the end
    ],
)
def test_bytes_that_are_not_utf8_are_refused_and_diagnosed_as_before(data: bytes) -> None:
    """yaml_rs is given the bytes and told to be strict (its default reads them as U+FFFD)."""
    assert fastload.fast_values(data, 64, reads_as_number) is None
    assert_agree("latin.yaml", data)


def test_utf8_text_reads_the_same_from_the_bytes() -> None:
    data = "name: 华东区\nowner: zoë\nnote: naïve — “quoted” ✓ 😀\n".encode()
    assert fastload.fast_values(data, 64, reads_as_number) == {
        "name": "华东区",
        "owner": "zoë",
        "note": "naïve — “quoted” ✓ 😀",
    }
    assert assert_agree("utf8.yaml", data)


@pytest.mark.parametrize(
    "text",
    [
        "a: 4.3\nb: wang-lei\nc: [1, 2, -7]\nd: {e: 2027-03-20, f: 0}\n",
        'name: "East"\nowner: O\'Brien\nnote: a sentence, with commas\n',
        "x:\n  - 0.25\n  - -0.5\n  - .5\n  - 999999999999999\n",
    ],
)
def test_plain_files_take_the_fast_path_with_the_same_values(text: str) -> None:
    data = text.encode("utf-8")
    assert fastload.fast_values(data, 64, reads_as_number) is not None
    assert assert_agree("plain.yaml", data)


# --- the pre-scan is its rules, only faster ----------------------------------------------

_TOKEN_START = rb"[\n \[{,]"
_PLAIN_RULES = [
    re.compile(rb"[\\\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"),  # escapes, tabs, CR, controls
    re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbb\xbf|\xef\xbf[\xbe\xbf]"),
    re.compile(rb"\n(?:---|\.\.\.|%)"),  # document markers, directives
    re.compile(rb":[,\]}]"),  # a key without a value before a flow indicator: `[a:]`
    re.compile(_TOKEN_START + rb"[!&*?|<>:]"),  # tags, anchors, aliases, `?`, blocks, `<<`, `:`
    re.compile(_TOKEN_START + rb"[-+]?0[0-9xXoObB]"),  # leading zeros, radix
    re.compile(rb"[0-9.]{16}"),  # past a float's exact digits
    re.compile(_TOKEN_START + rb"[-+]?[0-9._]*(?:[0-9.]_|_[0-9.])"),  # digit separators
    re.compile(_TOKEN_START + rb"[-+]?[0-9.]+[eE]"),  # exponents
    # a decimal a float cannot give back: `1.50`, `.50`, `5.`
    re.compile(_TOKEN_START + rb"[-+]?(?:[0-9]+\.(?:[0-9]*0)?|\.[0-9]*0)(?![0-9])"),
]


def plainly_refused(data: bytes) -> bool:
    """The pre-scan's rules as whole-file regular expressions (slow, obviously right): the
    byte rules on every byte, the token rules on each line cut at its first comment (a `#`
    after a space or at the line's start with no quote after it on the line)."""
    data = b"\n" + data
    if any(rule.search(data) for rule in _PLAIN_RULES[:2]):
        return True
    lines = []
    for line in data.split(b"\n"):
        cut = len(line)
        for at, byte in enumerate(line):
            before = line[at - 1 : at]
            if byte == ord("#") and before in (b"", b" ") and not re.search(b"['\"]", line[at:]):
                cut = at
                break
        lines.append(line[:cut])
    text = b"\n".join(lines)
    return any(rule.search(text) for rule in _PLAIN_RULES[2:])


def test_the_prescan_refuses_what_its_rules_say_on_every_repository_file(
    generated: Path,
) -> None:
    files = [p for p in REPO.rglob("*.y*ml") if ".venv" not in p.parts and p.is_file()]
    files += sorted(generated.rglob("*.yaml"))
    assert len(files) > 50
    for path in files:
        data = path.read_bytes()
        assert fastload.refuses(data) == plainly_refused(data), path


_PRESCAN_ALPHABET = " \n\n-+_..0123456789eExob!:[{,##a\tq\\'\""


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(_PRESCAN_ALPHABET, max_size=12),
            st.sampled_from(["\n  value: ", " -0", " 0x", "e5", "1_0", ".50", "5.", "a.50"]),
        ),
        max_size=12,
    ).map("".join)
)
def test_the_prescan_refuses_what_its_rules_say(text: str) -> None:
    data = text.encode("utf-8")
    assert fastload.refuses(data) == plainly_refused(data)


def test_the_prescan_rules_hold_with_many_candidates() -> None:
    """Past `_MANY` candidate pairs the rule runs over the whole file: same answers."""
    many = b"a: x_1 y2_ v1e\n" * (fastload._MANY + 10)
    for tail in (b"", b"b: 1_000\n", b"c: 2e5\n", b"d: [x, -1.5e3]\n"):
        data = many + tail + many
        assert fastload.refuses(data) == plainly_refused(data) == bool(tail)


@pytest.mark.parametrize(
    "text",
    [
        "a: [b:, c]\n",
        "a: {b:}\n",
        "a: [b:]\n",
        "a: b:,c\n",
        "a: 'x:, y'\n",
        "a: !t x\n",
        "a: &x 1\n",
        "- *x\n",
        "? a\n",
        "a: |\n  x\n",
        "a: [x, :y]\n",
        "a: 1_0\n",
        "a: 1_\n",
        "a: _1\n",
        "a: x_1\n",
        "a: 9_9_9\n",
        "a: x9_9\n",
        "a: -1_000.5\n",
        "a: [1, 2_0]\n",
        "a: b_9 c 1_\n",
        "a: 1.5_\n",
        "a: ._1\n",
        "a: 1e5\n",
        "a: 1e\n",
        "a: x1e5\n",
        "a: 9e9e9\n",
        "a: -.5e3\n",
        "a: [x, 2E1]\n",
        "a: b\nc: 1e5\n",
        "a: 2017-05-01\nb: 1_0\n",
        "# 1_0 1e5\na: 1\n",
        "a: 00\n",
        "a: 0\n",
        "a: -0\n",
        "a: 007\n",
        "a: -09\n",
        "a: +0o7\n",
        "a: 0x1F\n",
        "a: [1, 01]\n",
        "a: {b: -00}\n",
        "a: 1000 x-01 y009\n",
        "a: 2017-05-01\n",
        "a: 1 -- 01\n",
    ],
)
def test_the_prescan_finds_each_pair_and_indicator(text: str) -> None:
    """The pairs and indicators each found by one scan for their rare byte (`:` of `:,`,
    the `!` class, the `_` of `9_` and `_9`, the `e` of `9e`, the `0` of a leading zero):
    as the plain rules say."""
    data = text.encode("utf-8")
    assert fastload.refuses(data) == plainly_refused(data)
    for cut in range(1, len(data)):  # and every prefix: a pair at the very end of the file
        assert fastload.refuses(data[:cut]) == plainly_refused(data[:cut]), data[:cut]


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("# 50,000 reps, as in 2017. 010 1_000 1e5 1.50\na: 1\n", True),
        ("a: 1  # over 50,000, see 2017.\nb: [1, # 1e5\n  2]\n", True),
        ("a: x#1e5\n", True),  # no comment: `#` not after a space, and no number token
        ('a: "x # 1e5"\n', False),  # a quote after the `#`: nothing cut
        ('a: {b: "x #", c: 1e5}\n', False),
        ("a: 'one # two\n  1e5'\n", False),
        ("a: 'one # 1e5\n  two'\n", True),  # the cut text is inside the quotes
        ("a: b # c: 010\nd: 010\n", False),
        ('a: "x" # "y" # 1e5\n', True),
    ],
)
def test_comments_do_not_send_a_file_to_the_slow_path(text: str, fast: bool) -> None:
    data = text.encode("utf-8")
    assert (fastload.fast_values(data, 64, reads_as_number) is not None) is fast
    assert fastload.refuses(data) == plainly_refused(data)
    assert_agree("comments.yaml", data)


def test_a_clean_check_on_the_fast_path_imports_no_pyyaml(tmp_path: Path) -> None:
    """PyYAML (~20 ms of start-up) is imported only where a file goes the libyaml path or a
    finding is placed: a clean plan is checked without it, one with a finding with it, and
    both report as before (the fast-path tests above compare their diagnostics)."""
    if not fastload.enabled():
        pytest.skip("yaml_rs is not installed")
    mini = REPO / "tests" / "fixtures" / "mini"
    run = ("check", "--no-cache", "-f", "json")
    modules, out = cli_modules(*run, str(mini))
    assert "yaml" not in modules
    assert json.loads(out)["diagnostics"] == []
    broken = tmp_path / "mini"
    subprocess.run(["cp", "-r", str(mini), str(broken)], check=True)
    north = broken / "regions" / "north.yaml"
    north.write_bytes(north.read_bytes().replace(b"name: North Enterprise", b"name: [x", 1))
    modules, found = cli_modules(*run, str(broken))
    assert "yaml" in modules
    assert any(d["code"] == "PLC001" for d in json.loads(found)["diagnostics"])
