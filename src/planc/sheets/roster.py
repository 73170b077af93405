"""The roster: people, their managers and regions, from a CRM's user export (CSV or XLSX).

Columns are declared by role, like the actuals mapping of ``planc track``:
``rep`` and ``manager`` are required, ``region``, ``team``, ``email``,
``start`` and ``director`` (the region's owner) are optional. The defaults
are the headers of the public CRM sample (``sales_agent``, ``manager``,
``regional_office``). Each manager's reps in a region are a team; ids are
made from names (``Anna Snelling`` → ``anna-snelling``, ``张伟`` → ``zhang-wei``),
from the e-mail's local part when a name has no letters that spell in latin, and
numbered when two collide
(:mod:`planc.sheets.ids`, which makes metric and product ids too).

A row names a person by their name (case and extra spaces ignored), never by an id or an
e-mail of someone else: ``Ann-Lee`` after ``Ann Lee`` (whose id is ``ann-lee``) is a second
person, ``ann-lee-2``, with a warning (PLC812), since the two may be one person written two
ways. The quota sheet may name a person by their id or e-mail too (:attr:`Roster.by_name`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from planc.core.diagnostics import Diagnostic
from planc.core.safetext import NAME_LIMIT, shown
from planc.core.source import SourceSpan
from planc.sheets.ids import IdMaker, pinyin, slug
from planc.sheets.rules import COLUMN_MISSING, NAMES_ALIKE
from planc.sheets.table import Cell, Table

ROLES = ("rep", "manager", "region", "team", "email", "start", "director")
REQUIRED = ("rep", "manager")
DEFAULT_COLUMNS: Mapping[str, str] = {
    "rep": "sales_agent",
    "manager": "manager",
    "region": "regional_office",
}
DEFAULT_REGION = "All regions"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def name_key(text: str) -> str:
    """How names are compared: case and extra spaces ignored."""
    return " ".join(text.split()).casefold()


@dataclass(slots=True)
class Person:
    id: str
    name: str
    role: str
    manager: str | None = None
    email: str | None = None
    start: str | None = None
    where: SourceSpan | None = None  # the roster cell that names them first


@dataclass(slots=True)
class Team:
    id: str
    name: str
    region: str
    owner: str
    reps: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Region:
    id: str
    name: str
    owner: str | None
    teams: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Roster:
    """The org read from a roster: people, teams and regions, in the roster's order."""

    people: dict[str, Person] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # name key -> person id, for the quota sheet (names, ids and e-mails)
    by_name: dict[str, str] = field(default_factory=dict)
    # name key -> person id, names only: how the roster's rows name people
    names: dict[str, str] = field(default_factory=dict)
    # a name's whole slug -> the first person it made, to tell of names written alike
    slugs: dict[str, str] = field(default_factory=dict)

    def reps(self) -> list[str]:
        return [p.id for p in self.people.values() if p.role == "rep"]


def header_index(table: Table) -> tuple[int, dict[str, Cell]]:
    """The first non-empty row, as header text (case and spaces ignored) → its cell."""
    for index, row in enumerate(table.rows):
        cells = {name_key(c.text): c for c in row if c.value is not None}
        if cells:
            return index, cells
    return 0, {}


def read_roster(
    table: Table, columns: Mapping[str, str], declared: frozenset[str] = frozenset()
) -> Roster:
    """The org, or a roster with error diagnostics and no people when a column is missing.

    A missing default column that is optional (the region) is left out; a
    column the user declared (``declared``) must be there.
    """
    roster = Roster()
    index, header = header_index(table)
    found: dict[str, int] = {}
    for role in ROLES:
        wanted = columns.get(role)
        if wanted is None:
            continue
        cell = header.get(name_key(wanted))
        if cell is None:
            if role in REQUIRED or role in declared:
                first = (
                    table.rows[index][0] if table.rows and table.rows[index] else Cell(1, 1, None)
                )
                roster.diagnostics.append(
                    COLUMN_MISSING.at(
                        table.span(first),
                        f"the roster has no column {wanted!r} for the {role} (header: "
                        f"{', '.join(shown(c.text, NAME_LIMIT) for c in header.values()) or 'empty'})",
                        f"name the column with --roster-columns {role}=HEADER",
                    )
                )
            continue
        found[role] = cell.col
    if roster.diagnostics:
        return roster
    ids = IdMaker()
    for row in table.rows[index + 1 :]:
        _add_row(roster, ids, row, found, table.path)
    return roster


def _value(row: tuple[Cell, ...], col: int | None) -> str | None:
    if col is None or col > len(row):
        return None
    text = row[col - 1].text.strip()
    return " ".join(text.split()) or None


def _add_row(
    roster: Roster, ids: IdMaker, row: tuple[Cell, ...], found: dict[str, int], table_path: str
) -> None:
    rep_name = _value(row, found["rep"])
    manager_name = _value(row, found["manager"])
    if rep_name is None or manager_name is None:
        return  # blank lines and half-filled ones carry nobody
    region_name = _value(row, found.get("region")) or DEFAULT_REGION
    cell = _cell_span(table_path, row, found)
    region = _region(roster, ids, region_name, _value(row, found.get("director")), cell)
    manager = _person(roster, ids, manager_name, "manager", None, cell("manager"))
    if region.owner and manager.manager is None and region.owner != manager.id:
        manager.manager = region.owner
    given = _value(row, found.get("team"))
    team = _team(roster, ids, given or f"{manager_name} team", region, manager, given is None)
    email = _value(row, found.get("email"))
    start = _value(row, found.get("start"))
    rep = _person(roster, ids, rep_name, "rep", email, cell("rep"))
    if rep is not manager:  # a row of someone who manages themselves: a seat, no manager
        rep.manager = manager.id
    if rep.where is None:
        rep.where = cell("rep")
    rep.start = start if start and _DATE.fullmatch(start[:10]) else None
    if rep.start:
        rep.start = rep.start[:10]
    if rep.id not in team.reps:
        team.reps.append(rep.id)


def _cell_span(
    table_path: str, row: tuple[Cell, ...], found: dict[str, int]
) -> Callable[[str], SourceSpan]:
    """Where a row names the person of a role (its rep, manager or director cell)."""

    def span(role: str) -> SourceSpan:
        return SourceSpan(table_path, row[found[role] - 1].row, found[role])

    return span


def _person(
    roster: Roster, ids: IdMaker, name: str, role: str, email: str | None, where: SourceSpan
) -> Person:
    key = name_key(name)
    existing = roster.names.get(key)
    if existing is not None:
        person = roster.people[existing]
        if role == "manager" and person.role == "rep":
            person.role = "manager"
        return person
    whole = slug(name, None, person=True)
    made = slug(name, person=True) or (slug(email.split("@")[0]) if email else "")
    person = Person(ids.new(made, f"{role}-{len(roster.people) + 1}"), name, role)
    person.email = email
    roster.people[person.id] = person
    alike = roster.slugs.setdefault(whole, person.id) if whole else person.id
    if alike != person.id:
        roster.diagnostics.append(_names_alike(roster.people[alike], person, where))
    roster.names[key] = person.id
    roster.by_name[key] = person.id
    roster.by_name.setdefault(name_key(person.id), person.id)
    if email:
        roster.by_name.setdefault(name_key(email), person.id)
    return person


def _names_alike(first: Person, second: Person, where: SourceSpan) -> Diagnostic:
    this, other = shown(second.name, quote="'"), shown(first.name, quote="'")
    return NAMES_ALIKE.at(
        where,
        f"{this} and {other} are two people of the roster whose names make the same id: "
        f"{second.id} for this one, {first.id} for the other",
        "if they are one person, write the name the same way in every row and import again",
    )


def _region(
    roster: Roster,
    ids: IdMaker,
    name: str,
    director: str | None,
    cell: Callable[[str], SourceSpan],
) -> Region:
    for region in roster.regions.values():
        if name_key(region.name) == name_key(name):
            return region
    owner = (
        _person(roster, ids, director, "director", None, cell("director")).id if director else None
    )
    region = Region(ids.new(slug(name), f"region-{len(roster.regions) + 1}"), name, owner)
    roster.regions[region.id] = region
    return region


def _team(
    roster: Roster, ids: IdMaker, name: str, region: Region, manager: Person, default: bool
) -> Team:
    """The team ``name`` of ``manager`` in ``region``: its id is the region's and the manager's
    surname (``central-brinkmann``; the last word of the manager's name, read as a person's)
    when it has the default name, else the region's and the name's (less a last ``team``)."""
    for team in roster.teams.values():
        if name_key(team.name) == name_key(name) and team.region == region.id:
            return team
    words = name.split()
    if default:
        surname = pinyin(manager.name.split()[-1], person=True)
    else:
        surname = words[-2] if name.endswith(" team") and len(words) >= 2 else name
    made = slug(f"{region.name} {surname}")
    team = Team(ids.new(made, f"{manager.id}-team"), name, region.id, manager.id)
    roster.teams[team.id] = team
    region.teams.append(team.id)
    return team
