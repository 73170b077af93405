"""The roster: people, their managers and regions, from a CRM's user export (CSV or XLSX).

Columns are declared by role, like the actuals mapping of ``planc track``:
``rep`` and ``manager`` are required, ``region``, ``team``, ``email``,
``start`` and ``director`` (the region's owner) are optional. The defaults
are the headers of the public CRM sample (``sales_agent``, ``manager``,
``regional_office``); a role without its default header is the one column with a
common header of it (:data:`HEADERS`: ``姓名``, ``经理``, ``区域``, ``reports to``, ...).
Each manager's reps in a region are a team; a person who manages someone else is a
manager, whose own row (an HR roster has one per employee) gives their manager, e-mail,
start date and home region, not a seat. Ids are made from names (``Anna Snelling`` →
``anna-snelling``, ``张伟`` → ``zhang-wei``), from the e-mail's local part when a name
has no letters that spell in latin, and numbered when two collide
(:mod:`planc.sheets.ids`, which makes metric and product ids too).

A row names a person by their name (case and extra spaces ignored), never by an id or an
e-mail of someone else: ``Ann-Lee`` after ``Ann Lee`` (whose id is ``ann-lee``) is a second
person, ``ann-lee-2``, with a warning (PLC812), since the two may be one person written two
ways. The quota sheet may name a person by their id or e-mail too (:attr:`Roster.by_name`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from planc.core.diagnostics import Diagnostic
from planc.core.safetext import NAME_LIMIT, shown
from planc.core.source import SourceSpan
from planc.sheets.ids import IdMaker, pinyin, slug
from planc.sheets.rules import (
    COLUMN_MISSING,
    COLUMNS_AMBIGUOUS,
    DIRECTOR_BELOW_A_TEAM,
    NAMES_ALIKE,
)
from planc.sheets.table import Cell, Table
from planc.sheets.words import WORDS, ImportWords

ROLES = ("rep", "manager", "region", "team", "email", "start", "director")
REQUIRED = ("rep", "manager")
DEFAULT_COLUMNS: Mapping[str, str] = {
    "rep": "sales_agent",
    "manager": "manager",
    "region": "regional_office",
}
#: Common headers of each role, in Chinese and English: a role not given by
#: ``--roster-columns`` whose default header is absent is the one column with one of these
#: (case, spaces, ``_`` and ``-`` ignored); two such columns are an error (PLC813). No
#: header is in two roles' lists.
HEADERS: Mapping[str, tuple[str, ...]] = {
    "rep": ("姓名", "名字", "销售", "销售代表", "销售人员", "销售员", "业务员", "员工", "员工姓名",
            "name", "full name", "rep", "sales rep", "agent", "sales agent", "salesperson",
            "employee", "employee name"),
    "manager": ("经理", "销售经理", "上级", "直属上级", "直属经理", "主管", "汇报对象", "manager",
                "reports to", "supervisor", "line manager", "manager name"),
    "region": ("区域", "大区", "地区", "片区", "办事处", "region", "office", "regional office",
               "territory", "area"),
    "team": ("团队", "销售团队", "小组", "team", "team name"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "工作邮箱", "email", "e-mail", "mail",
              "email address", "work email"),
    "start": ("入职日期", "入职时间", "到岗日期", "start", "start date", "hire date", "hired",
              "date hired", "joined"),
    "director": ("总监", "区域总监", "大区总监", "销售总监", "director", "regional director",
                 "region owner"),
}  # fmt: skip
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
    region: str | None = None  # a manager's home region, from their own row


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
    # managers whose manager is their region's director because no row of theirs named one
    inferred: set[str] = field(default_factory=set)

    def seated(self) -> list[str]:
        """The people with a seat in a team, in the roster's order: reps, and the founders,
        player-coaches and directors whose row seats them."""
        seats = {rep for team in self.teams.values() for rep in team.reps}
        return [pid for pid in self.people if pid in seats]


def header_index(table: Table) -> tuple[int, dict[str, Cell]]:
    """The first non-empty row, as header text (case and spaces ignored) → its cell."""
    for index, row in enumerate(table.rows):
        cells = {name_key(c.text): c for c in row if c.value is not None}
        if cells:
            return index, cells
    return 0, {}


def read_roster(
    table: Table,
    columns: Mapping[str, str],
    declared: frozenset[str] = frozenset(),
    words: ImportWords = WORDS["en"],
) -> Roster:
    """The org, or a roster with error diagnostics and no people when a column is missing.

    A missing default column that is optional (the region) is left out; a
    column the user declared (``declared``) must be there. A role not declared whose
    default header is absent is the one column with a header of :data:`HEADERS` for it.
    ``words``: the plan's language, for a manager's team's name when the roster has no team
    column and the one region's when it has no region column.
    """
    roster = Roster()
    index, header = header_index(table)
    first = table.rows[index][0] if table.rows and table.rows[index] else Cell(1, 1, None)
    found: dict[str, int] = {}
    ambiguous: set[str] = set()
    for role in ROLES:
        wanted = columns.get(role)
        cell = header.get(name_key(wanted)) if wanted is not None else None
        if cell is not None:
            found[role] = cell.col
    for role in ROLES:
        if role in found or role in declared:
            continue
        taken = set(found.values())
        known = [c for key, c in header.items() if _loose(key) in _HEADERS[role]]
        known = [c for c in known if c.col not in taken]
        if len(known) == 1:
            found[role] = known[0].col
        elif known:
            ambiguous.add(role)
            names = " and ".join(
                shown(c.text, NAME_LIMIT, quote="'") + f" ({c.ref})" for c in known
            )
            roster.diagnostics.append(
                COLUMNS_AMBIGUOUS.at(
                    table.span(known[0]),
                    f"the roster has more than one column for the {role}: {names}",
                    f"name the one to use with --roster-columns {role}=HEADER",
                )
            )
    for role in ROLES:
        wanted = columns.get(role)
        if role in found or role in ambiguous or wanted is None:
            continue
        if role not in REQUIRED and role not in declared:
            continue
        roster.diagnostics.append(
            COLUMN_MISSING.at(
                table.span(first),
                f"the roster has no column {wanted!r} for the {role} (header: "
                f"{', '.join(shown(c.text, NAME_LIMIT) for c in header.values()) or 'empty'})",
                f"name the column with --roster-columns {role}=HEADER",
            )
        )
    if roster.diagnostics:
        return roster
    ids = IdMaker()
    rows = table.rows[index + 1 :]
    managers = _managers(rows, found)
    for row in rows:
        _add_row(roster, ids, row, found, table.path, managers, words)
    roster.diagnostics += _directors_below_their_teams(roster)
    return roster


def _directors_below_their_teams(roster: Roster) -> list[Diagnostic]:
    """A region's director seated in the team of a manager who reports to them (PLC814)."""
    found = []
    for region in roster.regions.values():
        director = roster.people[region.owner] if region.owner else None
        for team in roster.teams.values():
            if director is None or director.id not in team.reps or team.owner == director.id:
                continue
            manager = roster.people[team.owner]
            if manager.manager != director.id:
                continue
            assert director.where is not None  # seated: a rep row of theirs named them
            name, boss = shown(director.name, quote="'"), shown(manager.name, quote="'")
            where = shown(region.name, quote="'")
            found.append(
                DIRECTOR_BELOW_A_TEAM.at(
                    director.where,
                    f"{name} is the director of {where} and has a rep "
                    f"row in the team of {boss}, who reports to them: each would manage the "
                    "other",
                    f"a director who sells names themselves as their manager in their row "
                    f"(manager {name}): seated in a team of their own; or leave the row out",
                )
            )
    return found


def _loose(header: str) -> str:
    """How a header is compared with :data:`HEADERS`: case, spaces, ``_`` and ``-`` ignored."""
    return re.sub(r"[\s_-]+", "", header.casefold())


_HEADERS = {role: frozenset(map(_loose, headers)) for role, headers in HEADERS.items()}


def _value(row: tuple[Cell, ...], col: int | None) -> str | None:
    if col is None or col > len(row):
        return None
    text = row[col - 1].text.strip()
    return " ".join(text.split()) or None


def _managers(rows: Sequence[tuple[Cell, ...]], found: dict[str, int]) -> set[str]:
    """The name keys of the people who manage someone else in the roster."""
    managers = set()
    for row in rows:
        rep, manager = _value(row, found["rep"]), _value(row, found["manager"])
        if rep is not None and manager is not None and name_key(rep) != name_key(manager):
            managers.add(name_key(manager))
    return managers


def _add_row(
    roster: Roster,
    ids: IdMaker,
    row: tuple[Cell, ...],
    found: dict[str, int],
    table_path: str,
    managers: set[str],
    words: ImportWords,
) -> None:
    rep_name = _value(row, found["rep"])
    manager_name = _value(row, found["manager"])
    if (
        rep_name is not None
        and name_key(rep_name) in managers
        and (manager_name is None or name_key(manager_name) != name_key(rep_name))
    ):
        _manager_row(roster, ids, row, found, table_path, rep_name, manager_name)
        return  # a founder who sells (their own manager) keeps their seat, below
    if rep_name is None or manager_name is None:
        return  # blank lines and half-filled ones carry nobody
    region_name = _value(row, found.get("region")) or words.all_regions
    cell = _cell_span(table_path, row, found)
    region = _region(roster, ids, region_name, _value(row, found.get("director")), cell)
    manager = _person(roster, ids, manager_name, "manager", None, cell("manager"))
    if region.owner and manager.manager is None and region.owner != manager.id:
        manager.manager = region.owner
        roster.inferred.add(manager.id)
    given = _value(row, found.get("team"))
    team = _team(roster, ids, given or words.team(manager_name), region, manager, given is None)
    email = _value(row, found.get("email"))
    start = _value(row, found.get("start"))
    rep = _person(roster, ids, rep_name, "rep", email, cell("rep"))
    if rep is not manager:  # a row of someone who manages themselves: a seat, no manager
        rep.manager = manager.id
    if rep.where is None:
        rep.where = cell("rep")
    rep.start = _start(start)
    if rep.id not in team.reps:
        team.reps.append(rep.id)


def _start(text: str | None) -> str | None:
    return text[:10] if text and _DATE.fullmatch(text[:10]) else None


def _manager_row(
    roster: Roster,
    ids: IdMaker,
    row: tuple[Cell, ...],
    found: dict[str, int],
    table_path: str,
    name: str,
    boss: str | None,
) -> None:
    """A manager's own row (in an HR roster every employee has one): it gives their manager,
    e-mail, start date and home region, never a seat in their manager's team."""
    cell = _cell_span(table_path, row, found)
    email = _value(row, found.get("email"))
    person = _person(roster, ids, name, "manager", email, cell("rep"))
    if person.role == "rep":
        person.role = "manager"
    if boss is not None:
        person.manager = _person(roster, ids, boss, "manager", None, cell("manager")).id
        roster.inferred.discard(person.id)
    if email and person.email is None:
        person.email = email
        roster.by_name.setdefault(name_key(email), person.id)
    person.start = _start(_value(row, found.get("start"))) or person.start
    person.region = _value(row, found.get("region")) or person.region


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
    whole = slug(name, None, person=True)  # IdMaker.new cuts it: the name is spelled once
    made = whole or (slug(email.split("@")[0]) if email else "")
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
