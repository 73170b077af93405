"""``planc allocate`` on a region file whose edited number sits under a YAML anchor.

An alias shares the anchored value: a splice of that one number would change every place
the alias stands, which the split did not ask for (and two edits of one shared number
ended in "two edits overlap"). So the edit is refused, with the anchor's place, before
anything is checked or written, with the cache as without it; and whatever allocate
decided, the cache keeps no result the bytes on disk do not read as.
"""

from __future__ import annotations

from pathlib import Path

from conftest import run_planc

ALLOCATE = (
    "allocate",
    "--node",
    "north-ent",
    "--metric",
    "new_customers",
    "--method",
    "even",
    "--uplift",
    "20",  # 10 -> 12: ann and bob 5 -> 6 each
    "--write",
)


def _share_ann_s_count_with_her_csat(plan: Path) -> None:
    """ann's csat becomes an alias of her new-customer target (5, inside csat's 1-5 scale):
    raising the count to 6 raises her csat to 6 too, which PLC402 refuses."""
    north = plan / "regions" / "north.yaml"
    text = north.read_text(encoding="utf-8")
    shared = text.replace(
        "            new_customers: {value: 5}\n"
        "            key_product_share: {value: 55}\n"
        "            csat: {value: 4.5}\n",
        "            new_customers: &nc {value: 5}\n"
        "            key_product_share: {value: 55}\n"
        "            csat: *nc\n",
        1,
    )
    assert shared != text
    north.write_text(shared, encoding="utf-8")


def test_an_aliased_number_is_refused_with_the_anchor_s_place_with_or_without_the_cache(
    mini_plan: Path, tmp_path: Path
) -> None:
    _share_ann_s_count_with_her_csat(mini_plan)
    cache = tmp_path / "cache"
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}  # the stat key: not the user's
    assert run_planc("check", mini_plan, "--cache-dir", cache, env=env).code == 0
    before = (mini_plan / "regions" / "north.yaml").read_bytes()
    text = before.decode("utf-8")
    at = text.index("&nc")
    place = f"north.yaml:{text.count(chr(10), 0, at) + 1}:{at - text.rindex(chr(10), 0, at)}"
    for cached in (("--cache-dir", cache), ("--no-cache",)):
        allocated = run_planc(*ALLOCATE, mini_plan, *cached, env=env)
        # refused with the anchor's place (ann/csat would have become 6), nothing written
        said = allocated.stdout + allocated.stderr
        assert allocated.code == 2, said
        assert f"{place}: this value has an anchor (&nc)" in allocated.stderr
        assert (mini_plan / "regions" / "north.yaml").read_bytes() == before


def test_the_cache_keeps_no_result_of_values_the_edited_bytes_do_not_read_as(
    mini_plan: Path, tmp_path: Path
) -> None:
    """Whatever allocate decides, a warm check of the bytes on disk reports what a check
    without the cache does."""
    _share_ann_s_count_with_her_csat(mini_plan)
    cache = tmp_path / "cache"
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    assert run_planc("check", mini_plan, "--cache-dir", cache, env=env).code == 0
    run_planc(*ALLOCATE, mini_plan, "--cache-dir", cache, env=env)
    warm = run_planc("check", mini_plan, "--cache-dir", cache, "-f", "json", env=env)
    cold = run_planc("check", mini_plan, "--no-cache", "-f", "json", env=env)
    assert (warm.code, warm.stdout) == (cold.code, cold.stdout)
