"""``planc import``: a new quarter folder from a roster and a quota sheet.

The roster gives the org (regions, teams of a manager's reps, people), the
quota sheet the numbers; the quarter's settings a sheet cannot hold (dates,
currency, the company and its owner) come from the command line, and the
policy is planc's usual default. Targets a sheet does not give for a parent
are summed from its children and marked as derived (PLC810). The result is
rendered in the house style, compiled and checked in memory; the command
writes it only when the sheets could be read (no PLC8xx error), and never
over an existing folder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from planc.allocate.emit import dump
from planc.checks import check_sources
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.numbers import grouped
from planc.core.pipeline import CheckResult
from planc.core.safetext import shown
from planc.core.source import SourceFile, SourceSpan
from planc.sheets.ids import IdMaker, slug
from planc.sheets.quotas import QuotaSheet, read_quotas
from planc.sheets.roster import Person, Roster, name_key, read_roster
from planc.sheets.rules import DERIVED_TARGET, REP_WITHOUT_QUOTA
from planc.sheets.table import Cell, SheetError, read_table
from planc.sheets.words import ImportWords, quarter_name, words_for

_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
SUMMED_UNITS = ("currency", "count")
PILLAR = "targets"  # one pillar every metric serves, until the strategy is written down
ROUNDINGS = (Decimal(1000), Decimal(100), Decimal(10), Decimal(1))
MODELINE_QUARTER = "# yaml-language-server: $schema=../../schema/plan.schema.json"
MODELINE_REGION = "# yaml-language-server: $schema=../../../schema/plan.schema.json"
DEFAULT_POLICY: dict[str, Any] = {
    "over_assignment": {"min": 0, "max": 20},
    "growth": {"min": -10, "max": 40},
    "ramp": [0, 50, 75, 100],
    "tolerance": 0,
    "approvals": [
        {"up_to": 5, "approver": "team_owner"},
        {"up_to": 10, "approver": "region_owner"},
        {"approver": "company_owner"},
    ],
}


class SheetImportError(Exception):
    """The import cannot start (bad options); the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class ImportRequest:
    quarter: str
    roster: Path
    quotas: Path
    owner: str
    company: str
    currency: str = "USD"
    locale: str = "en"
    start: date | None = None
    roster_columns: Mapping[str, str] = field(default_factory=dict)
    declared: frozenset[str] = frozenset()
    units: Mapping[str, str] = field(default_factory=dict)
    roster_sheet: str | None = None
    quotas_sheet: str | None = None
    name_column: str | None = None
    shown_roster: str = ""
    shown_quotas: str = ""


@dataclass(slots=True)
class Imported:
    """What the import made: the sheets' diagnostics, and (when readable) the files and their check."""

    diagnostics: list[Diagnostic]
    files: dict[str, str] = field(default_factory=dict)
    result: CheckResult | None = None
    summary: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics) and bool(self.files)


def quarter_dates(quarter: str, start: date | None) -> tuple[date, date]:
    """First and last day of a three-month quarter: from ``--start``, or a calendar quarter."""
    if start is None:
        match = _QUARTER.fullmatch(quarter)
        if match is None:
            raise SheetImportError(
                f"{quarter!r} is not a calendar quarter id like 2027-Q1; pass --start YYYY-MM-DD "
                "for a fiscal quarter"
            )
        start = date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1)
    if start.day != 1:
        raise SheetImportError(f"--start {start} is not the first day of a month")
    index = start.year * 12 + start.month - 1 + 3
    after = date(index // 12, index % 12 + 1, 1)
    return start, date.fromordinal(after.toordinal() - 1)


@dataclass(slots=True)
class _Org:
    roster: Roster
    company: str
    company_name: str
    owner: str
    lookup: dict[str, str] = field(default_factory=dict)  # name key -> node id

    def resolve(self, name: str) -> str | None:
        return self.company if not name else self.lookup.get(name_key(name))


def _org(roster: Roster, request: ImportRequest) -> _Org:
    """The org with its owners: regions without a director are owned by the company's owner."""
    owner_id = _company_owner(roster, request.owner)
    org = _Org(roster, _company_id(roster, request.company), request.company, owner_id)
    if owner_id in roster.inferred:  # the top of the org: above a region's director too
        roster.people[owner_id].manager = None
    for region in roster.regions.values():
        if region.owner is None:
            region.owner = owner_id
        for team_id in region.teams:
            manager = roster.people[roster.teams[team_id].owner]
            if manager.manager is None and manager.id not in (region.owner, owner_id):
                manager.manager = region.owner
    for person in roster.people.values():  # a manager of managers only, at the top of the roster
        if person.role == "manager" and person.manager is None and person.id != owner_id:
            person.manager = owner_id
    org.lookup = _lookup(org, request.company)
    return org


def _company_id(roster: Roster, name: str) -> str:
    """The company's node id: its name's slug (``company`` without latin letters), told
    apart from the other node ids, which PLC206 wants unique together: regions, teams and
    reps, seated under their person ids. Other people's ids are another namespace."""
    seated = (rep for team in roster.teams.values() for rep in team.reps)
    return IdMaker(taken=[*roster.regions, *roster.teams, *seated]).new(slug(name), "company")


def _company_owner(roster: Roster, name: str) -> str:
    """The owner's id: a person of the roster (made a vp), or a new person, whose id is
    told apart from the people's as a second person's is (``-2``).

    A rep of the roster is refused: the roster seats them in a manager's team, and the
    company's owner is at the top of the org (the regions without a director are theirs,
    every manager reports up to them), so the plan would have them report to someone who
    reports to them (PLC207), and a rep as the company's owner is below the vp it needs
    (PLC421). Keeping the seat and dropping the roster's manager would be a guess. A founder
    who sells names themselves as their manager: seated in their own team, with none."""
    found = roster.by_name.get(name_key(name))
    if found is not None:
        person = roster.people[found]
        if person.role == "rep":
            raise SheetImportError(_rep_as_owner(roster, person))
        below = _below_a_director(roster, person)
        if below is not None:
            raise SheetImportError(below)
        above = _reports_in_the_roster(roster, person)
        if above is not None:
            raise SheetImportError(above)
        person.role = "vp"
        return found
    owner_id = IdMaker(taken=roster.people).new(slug(name, person=True), "owner")
    roster.people[owner_id] = Person(owner_id, " ".join(name.split()), "vp")
    return owner_id


def _rep_as_owner(roster: Roster, rep: Person) -> str:
    """Why a rep cannot be ``--owner``, and what to give instead (their manager, for one)."""
    team = next(t for t in roster.teams.values() if rep.id in t.reps)
    manager = shown(roster.people[team.owner].name, quote="'")
    owner = shown(rep.name, quote="'")
    return (
        f"--owner {owner} is a rep of the roster ({rep.id}, in team "
        f"{team.id} of {manager}): the company's owner is at the top of the org and cannot sit "
        f"in a manager's team; give --owner a manager or director of the roster (such as "
        f"{manager}), or the name of someone not in it (a new vp)"
    )


def _below_a_director(roster: Roster, manager: Person) -> str | None:
    """Why a manager of a team in another person's region cannot be ``--owner``, or None.

    A team's manager reports to the region's director, the director to the company's owner
    (the model's defaults, when the YAML names no manager): as the owner they would report
    to someone who reports to them (PLC207). A founder seated in their own team is not."""
    for team in roster.teams.values():
        director = roster.regions[team.region].owner
        if team.owner != manager.id or director in (None, manager.id) or manager.id in team.reps:
            continue
        named = shown(roster.people[director].name, quote="'") if director else ""
        owner = shown(manager.name, quote="'")
        where = shown(roster.regions[team.region].name, quote="'")
        return (
            f"--owner {owner} manages team {team.id} in region {where}"
            f", whose director is {named}: a team's manager reports to the region's director, "
            f"who reports to the company's owner; give --owner the director (such as {named}) "
            "or the name of someone not in the roster (a new vp)"
        )
    return None


def _reports_in_the_roster(roster: Roster, person: Person) -> str | None:
    """Why a person whose own roster row names their manager cannot be ``--owner``, or None.

    The owner is the top of the org, and the roster's managers with no manager of their own
    report to the owner: the one their row names would report to the person who reports to
    them (PLC207). The roster's own top, up their managers, is the owner it means. A manager
    the import inferred (a region's director) is no row's and is dropped for the owner."""
    if person.manager in (None, person.id) or person.id in roster.inferred:
        return None
    top, seen = person, {person.id}
    while top.manager is not None and top.manager not in seen:
        seen.add(top.manager)
        top = roster.people[top.manager]
    owner, boss = (
        shown(person.name, quote="'"),
        shown(roster.people[person.manager].name, quote="'"),
    )
    top_name = shown(top.name, quote="'")
    return (
        f"--owner {owner} reports to {boss} in the roster (the manager in their row): the "
        f"company's owner is at the top of the org, and {boss} would report to them; give "
        f"--owner {top_name}, the top of the roster, or empty the manager cell in the row of "
        f"{owner}"
    )


def _lookup(org: _Org, company_name: str) -> dict[str, str]:
    """Every name a quota row may use → its node: reps, teams (and their managers), regions."""
    roster = org.roster
    # a person with a seat (a rep; a founder, player-coach or director whose row seats them):
    # their row is their seat's, the team's number its sum or the team's row
    seated = set(roster.seated())
    lookup = {key: pid for key, pid in roster.by_name.items() if pid in seated}
    for team in roster.teams.values():
        lookup.setdefault(name_key(team.name), team.id)
        lookup.setdefault(name_key(team.id), team.id)
    for manager_id in {t.owner for t in roster.teams.values()}:
        teams = [t for t in roster.teams.values() if t.owner == manager_id]
        if len(teams) == 1:  # a manager with teams in two regions is ambiguous: use the team
            for key, pid in roster.by_name.items():
                if pid == manager_id:
                    lookup.setdefault(key, teams[0].id)
    for region in roster.regions.values():
        lookup.setdefault(name_key(region.name), region.id)
        lookup.setdefault(name_key(region.id), region.id)
    lookup.setdefault(name_key(company_name), org.company)
    lookup.setdefault(name_key(org.company), org.company)
    return lookup


# --- targets ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Target:
    value: Decimal
    months: list[Decimal] | None = None
    products: dict[str, Decimal] | None = None
    derived: str | None = None  # the note when summed from the children


def _targets_from_sheet(sheet: QuotaSheet, length: int) -> dict[str, dict[str, _Target]]:
    out: dict[str, dict[str, _Target]] = {}
    for node, numbers in sheet.nodes.items():
        for metric in sheet.metrics:
            given = numbers.value.get(metric)
            months = numbers.months.get(metric, {})
            products = numbers.products.get(metric, {})
            month_list = [months[i][0] for i in range(length)] if len(months) == length else None
            product_map = {p: v for p, (v, _) in products.items()} or None
            if given is not None:
                value = given[0]
            elif month_list is not None:
                value = sum(month_list, Decimal(0))
            elif product_map is not None:
                value = sum(product_map.values(), Decimal(0))
            else:
                continue
            out.setdefault(node, {})[metric] = _Target(value, month_list, product_map)
    return out


def _children(org: _Org) -> dict[str, list[str]]:
    roster = org.roster
    tree: dict[str, list[str]] = {org.company: list(roster.regions)}
    for region in roster.regions.values():
        tree[region.id] = list(region.teams)
    for team in roster.teams.values():
        tree[team.id] = list(team.reps)
    return tree


def _derive(
    org: _Org,
    sheet: QuotaSheet,
    targets: dict[str, dict[str, _Target]],
    band_min: Decimal,
    where: dict[str, Cell],
    words: ImportWords,
) -> list[Diagnostic]:
    """Fill a parent's missing summed target from its children, bottom-up (teams first)."""
    tree = _children(org)
    order = [*org.roster.teams, *org.roster.regions, org.company]
    found = []
    label = {
        **dict.fromkeys(org.roster.teams, "reps"),
        **dict.fromkeys(org.roster.regions, "teams"),
    }
    label[org.company] = "regions"
    for node in order:
        kids = tree.get(node, [])
        for metric, (_, unit) in sheet.metrics.items():
            if unit not in SUMMED_UNITS or metric in targets.get(node, {}) or not kids:
                continue
            parts = [targets.get(k, {}).get(metric) for k in kids]
            if any(p is None for p in parts):
                continue
            present = [p for p in parts if p is not None]
            total = sum((p.value for p in present), Decimal(0))
            value = total * 100 / (100 + band_min)
            if value != value.to_integral_value():
                value = value.to_integral_value(rounding="ROUND_FLOOR")
            over = "" if band_min == 0 else words.over(100 + band_min)
            note = words.derived(words.levels[label[node]], over)
            target = _Target(value, derived=note)
            if band_min == 0:
                target.months = _summed_months(present)
            targets.setdefault(node, {})[metric] = target
            cell = where.get(node) or sheet.metric_cells[metric]
            found.append(
                DERIVED_TARGET.at(
                    _span_of(cell, sheet),
                    f"{node}/{metric} is not in the quota sheet: derived as {grouped(value)}, the "
                    f"sum of its {label[node]}",
                    "check the number in the YAML (its note says it was derived), or add the row to the sheet",
                )
            )
    return found


def _summed_months(parts: list[_Target]) -> list[Decimal] | None:
    if not parts or any(p.months is None for p in parts):
        return None
    months = [p.months for p in parts if p.months is not None]
    return [sum(column, Decimal(0)) for column in zip(*months, strict=True)]


def _span_of(cell: Cell, sheet: QuotaSheet) -> SourceSpan:
    return SourceSpan(sheet.path, cell.row, cell.col)


def _rounding(targets: dict[str, dict[str, _Target]], sheet: QuotaSheet) -> Decimal:
    amounts = [
        amount
        for by_metric in targets.values()
        for metric, target in by_metric.items()
        if sheet.metrics[metric][1] == "currency"
        for amount in [target.value, *(target.months or []), *(target.products or {}).values()]
    ]
    for unit in ROUNDINGS:
        if all(a % unit == 0 for a in amounts):
            return unit
    return Decimal(1)


# --- the documents ----------------------------------------------------------------------


def _target_doc(target: _Target) -> dict[str, Any]:
    doc: dict[str, Any] = {"value": target.value}
    if target.months is not None:
        doc["months"] = target.months
    if target.products is not None:
        doc["products"] = target.products
    if target.derived:
        doc["note"] = target.derived
    return doc


def _targets_doc(node: str, targets: dict[str, dict[str, _Target]]) -> dict[str, Any]:
    return {m: _target_doc(t) for m, t in targets.get(node, {}).items()}


def _with_targets(doc: dict[str, Any], node: str, targets: dict[str, dict[str, _Target]]) -> None:
    found = _targets_doc(node, targets)
    if found:
        doc["targets"] = found


def _person_doc(person: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": person.id, "name": person.name, "role": person.role}
    if person.email:
        doc["email"] = person.email
    if person.manager:
        doc["manager"] = person.manager
    if person.start:
        doc["start"] = person.start
    return doc


def _documents(
    org: _Org,
    sheet: QuotaSheet,
    targets: dict[str, dict[str, _Target]],
    request: ImportRequest,
    start: date,
    end: date,
) -> dict[str, str]:
    roster = org.roster
    words = words_for(request.locale)
    comments = words.comment(request.quarter, request.shown_roster, request.shown_quotas)
    placed = {p for r in roster.regions.values() for p in _region_people(org, r.id)}
    quarter_doc: dict[str, Any] = {
        "planc": 1,
        "kind": "quarter",
        "quarter": {"id": request.quarter, "name": quarter_name(request.quarter, words), "start": start.isoformat(),
                    "end": end.isoformat()},
        "currency": request.currency,
        "locale": request.locale,
        "company": {"id": org.company, "name": org.company_name, "owner": org.owner},
        "pillars": [{"id": PILLAR, "name": words.pillar}],
        "metrics": [
            {"id": m, "name": name, "unit": unit,
             **({"rollup": "mean"} if unit not in SUMMED_UNITS else {}), "pillar": PILLAR}
            for m, (name, unit) in sheet.metrics.items()
        ],
    }  # fmt: skip
    _with_targets(quarter_doc["company"], org.company, targets)
    if sheet.products:
        quarter_doc["products"] = [{"id": p, "name": n} for p, n in sheet.products.items()]
    quarter_doc["policy"] = {**DEFAULT_POLICY, "rounding": _rounding(targets, sheet)}
    quarter_doc["people"] = [_person_doc(p) for p in roster.people.values() if p.id not in placed]
    files = {"quarter.yaml": MODELINE_QUARTER + "\n" + dump(quarter_doc, comments)}
    for region in roster.regions.values():
        files[f"regions/{region.id}.yaml"] = (
            MODELINE_REGION + "\n" + dump(_region_doc(org, region.id, targets), comments)
        )
    return files


def _region_people(org: _Org, region_id: str) -> list[str]:
    roster = org.roster
    region = roster.regions[region_id]
    people: list[str] = []
    if region.owner and region.owner != org.owner:
        people.append(region.owner)
    for team_id in region.teams:
        team = roster.teams[team_id]
        for pid in (team.owner, *team.reps):
            if pid not in people and pid != org.owner and _home_region(org, pid) == region_id:
                people.append(pid)
    return people


def _home_region(org: _Org, person: str) -> str | None:
    """The first region a person appears in (a manager with teams in two regions is listed
    once), or the region of a manager's own row when they lead a team there."""
    home = org.roster.people[person].region
    for region in org.roster.regions.values():
        if (
            home is not None
            and name_key(region.name) == name_key(home)
            and any(org.roster.teams[t].owner == person for t in region.teams)
        ):
            return region.id
    for region in org.roster.regions.values():
        if region.owner == person:
            return region.id
        for team_id in region.teams:
            team = org.roster.teams[team_id]
            if person == team.owner or person in team.reps:
                return region.id
    return None


def _region_doc(
    org: _Org, region_id: str, targets: dict[str, dict[str, _Target]]
) -> dict[str, Any]:
    roster = org.roster
    region = roster.regions[region_id]
    body: dict[str, Any] = {"id": region.id, "name": region.name, "owner": region.owner}
    _with_targets(body, region.id, targets)
    teams = []
    for team_id in region.teams:
        team = roster.teams[team_id]
        team_doc: dict[str, Any] = {"id": team.id, "name": team.name, "owner": team.owner}
        _with_targets(team_doc, team.id, targets)
        reps = []
        for rep in team.reps:
            rep_doc: dict[str, Any] = {"rep": rep}
            _with_targets(rep_doc, rep, targets)
            reps.append(rep_doc)
        team_doc["reps"] = reps
        teams.append(team_doc)
    body["teams"] = teams
    doc: dict[str, Any] = {"planc": 1, "kind": "region", "region": body}
    people = [_person_doc(roster.people[p]) for p in _region_people(org, region_id)]
    if people:
        doc["people"] = people
    return doc


# --- the whole import -------------------------------------------------------------------


def import_quarter(request: ImportRequest, folder: str) -> Imported:
    """Read both sheets and build the quarter in memory (nothing is written)."""
    start, end = quarter_dates(request.quarter, request.start)
    months = tuple(
        ((start.year * 12 + start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1)
        for i in range(3)
    )
    try:
        roster_table = read_table(request.roster, request.shown_roster, request.roster_sheet)
        quota_table = read_table(request.quotas, request.shown_quotas, request.quotas_sheet)
    except SheetError as error:
        raise SheetImportError(str(error)) from error
    words = words_for(request.locale)
    roster = read_roster(roster_table, request.roster_columns, request.declared, words)
    if any(d.severity is Severity.ERROR for d in roster.diagnostics):
        return Imported(list(roster.diagnostics))
    if not roster.people:
        raise SheetImportError(f"{request.shown_roster}: the roster lists nobody")
    org = _org(roster, request)
    sheet = read_quotas(quota_table, months, org.resolve, request.units, request.name_column)
    diagnostics = [*roster.diagnostics, *sheet.diagnostics]
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return Imported(diagnostics)
    if not sheet.metrics:
        raise SheetImportError(f"{request.shown_quotas}: no metric columns found beside the names")
    targets = _targets_from_sheet(sheet, len(months))
    where = {node: numbers.cell for node, numbers in sheet.nodes.items()}
    band_min = Decimal(DEFAULT_POLICY["over_assignment"]["min"])  # the band the children keep
    diagnostics += _derive(org, sheet, targets, band_min, where, words)
    for rep in roster.seated():
        if rep not in sheet.nodes:
            person = roster.people[rep]
            diagnostics.append(
                REP_WITHOUT_QUOTA.at(
                    person.where or SourceSpan(roster_table.path, 1, 1),
                    f"{shown(person.name)} ({rep}) is in the roster but has no row in the quota "
                    "sheet",
                    "give them targets in the YAML, or add their row to the sheet and import again",
                )
            )
    files = _documents(org, sheet, targets, request, start, end)
    sources = [
        SourceFile(f"{folder}/{path}", text.encode("utf-8")) for path, text in sorted(files.items())
    ]
    result = check_sources(folder, sources)
    summary = [
        f"{request.quarter} ({start} to {end}): {len(roster.regions)} region(s), "
        f"{len(roster.teams)} team(s), {len(roster.seated())} rep(s); metrics "
        + ", ".join(f"{m} ({u})" for m, (_, u) in sheet.metrics.items())
    ]
    if sheet.ignored:
        summary.append("columns without numbers, not read: " + ", ".join(map(shown, sheet.ignored)))
    return Imported(diagnostics, files, result, summary)
