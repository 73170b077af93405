"""``planc allocate`` on a region file whose edited number sits under a YAML anchor.

An alias shares the anchored value: a splice of that one number changes every place
the alias stands, so the edited file must be checked as it reads, with the cache as
without it (and the result the cache keeps for the new bytes must be that one too).
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


def test_an_aliased_number_allocated_with_the_cache_is_checked_as_the_file_reads(
    mini_plan: Path, tmp_path: Path
) -> None:
    _share_ann_s_count_with_her_csat(mini_plan)
    cache = tmp_path / "cache"
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}  # the stat key: not the user's
    assert run_planc("check", mini_plan, "--cache-dir", cache, env=env).code == 0
    before = (mini_plan / "regions" / "north.yaml").read_bytes()
    allocated = run_planc(*ALLOCATE, mini_plan, "--cache-dir", cache, env=env)
    # as with --no-cache: the edited plan has a new error (ann/csat 6), nothing written
    said = allocated.stdout + allocated.stderr
    assert allocated.code == 1, said
    assert "PLC402" in said and "ann/csat value 6" in said
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
