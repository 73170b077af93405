"""The typed plan: frozen dataclasses, exact ``Decimal`` amounts, real dates.

``build_plan`` turns schema-valid documents into a :class:`Plan`. Defaults are
resolved here once (a target's deadline, owner and pillar; a person's
manager), and every fact a check needs about names is recorded as a
:class:`Reference`, so checks never walk raw dicts.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from planc.core.diagnostics import Diagnostic, Message
from planc.core.quarters import MONTHS, last_day, month_span, parse_quarter_id
from planc.core.schema import BAD_VALUE, INVERTED_BAND, QUARTER_ID, QUARTER_MONTHS
from planc.core.source import Loc


class Level(enum.IntEnum):
    COMPANY = 0
    REGION = 1
    TEAM = 2
    REP = 3

    @property
    def label(self) -> str:
        return self.name.lower()


# The vocabulary of the plan's ``actuals:`` mapping: what planc track can measure.
#: measure -> the unit of the metric it can feed (``actuals.metrics`` in the plan)
MEASURES: dict[str, str] = {
    "amount": "currency",
    "deals": "count",
    "accounts": "count",
    "new_accounts": "count",
    "key_product_share": "percent",
    "win_rate": "percent",
}
#: measure -> the column role it cannot do without
MEASURE_NEEDS: dict[str, str] = {
    "key_product_share": "product",
    "accounts": "account",
    "new_accounts": "account",
    "win_rate": "stage",
}


@dataclass(frozen=True, slots=True)
class Pillar:
    id: str
    name: str
    description: str | None
    loc: Loc


@dataclass(frozen=True, slots=True)
class Metric:
    id: str
    name: str
    unit: str  # currency | count | percent | score
    rollup: str  # sum | mean | weighted_mean | none
    weight: str | None
    direction: str  # higher | lower
    scale: tuple[Decimal, Decimal] | None
    pillar: str | None
    definition: str | None
    loc: Loc

    @property
    def summed(self) -> bool:
        return self.rollup == "sum"

    @property
    def is_cap(self) -> bool:
        return self.direction == "lower"


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    key: bool
    loc: Loc


@dataclass(frozen=True, slots=True)
class Segment:
    """A customer segment and the accounts it takes (the first segment that matches wins)."""

    id: str
    name: str
    key: bool
    key_accounts: bool  # the accounts reps name under key_accounts
    new: bool  # new customers (Plan.customers.new)
    sectors: tuple[str, ...] | None
    offices: tuple[str, ...] | None
    revenue: tuple[Decimal | None, Decimal | None] | None
    employees: tuple[Decimal | None, Decimal | None] | None
    loc: Loc


@dataclass(frozen=True, slots=True)
class Customers:
    """How planc track reads customers (``customers:``): the accounts file and "new customer"."""

    columns: Mapping[str, str]  # role (account, sector, revenue, employees, office) -> header
    first_order: Decimal  # smallest first won deal of a new customer
    look_back_months: (
        int | None
    )  # months without a won deal before the quarter; None: no definition
    loc: Loc


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    role: str
    email: str | None
    title: str | None
    manager: str | None  # as written; see Plan.manager_of for the effective one
    start: date | None
    end: date | None
    github: str | None
    loc: Loc


@dataclass(frozen=True, slots=True)
class Band:
    min: Decimal
    max: Decimal


@dataclass(frozen=True, slots=True)
class ApprovalTier:
    up_to: Decimal | None
    approver: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class WarningPolicy:
    """Thresholds of planc track's early warnings (``policy.warnings``), in percent of pace."""

    behind_pace: Decimal = Decimal(80)  # warn below this % of pace to date
    cap_above_pace: Decimal = Decimal(100)  # warn when a cap is spent above this % of pace
    after_months: int = 1  # no pace warnings until this many months are over
    pipeline_coverage: Decimal | None = None  # warn when weighted pipeline covers < this % to go


def widened(band: Band, factor: Decimal) -> Band:
    """A band scaled by ``factor`` (0..20 widened by half is 0..30)."""
    return Band(band.min * factor, band.max * factor)


@dataclass(frozen=True, slots=True)
class Policy:
    over_assignment: Band
    growth: Band
    ramp: tuple[Decimal, ...]
    rounding: Decimal | None
    tolerance: Decimal
    approvals: tuple[ApprovalTier, ...]
    loc: Loc
    warnings: WarningPolicy = WarningPolicy()  # early warnings of planc track
    bottom_up_gap: Band | None = None  # allowed top-down vs bottom-up gap, in %
    # What reps may add up to against a region and the company (over_assignment.cumulative).
    cumulative_region: Band | None = None
    cumulative_company: Band | None = None
    stretch_band: Band | None = None  # children's stretch against the parent's stretch
    enforce_approvals: bool = False  # policy.approvals.enforce (PLC620, PLC621)
    seasonality_gap: Decimal = Decimal(10)  # points a month's share may move from last year's

    def cumulative(self, level: Level) -> Band:
        """The reps' band against a region or the company (default: the level band widened by half)."""
        given = self.cumulative_company if level is Level.COMPANY else self.cumulative_region
        return given if given is not None else widened(self.over_assignment, Decimal("1.5"))

    @property
    def stretch(self) -> Band:
        """The children's stretch goals against the parent's (default: the value band)."""
        return self.stretch_band if self.stretch_band is not None else self.over_assignment


@dataclass(frozen=True, slots=True)
class Target:
    node: str
    metric: str
    value: Decimal
    stretch: Decimal | None
    deadline: date
    owner: str
    pillar: str | None
    last_quarter: Decimal | None
    last_year: Decimal | None
    months: tuple[Decimal, ...] | None
    products: Mapping[str, Decimal] | None
    note: str | None
    loc: Loc  # the target's mapping: loc / "value" is its number
    bottom_up: Decimal | None = None  # the owner's own commitment
    last_year_months: tuple[Decimal, ...] | None = None  # seasonality: last year, by month
    segments: Mapping[str, Decimal] | None = None  # split by customer segment

    @property
    def ref(self) -> str:
        return f"{self.node}/{self.metric}"

    @property
    def baseline(self) -> tuple[str, Decimal] | None:
        """The baseline growth is judged against: same quarter last year, else last quarter."""
        if self.last_year is not None:
            return ("same quarter last year", self.last_year)
        if self.last_quarter is not None:
            return ("last quarter", self.last_quarter)
        return None


def _target_maker() -> Callable[..., Target]:
    """A positional constructor of :class:`Target` that sets each slot through its
    descriptor: the same frozen object as ``Target(...)``, in half the time (a frozen
    dataclass's ``__init__`` goes through ``object.__setattr__`` for every field, and the
    model makes one Target per target: ~77,000 at 10,000 reps). Every field must be given;
    tests/test_model_build.py checks the result equals ``Target(...)`` field by field."""
    new = object.__new__
    (
        s_node, s_metric, s_value, s_stretch, s_deadline, s_owner, s_pillar, s_last_quarter,
        s_last_year, s_months, s_products, s_note, s_loc, s_bottom_up, s_last_year_months,
        s_segments,
    ) = (getattr(Target, name).__set__ for name in _TARGET_FIELDS)  # fmt: skip

    def make(
        node: str,
        metric: str,
        value: Decimal,
        stretch: Decimal | None,
        deadline: date,
        owner: str,
        pillar: str | None,
        last_quarter: Decimal | None,
        last_year: Decimal | None,
        months: tuple[Decimal, ...] | None,
        products: Mapping[str, Decimal] | None,
        note: str | None,
        loc: Loc,
        bottom_up: Decimal | None,
        last_year_months: tuple[Decimal, ...] | None,
        segments: Mapping[str, Decimal] | None,
    ) -> Target:
        target: Target = new(Target)
        s_node(target, node)
        s_metric(target, metric)
        s_value(target, value)
        s_stretch(target, stretch)
        s_deadline(target, deadline)
        s_owner(target, owner)
        s_pillar(target, pillar)
        s_last_quarter(target, last_quarter)
        s_last_year(target, last_year)
        s_months(target, months)
        s_products(target, products)
        s_note(target, note)
        s_loc(target, loc)
        s_bottom_up(target, bottom_up)
        s_last_year_months(target, last_year_months)
        s_segments(target, segments)
        return target

    return make


_TARGET_FIELDS = (
    "node", "metric", "value", "stretch", "deadline", "owner", "pillar", "last_quarter",
    "last_year", "months", "products", "note", "loc", "bottom_up", "last_year_months",
    "segments",
)  # fmt: skip
_new_target = _target_maker()


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str
    level: Level
    owner: str
    parent: str | None
    children: tuple[str, ...]
    targets: Mapping[str, Target]
    budget: Mapping[str, Decimal]
    loc: Loc
    potential: Decimal | None = None  # market potential, a weight for planc allocate
    key_accounts: tuple[str, ...] = ()  # accounts a rep owns by name (node.loc / "key_accounts")


@dataclass(frozen=True, slots=True)
class Resource:
    kind: str
    amount: Decimal
    note: str | None
    loc: Loc


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    what: str
    owner: str
    node: str
    supports: str
    due: date
    resources: tuple[Resource, ...]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Change:
    node: str
    metric: str
    before: Decimal | None
    after: Decimal
    loc: Loc


@dataclass(frozen=True, slots=True)
class Adjustment:
    id: str
    decided: date
    effective: date
    cause: str
    note: str
    approved_by: tuple[str, ...]
    changes: tuple[Change, ...]
    loc: Loc


@dataclass(frozen=True, slots=True)
class ActualsMapping:
    """How ``planc track`` reads a CRM export: the quarter file's ``actuals:`` section.

    ``columns`` maps a role (owner, date, amount, product, stage, account) to a
    column header; ``owners`` and ``products`` map CRM values that are not an
    id, name or e-mail of the plan to ids; ``measures`` says how each tracked
    metric is computed (see ``MEASURES``).
    """

    columns: Mapping[str, str]
    won: tuple[str, ...]
    open: tuple[str, ...]
    lost: tuple[str, ...]
    owners: Mapping[str, str]  # CRM owner value -> person id
    products: Mapping[str, str]  # CRM product value -> product id
    measures: Mapping[str, str]  # metric id -> measure
    date_format: str | None
    encoding: str
    sheet: str | None
    loc: Loc
    duplicates: str = "error"  # a key on two rows: "error", or "last" (the last row wins)
    probabilities: Mapping[str, Decimal] = field(default_factory=dict)  # open stage -> percent
    source: SqlSource | None = None  # a database instead of an export file
    name: str = ""  # the source's name under actuals.sources ("" for the one-source form)


@dataclass(frozen=True, slots=True)
class SqlSource:
    """``actuals.source``: a database or warehouse to read actuals from.

    The URL comes from the environment variable ``url_env`` (so a password never
    sits in the plan) or, for URLs without a password, from ``url``. Exactly one
    of ``table`` and ``query`` is set.
    """

    url_env: str | None
    url: str | None
    table: str | None
    query: str | None
    timeout: int  # seconds
    loc: Loc


DEFAULT_SQL_TIMEOUT = 300


@dataclass(frozen=True, slots=True)
class Quarter:
    id: str
    name: str
    start: date
    end: date
    fiscal_year: str | None
    months: tuple[tuple[int, int], ...]  # (year, month) in order
    loc: Loc

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Reference:
    """A name used somewhere: ``kind`` is person, metric, product, pillar or node."""

    kind: str
    id: str
    role: str  # what the name is used as, for the message: "team owner", "rep", ...
    loc: Loc


def _reference_maker() -> Callable[[str, str, str, Loc], Reference]:
    """``Reference(kind, id, role, loc)`` through the slot descriptors, as `_target_maker`
    (the model records a reference per owner, rep, action field...: ~35,000 per
    2,500-rep region file)."""
    new = object.__new__
    s_kind, s_id, s_role, s_loc = (getattr(Reference, name).__set__ for name in _REFERENCE_FIELDS)

    def make(kind: str, ident: str, role: str, loc: Loc) -> Reference:
        reference: Reference = new(Reference)
        s_kind(reference, kind)
        s_id(reference, ident)
        s_role(reference, role)
        s_loc(reference, loc)
        return reference

    return make


_REFERENCE_FIELDS = ("kind", "id", "role", "loc")
_new_reference = _reference_maker()


def _action_maker() -> Callable[..., Action]:
    """``Action(...)`` positionally, through the slot descriptors (see `_target_maker`):
    one per action item, ~5,000 per 2,500-rep region file."""
    new = object.__new__
    s_id, s_what, s_owner, s_node, s_supports, s_due, s_resources, s_loc = (
        getattr(Action, name).__set__ for name in _ACTION_FIELDS
    )

    def make(
        ident: str,
        what: str,
        owner: str,
        node: str,
        supports: str,
        due: date,
        resources: tuple[Resource, ...],
        loc: Loc,
    ) -> Action:
        action: Action = new(Action)
        s_id(action, ident)
        s_what(action, what)
        s_owner(action, owner)
        s_node(action, node)
        s_supports(action, supports)
        s_due(action, due)
        s_resources(action, resources)
        s_loc(action, loc)
        return action

    return make


def _resource_maker() -> Callable[[str, Decimal, str | None, Loc], Resource]:
    """``Resource(kind, amount, note, loc)`` through the slot descriptors."""
    new = object.__new__
    s_kind, s_amount, s_note, s_loc = (getattr(Resource, name).__set__ for name in _RESOURCE_FIELDS)

    def make(kind: str, amount: Decimal, note: str | None, loc: Loc) -> Resource:
        resource: Resource = new(Resource)
        s_kind(resource, kind)
        s_amount(resource, amount)
        s_note(resource, note)
        s_loc(resource, loc)
        return resource

    return make


def _person_maker() -> Callable[..., Person]:
    """``Person(...)`` positionally, through the slot descriptors: one per person."""
    new = object.__new__
    (
        s_id, s_name, s_role, s_email, s_title, s_manager, s_start, s_end, s_github, s_loc,
    ) = (getattr(Person, name).__set__ for name in _PERSON_FIELDS)  # fmt: skip

    def make(
        ident: str,
        name: str,
        role: str,
        email: str | None,
        title: str | None,
        manager: str | None,
        start: date | None,
        end: date | None,
        github: str | None,
        loc: Loc,
    ) -> Person:
        person: Person = new(Person)
        s_id(person, ident)
        s_name(person, name)
        s_role(person, role)
        s_email(person, email)
        s_title(person, title)
        s_manager(person, manager)
        s_start(person, start)
        s_end(person, end)
        s_github(person, github)
        s_loc(person, loc)
        return person

    return make


def _node_maker() -> Callable[..., Node]:
    """``Node(...)`` positionally, every field given, through the slot descriptors: one per
    company, region, team and rep."""
    new = object.__new__
    (
        s_id, s_name, s_level, s_owner, s_parent, s_children, s_targets, s_budget, s_loc,
        s_potential, s_key_accounts,
    ) = (getattr(Node, name).__set__ for name in _NODE_FIELDS)  # fmt: skip

    def make(
        ident: str,
        name: str,
        level: Level,
        owner: str,
        parent: str | None,
        children: tuple[str, ...],
        targets: Mapping[str, Target],
        budget: Mapping[str, Decimal],
        loc: Loc,
        potential: Decimal | None,
        key_accounts: tuple[str, ...],
    ) -> Node:
        node: Node = new(Node)
        s_id(node, ident)
        s_name(node, name)
        s_level(node, level)
        s_owner(node, owner)
        s_parent(node, parent)
        s_children(node, children)
        s_targets(node, targets)
        s_budget(node, budget)
        s_loc(node, loc)
        s_potential(node, potential)
        s_key_accounts(node, key_accounts)
        return node

    return make


_ACTION_FIELDS = ("id", "what", "owner", "node", "supports", "due", "resources", "loc")
_RESOURCE_FIELDS = ("kind", "amount", "note", "loc")
_PERSON_FIELDS = (
    "id", "name", "role", "email", "title", "manager", "start", "end", "github", "loc",
)  # fmt: skip
_NODE_FIELDS = (
    "id", "name", "level", "owner", "parent", "children", "targets", "budget", "loc",
    "potential", "key_accounts",
)  # fmt: skip
_new_action = _action_maker()
_new_resource = _resource_maker()
_new_person = _person_maker()
_new_node = _node_maker()


@dataclass(frozen=True, slots=True)
class Duplicate:
    kind: str
    id: str
    loc: Loc
    first: Loc


# weakref_slot: what the checks derive from a plan is kept while it lives (checks/base.py)
@dataclass(frozen=True, slots=True, weakref_slot=True)
class Plan:
    quarter: Quarter
    currency: str
    locale: str
    company: str
    approved_ref: str | None
    pillars: Mapping[str, Pillar]
    metrics: Mapping[str, Metric]
    products: Mapping[str, Product]
    policy: Policy
    people: Mapping[str, Person]
    nodes: Mapping[str, Node]
    actions: tuple[Action, ...]
    adjustments: tuple[Adjustment, ...]
    references: tuple[Reference, ...]
    duplicates: tuple[Duplicate, ...]
    managers: Mapping[str, str]  # person -> effective manager
    files: tuple[str, ...]
    # how planc track reads CRM exports: the one source of ``actuals:``; None when the
    # plan names several (``actuals.sources``): then see ``actuals_sources`` and ``reading``
    actuals: ActualsMapping | None = None
    segments: Mapping[str, Segment] = field(default_factory=dict)  # customer segments, in order
    customers: Customers | None = None
    actuals_sources: tuple[ActualsMapping, ...] = ()  # every source, in the order written

    @property
    def several_sources(self) -> bool:
        """The plan's ``actuals:`` names sources (``actuals.sources``), even just one."""
        return any(source.name for source in self.actuals_sources)

    def reading(self, source: ActualsMapping) -> Plan:
        """The plan as one of its actuals sources sees it: ``actuals`` is that source.

        Tracking, the readers and the forecast work on one mapping; a plan with
        several sources is tracked source by source through this view.
        """
        return replace(self, actuals=source)

    def walk(self, start: str | None = None) -> Iterator[Node]:
        """Nodes top-down from ``start`` (default: the company), parents before children."""
        stack = [start or self.company]
        while stack:
            node = self.nodes.get(stack.pop())
            if node is None:
                continue
            yield node
            stack.extend(reversed(node.children))

    def ancestors(self, node_id: str) -> Iterator[Node]:
        """The node itself, then each parent up to the company (each node once: a node that
        is its own parent, through an id collision, ends the walk)."""
        nodes = self.nodes
        current = nodes.get(node_id)
        seen: list[str] = []  # a handful of levels: a list is cheaper than a set
        while current is not None and current.id not in seen:
            seen.append(current.id)
            yield current
            parent = current.parent
            current = nodes.get(parent) if parent else None


@dataclass(slots=True)
class _Builder:
    """Collects model objects and the facts checks need, in one pass over the documents."""

    problems: list[Diagnostic] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    seen: dict[tuple[str, str], Loc] = field(default_factory=dict)
    quarter_end: date = date.max

    def ref(self, kind: str, ident: str, role: str, loc: Loc) -> None:
        self.references.append(_new_reference(kind, ident, role, loc))

    def unique(self, kind: str, ident: str, loc: Loc) -> bool:
        first = self.seen.setdefault((kind, ident), loc)
        if first is loc:
            return True
        self.duplicates.append(Duplicate(kind, ident, loc, first))
        return False

    def day(self, text: str | None, parent: Loc, key: str) -> date | None:
        """The date ``text`` at ``parent / key`` (that path is made only for a problem: the
        model reads a date per action, person and target deadline)."""
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.problems.append(
                BAD_VALUE.at(
                    parent / key,
                    Message('"{text}" is not a real calendar date', text=text),
                    Message("write YYYY-MM-DD"),
                )
            )
            return None


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def _opt_dec(value: Any) -> Decimal | None:
    return None if value is None else _dec(value)


def build_plan(
    quarter_doc: tuple[str, dict[str, Any]],
    region_docs: list[tuple[str, dict[str, Any]]],
    memo: BuildMemo | None = None,
) -> tuple[Plan | None, list[Diagnostic]]:
    """Build the model from schema-valid documents (file path, data).

    ``region_docs`` is consumed: each region's raw data is dropped once built.
    ``memo``: what the last builds made of region files' teams, people and actions,
    reused where the raw values are the very same objects (see :class:`BuildMemo`).
    """
    b = _Builder()
    qfile, qdoc = quarter_doc
    top = Loc(qfile)
    quarter = _quarter(b, qdoc["quarter"], top / "quarter")
    if quarter is None:
        return None, b.problems
    b.quarter_end = quarter.end
    metrics = _keyed(b, "metric", qdoc["metrics"], top / "metrics", _metric)
    pillars = _keyed(b, "pillar", qdoc["pillars"], top / "pillars", _pillar)
    products = _keyed(b, "product", qdoc.get("products", []), top / "products", _product)
    segments = _keyed(b, "segment", qdoc.get("segments", []), top / "segments", _segment)
    for m in metrics.values():
        if m.pillar is not None:
            b.ref("pillar", m.pillar, f"pillar of metric {m.id}", m.loc / "pillar")
        if m.weight is not None:
            b.ref("metric", m.weight, f"weight of metric {m.id}", m.loc / "weight")
    policy = _policy(b, qdoc.get("policy", {}), top / "policy")
    org_defaults: dict[str, str] = {}  # person -> manager implied by where they sit

    company = qdoc["company"]
    company_loc = top / "company"
    _people(b, qdoc.get("people", []), top / "people")
    region_ids, actions, adjustments = _region_files(
        b, region_docs, company, metrics, org_defaults, memo
    )
    _add_node(
        b,
        company,
        company_loc,
        Level.COMPANY,
        None,
        tuple(region_ids),
        metrics,
        owner_role="company owner",
    )
    actions = _actions(b, qdoc.get("actions", []), top / "actions", company["id"]) + actions
    adjustments = _adjustments(b, qdoc.get("adjustments", []), top / "adjustments") + adjustments
    for tier in policy.approvals:
        if tier.approver not in ("team_owner", "region_owner", "company_owner"):
            b.ref("person", tier.approver, "approver", tier.loc / "approver")

    managers = _effective_managers(b.people, org_defaults)
    sources = _actuals_sources(qdoc.get("actuals"), top / "actuals")
    plan = Plan(
        quarter=quarter,
        currency=qdoc["currency"],
        locale=qdoc["locale"],
        company=company["id"],
        approved_ref=company.get("approved"),
        pillars=pillars,
        metrics=metrics,
        products=products,
        policy=policy,
        people=b.people,
        nodes=b.nodes,
        actions=tuple(actions),
        adjustments=tuple(adjustments),
        references=tuple(b.references),
        duplicates=tuple(b.duplicates),
        managers=managers,
        files=(qfile, *(f for f, _ in region_docs)),
        actuals=sources[0] if len(sources) == 1 and not sources[0].name else None,
        segments=segments,
        customers=_customers(qdoc.get("customers"), top / "customers"),
        actuals_sources=sources,
    )
    return plan, b.problems


def _region_files(
    b: _Builder,
    region_docs: list[tuple[str, dict[str, Any]]],
    company: dict[str, Any],
    metrics: Mapping[str, Metric],
    org_defaults: dict[str, str],
    memo: BuildMemo | None,
) -> tuple[list[str], list[Action], list[Adjustment]]:
    """The region files' people, regions, actions and adjustments (``region_docs`` consumed)."""
    made = (
        [memo.start(rfile, metrics, b.quarter_end) for rfile, _ in region_docs]
        if memo is not None
        else [None] * len(region_docs)
    )
    for (rfile, rdoc), file_memo in zip(region_docs, made, strict=True):
        people = rdoc.get("people", [])
        if file_memo is None:
            _people(b, people, Loc(rfile) / "people")
        else:
            file_memo.people(b, people, Loc(rfile) / "people")
    region_ids: list[str] = []
    actions: list[Action] = []
    adjustments: list[Adjustment] = []
    for index, (rfile, rdoc) in enumerate(region_docs):
        # Consume the raw document: the model replaces it, and a 50,000-rep plan
        # should not hold both in memory at once.
        region_docs[index] = (rfile, {})
        rtop = Loc(rfile)
        file_memo = made[index]
        org_defaults.setdefault(rdoc["region"]["owner"], company["owner"])
        region_id = _region(
            b, rdoc["region"], rtop / "region", company["id"], metrics, org_defaults, file_memo
        )
        if region_id is not None:
            region_ids.append(region_id)
        items, aloc, default = rdoc.get("actions", []), rtop / "actions", rdoc["region"]["id"]
        if file_memo is None:
            actions += _actions(b, items, aloc, default)
        else:
            actions += file_memo.actions(b, items, aloc, default)
        adjustments += _adjustments(b, rdoc.get("adjustments", []), rtop / "adjustments")
        del rdoc
    if memo is not None:
        for file_memo in made:
            if file_memo is not None:
                memo.keep(file_memo)
    return region_ids, actions, adjustments


def _range(raw: dict[str, Any] | None) -> tuple[Decimal | None, Decimal | None] | None:
    return None if raw is None else (_opt_dec(raw.get("min")), _opt_dec(raw.get("max")))


def _segment(raw: dict[str, Any], loc: Loc) -> Segment:
    sectors, offices = raw.get("sectors"), raw.get("offices")
    return Segment(
        id=raw["id"],
        name=raw["name"],
        key=bool(raw.get("key", False)),
        key_accounts=bool(raw.get("key_accounts", False)),
        new=bool(raw.get("new", False)),
        sectors=None if sectors is None else tuple(str(x) for x in sectors),
        offices=None if offices is None else tuple(str(x) for x in offices),
        revenue=_range(raw.get("revenue")),
        employees=_range(raw.get("employees")),
        loc=loc,
    )


def _customers(raw: dict[str, Any] | None, loc: Loc) -> Customers | None:
    if raw is None:
        return None
    new = raw.get("new") or {}
    return Customers(
        columns=dict(raw.get("columns") or {}),
        first_order=_dec(new.get("first_order", 0)),
        look_back_months=int(new["look_back_months"]) if "look_back_months" in new else None,
        loc=loc,
    )


def _keyed(
    b: _Builder, kind: str, items: list[dict[str, Any]], loc: Loc, make: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for index, item in enumerate(items):
        item_loc = loc / index
        if b.unique(kind, item["id"], item_loc / "id"):
            out[item["id"]] = make(item, item_loc)
    return out


def _quarter(b: _Builder, raw: dict[str, Any], loc: Loc) -> Quarter | None:
    start = b.day(raw["start"], loc, "start")
    end = b.day(raw["end"], loc, "end")
    if start is None or end is None:
        return None
    if end < start:
        b.problems.append(
            BAD_VALUE.at(
                loc / "end",
                Message("quarter ends ({end}) before it starts ({start})", end=end, start=start),
            )
        )
        return None
    _quarter_shape(b, raw["id"], start, end, loc)
    months: list[tuple[int, int]] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return Quarter(
        raw["id"],
        raw.get("name", raw["id"]),
        start,
        end,
        raw.get("fiscal_year"),
        tuple(months),
        loc,
    )


def _quarter_shape(b: _Builder, quarter_id: str, start: date, end: date, loc: Loc) -> None:
    """Three whole months, and the months its id names (a calendar id) — see PLC108, PLC109."""
    before = len(b.problems)
    if start.day != 1:
        b.problems.append(
            QUARTER_MONTHS.at(
                loc / "start",
                Message(
                    "the quarter starts on {start}, not on the first day of a month", start=start
                ),
                Message("start it on {day} (a quarter is whole months)", day=start.replace(day=1)),
            )
        )
    if end.day != last_day(end.year, end.month):
        b.problems.append(
            QUARTER_MONTHS.at(
                loc / "end",
                Message("the quarter ends on {end}, not on the last day of a month", end=end),
                Message("end it on {day}", day=end.replace(day=last_day(end.year, end.month))),
            )
        )
    span = month_span(start, end)
    if span != MONTHS:
        b.problems.append(
            QUARTER_MONTHS.at(
                loc / "end",
                Message(
                    "the quarter runs {start} to {end}: {span} month(s), a quarter is {months}",
                    start=start,
                    end=end,
                    span=span,
                    months=MONTHS,
                ),
                Message("end it on the last day of its third month"),
            )
        )
    named = parse_quarter_id(quarter_id)
    if named is None:
        b.problems.append(
            QUARTER_ID.at(
                loc / "id",
                Message("`{id}` is not a quarter id", id=quarter_id),
                Message(
                    "write YYYY-Qn for a calendar quarter (e.g. 2027-Q1) "
                    "or FYyy-Qn for a fiscal one (e.g. FY27-Q3)"
                ),
            )
        )
    elif not named.fiscal and len(b.problems) == before and (start, end) != named.calendar_months():
        first, last = named.calendar_months()
        fiscal = f"FY{start.year % 100:02d}-Q{named.number}"
        b.problems.append(
            QUARTER_ID.at(
                loc / "id",
                Message(
                    "{id} is the calendar quarter {first} to {last}, "
                    "but the dates say {start} to {end}",
                    id=quarter_id,
                    first=first,
                    last=last,
                    start=start,
                    end=end,
                ),
                Message(
                    "fix the id or the dates; for a fiscal quarter write {fiscal}",
                    fiscal=fiscal,
                ),
            )
        )


def _metric(raw: dict[str, Any], loc: Loc) -> Metric:
    unit = raw["unit"]
    scale = raw.get("scale")
    return Metric(
        id=raw["id"],
        name=raw["name"],
        unit=unit,
        rollup=raw.get("rollup", "sum" if unit in ("currency", "count") else "mean"),
        weight=raw.get("weight"),
        direction=raw.get("direction", "higher"),
        scale=(_dec(scale["min"]), _dec(scale["max"])) if scale else None,
        pillar=raw.get("pillar"),
        definition=raw.get("definition"),
        loc=loc,
    )


def _pillar(raw: dict[str, Any], loc: Loc) -> Pillar:
    return Pillar(raw["id"], raw["name"], raw.get("description"), loc)


def _product(raw: dict[str, Any], loc: Loc) -> Product:
    return Product(raw["id"], raw["name"], bool(raw.get("key", False)), loc)


def _band(raw: dict[str, Any] | None, default: tuple[int, int]) -> Band:
    if raw is None:
        return Band(Decimal(default[0]), Decimal(default[1]))
    return Band(_dec(raw["min"]), _dec(raw["max"]))


def _inverted_bands(b: _Builder, raw: dict[str, Any], loc: Loc) -> None:
    for name in ("over_assignment", "growth", "bottom_up_gap"):
        band = raw.get(name)
        if band is not None and _dec(band["min"]) > _dec(band["max"]):
            b.problems.append(
                INVERTED_BAND.at(
                    loc / name / "min",
                    Message(
                        "policy.{name} runs from {min} down to {max}: "
                        "min is above max, so nothing fits",
                        name=name,
                        min=str(band["min"]),
                        max=str(band["max"]),
                    ),
                    Message("swap them, or fix the one that is wrong"),
                )
            )


def _opt_band(raw: dict[str, Any] | None) -> Band | None:
    return None if raw is None else Band(_dec(raw["min"]), _dec(raw["max"]))


def _policy(b: _Builder, raw: dict[str, Any], loc: Loc) -> Policy:
    _inverted_bands(b, raw, loc)
    approvals = raw.get("approvals", [])
    tiers_loc = loc / "approvals"
    enforce = False
    if isinstance(approvals, dict):  # {enforce: true, tiers: [...]}
        enforce = bool(approvals.get("enforce", True))
        approvals = approvals.get("tiers", [])
        tiers_loc = tiers_loc / "tiers"
    tiers = tuple(
        ApprovalTier(_opt_dec(t.get("up_to")), t["approver"], tiers_loc / i)
        for i, t in enumerate(approvals)
    )
    over = raw.get("over_assignment") or {}
    cumulative = over.get("cumulative") or {}
    return Policy(
        over_assignment=_band(raw.get("over_assignment"), (0, 20)),
        cumulative_region=_opt_band(cumulative.get("region")),
        cumulative_company=_opt_band(cumulative.get("company")),
        stretch_band=_opt_band(over.get("stretch")),
        enforce_approvals=enforce,
        seasonality_gap=_dec(raw.get("seasonality_gap", 10)),
        growth=_band(raw.get("growth"), (-10, 40)),
        ramp=tuple(_dec(r) for r in raw.get("ramp", [100])),
        rounding=_opt_dec(raw.get("rounding")),
        tolerance=_dec(raw.get("tolerance", 0)),
        approvals=tiers,
        warnings=_warnings(raw.get("warnings")),
        loc=loc,
        bottom_up_gap=_band(raw["bottom_up_gap"], (0, 0)) if "bottom_up_gap" in raw else None,
    )


def _warnings(raw: dict[str, Any] | None) -> WarningPolicy:
    if raw is None:
        return WarningPolicy()
    default = WarningPolicy()
    return WarningPolicy(
        behind_pace=_dec(raw.get("behind_pace", default.behind_pace)),
        cap_above_pace=_dec(raw.get("cap_above_pace", default.cap_above_pace)),
        after_months=int(raw.get("after_months", default.after_months)),
        pipeline_coverage=(_dec(raw["pipeline_coverage"]) if "pipeline_coverage" in raw else None),
    )


def _actuals_sources(raw: dict[str, Any] | None, loc: Loc) -> tuple[ActualsMapping, ...]:
    """``actuals:`` as its sources: the one mapping, or each of ``actuals.sources`` by name."""
    if raw is None:
        return ()
    if "sources" not in raw:
        return (_actuals(raw, loc),)
    named = raw["sources"]
    return tuple(_actuals(named[name], loc / "sources" / name, name) for name in named)


def _actuals(raw: dict[str, Any], loc: Loc, name: str = "") -> ActualsMapping:
    stages = raw.get("stages") or {}
    return ActualsMapping(
        columns=dict(raw["columns"]),
        won=tuple(stages.get("won", ())),
        open=tuple(stages.get("open", ())),
        lost=tuple(stages.get("lost", ())),
        owners={str(k): v for k, v in (raw.get("owners") or {}).items()},
        products={str(k): v for k, v in (raw.get("products") or {}).items()},
        measures=dict(raw["metrics"]),
        date_format=raw.get("date_format"),
        encoding=raw.get("encoding", "utf-8"),
        sheet=raw.get("sheet"),
        loc=loc,
        duplicates=raw.get("duplicates", "error"),
        probabilities={str(k): _dec(v) for k, v in (raw.get("probabilities") or {}).items()},
        source=_sql_source(raw.get("source"), loc / "source"),
        name=name,
    )


def _sql_source(raw: dict[str, Any] | None, loc: Loc) -> SqlSource | None:
    if raw is None:
        return None
    return SqlSource(
        url_env=raw.get("url_env"),
        url=raw.get("url"),
        table=raw.get("table"),
        query=raw.get("query"),
        timeout=int(raw.get("timeout", DEFAULT_SQL_TIMEOUT)),
        loc=loc,
    )


def _people(b: _Builder, items: list[dict[str, Any]], loc: Loc) -> None:
    for index, raw in enumerate(items):
        ploc = loc / index
        if not b.unique("person", raw["id"], ploc / "id"):
            continue
        manager = raw.get("manager")
        if manager is not None:
            b.ref("person", manager, "manager", ploc / "manager")
        b.people[raw["id"]] = _new_person(
            raw["id"],
            raw["name"],
            raw["role"],
            raw.get("email"),
            raw.get("title"),
            manager,
            b.day(raw.get("start"), ploc, "start"),
            b.day(raw.get("end"), ploc, "end"),
            raw.get("github"),
            ploc,
        )


def _region(
    b: _Builder,
    raw: dict[str, Any],
    loc: Loc,
    company: str,
    metrics: Mapping[str, Metric],
    org_defaults: dict[str, str],
    memo: _FileMemo | None = None,
) -> str | None:
    team_ids: list[str] = []
    for t_index, team in enumerate(raw.get("teams", [])):
        tloc = loc / "teams" / t_index
        if memo is None:
            added = _team(b, team, tloc, raw, metrics, org_defaults)
        else:
            added = memo.team(b, team, tloc, raw, metrics, org_defaults)
        if added:
            team_ids.append(team["id"])
    if _add_node(b, raw, loc, Level.REGION, company, tuple(team_ids), metrics):
        return str(raw["id"])
    return None


def _team(
    b: _Builder,
    team: dict[str, Any],
    tloc: Loc,
    region: dict[str, Any],
    metrics: Mapping[str, Metric],
    org_defaults: dict[str, str],
) -> bool:
    """A team and its reps (whether the team's node was added: its id was new)."""
    rep_ids: list[str] = []
    reps_loc = tloc / "reps"
    for r_index, seat in enumerate(team.get("reps", [])):
        sloc = reps_loc / r_index
        person = seat["rep"]
        b.ref("person", person, "rep", sloc / "rep")
        if person == team["id"]:
            # A rep named like their own team would be a node that is its own parent
            # (walks up the tree would never end): an id used twice, PLC206.
            b.duplicates.append(Duplicate("node", person, sloc / "rep", tloc / "id"))
            continue
        org_defaults.setdefault(person, team["owner"])
        display = b.people[person].name if person in b.people else person
        node = {
            "id": person,
            "name": display,
            "owner": person,
            "targets": seat.get("targets"),
            "potential": seat.get("potential"),
            "key_accounts": seat.get("key_accounts"),
        }
        if _add_node(b, node, sloc, Level.REP, team["id"], (), metrics, id_key="rep"):
            rep_ids.append(person)
    if _add_node(b, team, tloc, Level.TEAM, region["id"], tuple(rep_ids), metrics):
        org_defaults.setdefault(team["owner"], region["owner"])
        return True
    return False


def _add_node(
    b: _Builder,
    raw: dict[str, Any],
    loc: Loc,
    level: Level,
    parent: str | None,
    children: tuple[str, ...],
    metrics: Mapping[str, Metric],
    *,
    id_key: str = "id",
    owner_role: str | None = None,
) -> bool:
    node_id = raw["id"]
    if not b.unique("node", node_id, loc / id_key):
        return False
    owner = raw["owner"]
    if level is not Level.REP:
        b.ref("person", owner, owner_role or f"{level.label} owner", loc / "owner")
    tloc = loc / "targets"
    targets = {
        metric: _target(b, node_id, metric, t, tloc / metric, owner, metrics)
        for metric, t in (raw.get("targets") or {}).items()
    }
    budgets = raw.get("budget") or {}
    budget = dict(zip(budgets, map(Decimal, budgets.values()), strict=True))  # _dec of each, in C
    potential = raw.get("potential")
    b.nodes[node_id] = _new_node(
        node_id,
        raw["name"],
        level,
        owner,
        parent,
        children,
        targets,
        budget,
        loc,
        None if potential is None else _dec(potential),
        tuple(raw.get("key_accounts") or ()),
    )
    return True


def _target(
    b: _Builder,
    node: str,
    metric: str,
    raw: dict[str, Any],
    loc: Loc,
    node_owner: str,
    metrics: Mapping[str, Metric],
) -> Target:
    # Target metric and product names are checked from the targets themselves
    # (PLC202, PLC203): recording a reference for each would double the model's cost.
    # The hot path of the model (one call per target): lookups bound once, Decimals made
    # only where the value is not one already, the Target built positionally.
    get = raw.get
    owner = get("owner")
    if owner is not None:
        b.ref("person", owner, "target owner", loc / "owner")
    pillar = get("pillar")
    if pillar is not None:
        b.ref("pillar", pillar, "pillar", loc / "pillar")
    elif metric in metrics:
        pillar = metrics[metric].pillar
    # _dec inline (one call saved per number: ~70,000 per 2,500-rep region file)
    products = get("products")
    if products is not None:
        products = dict(zip(products, map(Decimal, products.values()), strict=True))
    segments = get("segments")
    if segments is not None:
        segments = dict(zip(segments, map(Decimal, segments.values()), strict=True))
    months = get("months")
    baseline = get("baseline")
    if baseline:
        last_quarter = baseline.get("last_quarter")
        if last_quarter is not None and not isinstance(last_quarter, Decimal):
            last_quarter = Decimal(last_quarter)
        last_year = baseline.get("last_year")
        if last_year is not None and not isinstance(last_year, Decimal):
            last_year = Decimal(last_year)
        seasonality = baseline.get("last_year_months")
    else:
        last_quarter = last_year = seasonality = None
    deadline = get("deadline")
    stretch = get("stretch")
    bottom_up = get("bottom_up")
    value = raw["value"]
    return _new_target(
        node,
        metric,
        value if isinstance(value, Decimal) else Decimal(value),
        None if stretch is None else _dec(stretch),
        (b.day(deadline, loc, "deadline") if deadline else None) or b.quarter_end,
        owner or node_owner,
        pillar,
        last_quarter,
        last_year,
        # Decimal(m) of a Decimal is the same number (digits and exponent): _dec, in C
        None if months is None else tuple(map(Decimal, months)),
        products,
        get("note"),
        loc,
        None if bottom_up is None else _dec(bottom_up),
        None if seasonality is None else tuple(map(Decimal, seasonality)),
        segments,
    )


def _actions(b: _Builder, items: list[dict[str, Any]], loc: Loc, default_node: str) -> list[Action]:
    out: list[Action] = []
    for index, raw in enumerate(items):
        aloc = loc / index
        if not b.unique("action", raw["id"], aloc / "id"):
            continue
        b.ref("person", raw["owner"], "action owner", aloc / "owner")
        b.ref("metric", raw["supports"], "supported metric", aloc / "supports")
        node = raw.get("node", default_node)
        if "node" in raw:
            b.ref("node", node, "action node", aloc / "node")
        due = b.day(raw["due"], aloc, "due")
        if due is None:
            continue
        rloc = aloc / "resources"
        resources = tuple(
            [
                _new_resource(r["kind"], Decimal(r["amount"]), r.get("note"), rloc / i)
                for i, r in enumerate(raw.get("resources", []))
            ]
        )
        out.append(
            _new_action(
                raw["id"], raw["what"], raw["owner"], node, raw["supports"], due, resources, aloc
            )
        )
    return out


def _adjustments(b: _Builder, items: list[dict[str, Any]], loc: Loc) -> list[Adjustment]:
    out: list[Adjustment] = []
    for index, raw in enumerate(items):
        aloc = loc / index
        if not b.unique("adjustment", raw["id"], aloc / "id"):
            continue
        for i, person in enumerate(raw.get("approved_by", [])):
            b.ref("person", person, "approver", aloc / "approved_by" / i)
        changes = []
        for i, change in enumerate(raw["changes"]):
            node, metric = change["target"].split("/", 1)
            changes.append(
                Change(
                    node,
                    metric,
                    _opt_dec(change.get("from")),
                    _dec(change["to"]),
                    aloc / "changes" / i,
                )
            )
        day = b.day(raw["date"], aloc, "date")
        effective = b.day(raw["effective"], aloc, "effective")
        if day is None or effective is None:
            continue
        out.append(
            Adjustment(
                raw["id"],
                day,
                effective,
                raw["cause"],
                raw["note"],
                tuple(raw.get("approved_by", [])),
                tuple(changes),
                aloc,
            )
        )
    return out


def _effective_managers(
    people: Mapping[str, Person], org_defaults: Mapping[str, str]
) -> dict[str, str]:
    managers: dict[str, str] = {}
    for person in people.values():
        manager = person.manager or org_defaults.get(person.id)
        if manager is not None and manager != person.id:
            managers[person.id] = manager
    return managers


class BuildMemo:
    """What :func:`build_plan` made of each region file's teams, people and actions, for a
    process that builds the model of the same files again and again (the language
    server: one team of one file changed per edit; ~60 % of the model's time is the
    other teams, the people and the actions of that file).

    A piece is reused only when the next build gets the *very same* raw object (a caller
    that shares the values of unchanged teams and never changes them,
    :class:`planc.checks.partition.TeamValues`) at the same place, in the same context
    (the metrics and their pillars, the quarter's end; a team's region id and owner and
    the names its reps are shown by), and only if it was clean when it was made: every
    id new, no problem, no duplicate. Reusing it adds what building it again would add,
    in the same order: its references, its ids, its nodes, people or actions, the
    managers its seats imply. When one of its ids is taken already, it is built again
    (the duplicate is then found as before). The model's objects are frozen, so two
    plans may share them.

    Keeps, for the last :data:`FILES` files built, what their last build used or made.
    """

    FILES = 2  # as many as warmup.MAX_FILES (~135 MB each for a 2,000-rep file)

    __slots__ = ("_files",)

    def __init__(self) -> None:
        self._files: dict[str, _FileMemo] = {}

    def start(self, rfile: str, metrics: Mapping[str, Metric], quarter_end: date) -> _FileMemo:
        context = (tuple([(k, m.pillar) for k, m in metrics.items()]), quarter_end)
        before = self._files.pop(rfile, None)
        old = before.made if before is not None and before.context == context else {}
        return _FileMemo(rfile, context, old)

    def keep(self, memo: _FileMemo) -> None:
        self._files.pop(memo.file, None)
        self._files[memo.file] = memo
        while len(self._files) > self.FILES:
            del self._files[next(iter(self._files))]


@dataclass(frozen=True, slots=True)
class _Made:
    """One clean piece of a build (a team with its reps, a file's people or actions)."""

    raw: Any  # the raw value it was made from (kept alive: compared by identity)
    size: int  # its length (of a list), or its reps' count
    context: tuple[Any, ...]  # what else it was made from (a team's region id and owner, names)
    references: tuple[Reference, ...]
    seen: tuple[tuple[tuple[str, str], Loc], ...]  # ids it defines and where
    made: tuple[tuple[str, Any], ...]  # id -> node or person, in order; or the actions
    managers: tuple[tuple[str, str], ...]  # org_defaults.setdefault calls, in order


class _FileMemo:
    """One region file's pieces during one build: ``old`` from the last build, ``made`` what
    this one used or made (kept for the next)."""

    __slots__ = ("context", "file", "made", "old")

    def __init__(self, file: str, context: tuple[Any, ...], old: dict[Any, _Made]) -> None:
        self.file = file
        self.context = context
        self.old = old
        self.made: dict[Any, _Made] = {}

    def _reusable(self, b: _Builder, key: Any, raw: Any, size: int, context: Any) -> _Made | None:
        entry = self.old.get(key)
        if (
            entry is None
            or entry.raw is not raw
            or entry.size != size
            or entry.context != context
            or any(seen in b.seen for seen, _ in entry.seen)
        ):
            return None
        b.references.extend(entry.references)
        b.seen.update(entry.seen)
        self.made[key] = entry
        return entry

    def team(
        self,
        b: _Builder,
        team: dict[str, Any],
        tloc: Loc,
        region: dict[str, Any],
        metrics: Mapping[str, Metric],
        org_defaults: dict[str, str],
    ) -> bool:
        seats = team.get("reps", [])
        reps = [seat["rep"] for seat in seats]
        people = b.people
        shown = tuple([people[p].name if p in people else p for p in reps])
        context = (region["id"], region["owner"], shown)
        entry = self._reusable(b, ("team", tloc), team, len(seats), context)
        if entry is not None:
            b.nodes.update(entry.made)
            for person, manager in entry.managers:
                org_defaults.setdefault(person, manager)
            return True
        references, problems, duplicates = len(b.references), len(b.problems), len(b.duplicates)
        added = _team(b, team, tloc, region, metrics, org_defaults)
        if added and len(b.problems) == problems and len(b.duplicates) == duplicates:
            ids = [*reps, team["id"]]
            self.made[("team", tloc)] = _Made(
                team,
                len(seats),
                context,
                tuple(b.references[references:]),
                tuple([(("node", i), b.seen[("node", i)]) for i in ids]),
                tuple([(i, b.nodes[i]) for i in ids]),
                (*((p, team["owner"]) for p in reps), (team["owner"], region["owner"])),
            )
        return added

    def people(self, b: _Builder, items: list[dict[str, Any]], loc: Loc) -> None:
        if self._people_again(b, items, loc):
            return
        references, problems, duplicates = len(b.references), len(b.problems), len(b.duplicates)
        _people(b, items, loc)
        if len(b.problems) == problems and len(b.duplicates) == duplicates:
            ids = [raw["id"] for raw in items]
            self.made[("people", loc)] = _Made(
                items,
                len(items),
                (),
                tuple(b.references[references:]),
                tuple([(("person", i), b.seen[("person", i)]) for i in ids]),
                tuple([(i, b.people[i]) for i in ids]),
                (),
            )

    def _people_again(self, b: _Builder, items: list[dict[str, Any]], loc: Loc) -> bool:
        entry = self._reusable(b, ("people", loc), items, len(items), ())
        if entry is None:
            return False
        b.people.update(entry.made)
        return True

    def actions(
        self, b: _Builder, items: list[dict[str, Any]], loc: Loc, default_node: str
    ) -> list[Action]:
        key = ("actions", loc)
        entry = self._reusable(b, key, items, len(items), (default_node,))
        if entry is not None:
            return [action for _, action in entry.made]
        references, problems, duplicates = len(b.references), len(b.problems), len(b.duplicates)
        out = _actions(b, items, loc, default_node)
        if len(b.problems) == problems and len(b.duplicates) == duplicates:
            self.made[key] = _Made(
                items,
                len(items),
                (default_node,),
                tuple(b.references[references:]),
                tuple([(("action", raw["id"]), b.seen[("action", raw["id"])]) for raw in items]),
                tuple([(action.id, action) for action in out]),
                (),
            )
        return out
