"""``planc import``: a new quarter from a roster and a quota sheet, or edits from an exported workbook."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planc.cli.options import GivenPath, fail_usage, format_option, parse_day

if TYPE_CHECKING:
    from planc.sheets.importer import Imported
    from planc.sheets.update import Edit


def _refuse_inside_a_quarter(folder: Path) -> None:
    """A new quarter inside another quarter's folder would be read as part of that plan
    (two quarter files: the old plan stops compiling): a usage error before any work."""
    from planc.core.pipeline import QUARTER_NAMES, display_path

    for above in folder.absolute().parents:
        if any((above / name).is_file() for name in QUARTER_NAMES):
            beside = display_path(above.parent / folder.name)
            fail_usage(
                f"{display_path(folder)} lies inside the quarter folder {display_path(above)}, "
                f"whose plan would read it as its own files; create it beside, e.g. {beside}"
            )


def _refuse_bad_settings(owner: str, company: str, currency: str) -> None:
    """Settings the new plan could not pass its check with: a usage error before any work,
    not a quarter folder written with an error in it (exit 1)."""
    for option, name in (("--owner", owner), ("--company", company)):
        if not name.strip():
            fail_usage(f"{option} is empty: give a name")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        from planc.core.safetext import argument

        fail_usage(
            f"--currency {argument(currency)} is not an ISO 4217 code: three capital letters, "
            "e.g. USD, EUR or CNY"
        )


def _mapping(option: str, text: str | None, allowed: tuple[str, ...] | None) -> dict[str, str]:
    """NAME=VALUE,... as a mapping; a NAME given twice is a usage error, as in --weights
    (the last one silently won)."""
    from planc.core.safetext import argument

    found: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            fail_usage(f"{option}: {argument(part)} is not NAME=VALUE")
        if allowed is not None and key not in allowed:
            fail_usage(f"{option}: {argument(key)} is not one of {', '.join(allowed)}")
        if key in found:
            fail_usage(f"{option}: {argument(key)} is given twice; give each one value")
        found[key] = value
    return found


@click.command("import")
@click.argument("folder", required=False, type=GivenPath("a folder"))
@click.option(
    "--roster",
    type=GivenPath(),
    help="People, managers and regions: a CRM user export or an HR roster (.csv or .xlsx).",
)
@click.option(
    "--quotas",
    type=GivenPath(),
    help="The quota sheet: one row per rep, team or region, a column per metric (.csv or .xlsx).",
)
@click.option("--owner", metavar="NAME", help="The company plan's owner (a vp), by name.")
@click.option("--company", metavar="NAME", help="The company's name (its id is made from it).")
@click.option("--quarter", "quarter_id", metavar="ID", help="Quarter id (default: FOLDER's name).")
@click.option(
    "--start", metavar="DATE", help="First day of a fiscal quarter (default: the calendar quarter)."
)
@click.option("--currency", default="USD", show_default=True, help="Currency code of every amount.")
@click.option(
    "--locale",
    type=click.Choice(("en", "zh-CN")),
    default="en",
    show_default=True,
    help="Labels and number format of the rendered pages.",
)
@click.option(
    "--roster-columns",
    metavar="ROLE=HEADER,...",
    help="Roster headers by role: rep, manager (required), region, team, email, start, director. "
    "Default: rep=sales_agent,manager=manager,region=regional_office, else the one column "
    "with a common header of the role (姓名, 经理, 区域, name, reports to, ...: docs/import.md).",
)
@click.option(
    "--name-column", metavar="HEADER", help="The quota sheet's column of names (default: found)."
)
@click.option(
    "--unit",
    "units",
    multiple=True,
    metavar="METRIC=UNIT",
    help="A metric's unit when its header does not say it: currency, count, percent or score.",
)
@click.option("--roster-sheet", metavar="NAME", help="For .xlsx: the roster's sheet.")
@click.option("--quotas-sheet", metavar="NAME", help="For .xlsx: the quota sheet's sheet.")
@click.option(
    "--update",
    "edited",
    type=GivenPath(),
    metavar="XLSX",
    help="Apply numbers edited in a workbook from planc export --format xlsx to the plan "
    "FOLDER (default: <plans>/<its quarter>), with an adjustment record stub per changed target.",
)
@click.option(
    "--plans",
    "plans_root",
    type=GivenPath("a folder"),
    default=Path("plans"),
    show_default=True,
    help="With --update: the folder that holds the quarter folders.",
)
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing.")
@format_option(("text", "json"), "json: the diagnostics as planc check --format json prints them.")
def import_(
    folder: Path | None,
    roster: Path | None,
    quotas: Path | None,
    owner: str | None,
    company: str | None,
    quarter_id: str | None,
    start: str | None,
    currency: str,
    locale: str,
    roster_columns: str | None,
    name_column: str | None,
    units: tuple[str, ...],
    roster_sheet: str | None,
    quotas_sheet: str | None,
    edited: Path | None,
    plans_root: Path,
    dry_run: bool,
    output_format: str,
) -> None:
    """Create quarter FOLDER (e.g. plans/2027-Q1) from a roster and a quota sheet.

    planc import plans/2017-Q4 --roster team.csv --quotas quotas.xlsx --owner NAME --company NAME

    The roster gives regions, teams (a manager's reps) and people; the quota
    sheet the targets (wide months, product columns, a total row and merged
    header cells are understood: see docs/import.md). A parent the sheet has
    no number for gets its children's sum, marked as derived. The folder
    appears whole or not at all, only when both sheets could be read, and an
    existing folder is never overwritten.

    planc import --update edited.xlsx [FOLDER]

    With --update: the numbers edited in the value column of a workbook from
    planc export --format xlsx are written into the plan's YAML in place
    (comments and layout kept), with an adjustment record stub (empty cause and
    note) for every target whose quarter value changed; fill them in, or let
    planc propose --cause ... --note ... do it. A workbook of another plan or
    quarter, or of an older version of the files, is refused; formulas, text
    and added or deleted rows are reported, and then nothing is written.

    Exit status: 0 done, 1 diagnostics with errors (nothing written when a
    sheet could not be read), 2 usage or bad input.
    """
    if edited is not None:
        if roster or quotas or owner or company or quarter_id or start:
            fail_usage(
                "--update reads an edited export; leave out --roster, --quotas and the "
                "new quarter's settings"
            )
        _update(edited, folder, plans_root, dry_run, output_format)
        return
    if folder is None or roster is None or quotas is None:
        fail_usage("give the new quarter's FOLDER, --roster FILE and --quotas FILE")
    if owner is None or company is None:
        fail_usage("give --owner NAME (the company plan's owner) and --company NAME")
    _refuse_bad_settings(owner, company, currency)
    from planc.core.pipeline import display_path
    from planc.sheets.importer import ImportRequest, SheetImportError, import_quarter
    from planc.sheets.roster import DEFAULT_COLUMNS

    declared = _mapping(
        "--roster-columns",
        roster_columns,
        ("rep", "manager", "region", "team", "email", "start", "director"),
    )
    unit_map = _mapping("--unit", ",".join(units), None)
    for metric, unit in unit_map.items():
        if unit not in ("currency", "count", "percent", "score"):
            fail_usage(f"--unit {metric}={unit}: the unit is currency, count, percent or score")
    if folder.exists():
        fail_usage(
            f"{display_path(folder)} already exists; planc import never overwrites a quarter"
        )
    from planc.core.files import dangling_link

    dangling = dangling_link(folder, "planc import")
    if dangling is not None:
        fail_usage(dangling)
    _refuse_inside_a_quarter(folder)
    request = ImportRequest(
        quarter=quarter_id or folder.name,
        roster=roster,
        quotas=quotas,
        owner=owner,
        company=company,
        currency=currency,
        locale=locale,
        start=parse_day("--start", start),
        roster_columns={**DEFAULT_COLUMNS, **declared},
        declared=frozenset(declared),
        units=unit_map,
        roster_sheet=roster_sheet,
        quotas_sheet=quotas_sheet,
        name_column=name_column,
        shown_roster=display_path(roster),
        shown_quotas=display_path(quotas),
    )
    try:
        made = import_quarter(request, display_path(folder))
    except SheetImportError as error:
        fail_usage(str(error))
    _report(made, folder, dry_run, output_format)


def _report(made: Imported, folder: Path, dry_run: bool, output_format: str) -> None:
    from planc.allocate.rollforward import InitError, write_quarter
    from planc.core.pipeline import CheckResult, display_path
    from planc.core.reporters import as_json, text

    shown = display_path(folder)
    sheets = CheckResult("the sheets", diagnostics=made.diagnostics)
    results = [sheets] + ([made.result] if made.result is not None else [])
    if made.usable and not dry_run:
        try:
            write_quarter(folder, made.files, by="planc import")
        except InitError as error:
            fail_usage(str(error))
    if output_format == "json":
        click.echo(as_json(results), nl=False)
    else:
        for line in made.summary:
            click.echo(line)
        click.echo(text(results), nl=False)
        if not made.usable:
            click.echo("nothing written: fix the sheets and run planc import again", err=True)
        elif dry_run:
            click.echo(f"dry run: {shown} not written")
        else:
            click.echo(f"created {shown} ({len(made.files)} files): planc check {shown}")
    failed = not made.usable or (made.result is not None and made.result.has_errors)
    sys.exit(1 if failed else 0)


def _update(
    edited: Path, folder: Path | None, plans_root: Path, dry_run: bool, output_format: str
) -> None:
    from planc.allocate.rewrite import write_files
    from planc.core.pipeline import CheckResult, display_path
    from planc.core.reporters import as_json, text
    from planc.sheets.update import UpdateError, plan_folder, update_plan

    shown = display_path(edited)
    try:
        update = update_plan(edited, shown, plan_folder(edited, shown, folder, plans_root))
    except UpdateError as error:
        fail_usage(str(error))
    results = [CheckResult(shown, diagnostics=update.diagnostics)]
    if update.result is not None:
        results.append(update.result)
    if not update.refused and update.files and not dry_run:
        write_files(update.files)
    if output_format == "json":
        click.echo(as_json(results), nl=False)
    else:
        for edit in update.edits:
            click.echo(_edit_line(edit))
        click.echo(text(results), nl=False)
        if update.refused:
            click.echo(f"nothing written: {shown} cannot be applied as it is", err=True)
        elif not update.edits:
            click.echo(f"nothing to change: {shown} holds the plan's numbers")
        else:
            verb = "would write" if dry_run else "wrote"
            files = ", ".join(sorted(update.files))
            stubs = ", ".join(update.stubs) or "none"
            click.echo(f"{verb} {files}; adjustment record stubs: {stubs}")
            if update.stubs and not dry_run:
                click.echo(
                    "fill in each stub's cause and note, or: planc propose --cause CAUSE "
                    '--note "What happened."'
                )
    failed = update.refused or (update.result is not None and update.result.has_errors)
    sys.exit(1 if failed else 0)


def _edit_line(edit: Edit) -> str:
    """``ann/revenue: 550000 -> 600000, 2027-03: 200000 -> 250000``: each month as the sheet
    labels it, with its old number, so the line can be checked against the edited cells."""
    parts = [f"{edit.before} -> {edit.value}"] if edit.value is not None else []
    for index, (label, before) in sorted(edit.month_changes.items()):
        old = "" if before is None else f"{before} -> "
        parts.append(f"{label}: {old}{edit.months[index]}")
    return f"{edit.node}/{edit.metric}: {', '.join(parts)}"
