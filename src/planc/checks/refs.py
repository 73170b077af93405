"""References (PLC2xx): every name used exists, ids are unique, the org is a tree."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from types import MappingProxyType

from planc.checks.base import Finding, check, per_plan
from planc.core.diagnostics import Message, Severity
from planc.core.model import Level, Plan, Reference
from planc.core.spelling import closest


@per_plan
def _references_by_kind(plan: Plan) -> Mapping[str, tuple[Reference, ...]]:
    """The plan's references of each kind, in the plan's order (four checks read one kind
    each: one pass over ~20,000 references instead of four)."""
    by_kind: dict[str, list[Reference]] = {}
    for ref in plan.references:
        by_kind.setdefault(ref.kind, []).append(ref)
    return MappingProxyType({kind: tuple(refs) for kind, refs in by_kind.items()})


# Set by the partitioned check while PLC201 and PLC205 run over a region file: it chooses
# their hints afterwards among every id of the plan, so a hint among the ids of the quarter
# and region files alone (~1 ms each: difflib over every person) would be thrown away.
HINTS_LATER: ContextVar[bool] = ContextVar("planc_hints_later", default=False)
_LATER = Message("")  # the hint of a finding whose hint is chosen later


def _unknown(
    plan: Plan, kind: str, known: Mapping[str, object], where: Message
) -> Iterator[Finding]:
    later = HINTS_LATER.get()
    for ref in _references_by_kind(plan).get(kind, ()):
        if ref.id not in known:
            yield (
                ref.loc,
                _not_known(kind, _role(ref.role), ref.id),
                _LATER if later else _closest(ref.id, known, where),
            )


def _not_known(kind: str, role: str, ident: str) -> Message:
    if kind == "person":
        return Message("{role} `{id}` is not a known person", role=role, id=ident)
    if kind == "metric":
        return Message("{role} `{id}` is not a known metric", role=role, id=ident)
    if kind == "pillar":
        return Message("{role} `{id}` is not a known pillar", role=role, id=ident)
    if kind == "node":
        return Message("{role} `{id}` is not a known node", role=role, id=ident)
    return Message("{role} `{id}` is not a known {kind}", role=role, id=ident, kind=kind)


# the roles a reference plays (core.model), in the reader's words
_ROLES = {
    "approver": Message("approver"),
    "manager": Message("manager"),
    "rep": Message("rep"),
    "target owner": Message("target owner"),
    "pillar": Message("pillar"),
    "action owner": Message("action owner"),
    "supported metric": Message("supported metric"),
    "action node": Message("action node"),
    "company owner": Message("company owner"),
    "region owner": Message("region owner"),
    "team owner": Message("team owner"),
    "rep owner": Message("rep owner"),
}
_OF_METRIC = re.compile(r"(pillar|weight) of metric (.+)")


def _role(role: str) -> str:
    known = _ROLES.get(role)
    if known is not None:
        return known
    of_metric = _OF_METRIC.fullmatch(role)
    if of_metric is not None and of_metric[1] == "pillar":
        return Message("pillar of metric {id}", id=of_metric[2])
    if of_metric is not None:
        return Message("weight of metric {id}", id=of_metric[2])
    return role  # a role named in the plan (an owner's role), as written there


def _closest(name: str, known: Mapping[str, object], where: str) -> Message:
    close = closest(name, known)
    if close:
        return Message("did you mean `{near}`?", near=close)
    return Message("add `{name}` to {where}", name=name, where=where)


#: the hint of an unknown name (the partitioned check chooses it among every id of the plan)
closest_hint = _closest


@check("PLC201", Severity.ERROR)
def unknown_person(plan: Plan) -> Iterator[Finding]:
    """An owner, manager, rep, approver or action owner names no listed person.

    Every person is listed once under some file's ``people:``.

    Fails::

        teams:
          - {id: east-ent, name: Enterprise, owner: li-naa}

    Passes::

        teams:
          - {id: east-ent, name: Enterprise, owner: li-na}
        people:
          - {id: li-na, name: 李娜, role: manager}
    """
    yield from _unknown(plan, "person", plan.people, Message("a people: list"))


@check("PLC202", Severity.ERROR)
def unknown_metric(plan: Plan) -> Iterator[Finding]:
    """A target, action or metric weight names a metric that is not defined.

    Fails::

        targets:
          revenu: {value: 500000}

    Passes::

        targets:
          revenue: {value: 500000}
    """
    yield from _unknown(plan, "metric", plan.metrics, Message("metrics: in the quarter file"))
    known = plan.metrics
    for node in plan.nodes.values():
        for metric, target in node.targets.items():
            if metric not in known:
                yield (
                    target.loc.as_key(),
                    Message("target metric `{metric}` is not a known metric", metric=metric),
                    _closest(metric, known, Message("metrics: in the quarter file")),
                )


@check("PLC203", Severity.ERROR)
def unknown_product(plan: Plan) -> Iterator[Finding]:
    """A product split names a product line that is not defined.

    Fails::

        products: {GTXPro: 300000, basic: 200000}

    Passes::

        products: {gtx-pro: 300000, basic: 200000}
    """
    known = plan.products
    for node in plan.nodes.values():
        for target in node.targets.values():
            for product in target.products or ():
                if product not in known:
                    yield (
                        (target.loc / "products" / product).as_key(),
                        Message("product line `{product}` is not a known product", product=product),
                        _closest(product, known, Message("products: in the quarter file")),
                    )


@check("PLC204", Severity.ERROR)
def unknown_pillar(plan: Plan) -> Iterator[Finding]:
    """A target or metric names a strategy pillar that is not defined.

    Fails::

        revenue: {value: 500000, pillar: growht}

    Passes::

        revenue: {value: 500000, pillar: growth}
    """
    yield from _unknown(plan, "pillar", plan.pillars, Message("pillars: in the quarter file"))


@check("PLC205", Severity.ERROR)
def unknown_node(plan: Plan) -> Iterator[Finding]:
    """An action belongs to a region, team or rep that does not exist.

    Fails::

        actions:
          - {id: expo, what: Trade fair, owner: li-na, node: east-entt, supports: revenue, due: 2027-02-01}

    Passes::

        actions:
          - {id: expo, what: Trade fair, owner: li-na, node: east-ent, supports: revenue, due: 2027-02-01}
    """
    yield from _unknown(plan, "node", plan.nodes, Message("the org tree"))


@check("PLC206", Severity.ERROR)
def duplicate_id(plan: Plan) -> Iterator[Finding]:
    """Two things of the same kind share an id (people, regions, teams, metrics, actions...).

    Ids name things across files, so each must be unique in the whole plan.

    Fails::

        people:
          - {id: zhang-wei, name: 张伟, role: rep}
          - {id: zhang-wei, name: 张玮, role: rep}

    Passes::

        people:
          - {id: zhang-wei, name: 张伟, role: rep}
          - {id: zhang-wei-2, name: 张玮, role: rep}
    """
    for dup in plan.duplicates:
        if dup.kind == "node" and dup.loc.path[-1:] == ("rep",) and dup.first.path[-1:] == ("rep",):
            continue  # a rep seated twice: PLC208 says it better
        first = f"{dup.first.file}:{'/'.join(map(str, dup.first.path))}"
        yield (
            dup.loc,
            _already_used(dup.kind, dup.id, first),
            Message("give each one its own id"),
        )


@check("PLC207", Severity.ERROR)
def management_cycle(plan: Plan) -> Iterator[Finding]:
    """People's managers form a loop, so nobody is at the top of it.

    Fails::

        people:
          - {id: a, name: A, role: manager, manager: b}
          - {id: b, name: B, role: manager, manager: a}

    Passes::

        people:
          - {id: a, name: A, role: manager, manager: b}
          - {id: b, name: B, role: director}
    """
    for someone in plan.people.values():
        if someone.manager == someone.id:  # a loop of one: not in plan.managers
            yield (
                someone.loc / "manager",
                Message("management cycle: {id} is their own manager", id=someone.id),
                Message("set their manager to the person they report to, or remove it"),
            )
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(plan.managers):
        path: list[str] = []
        person: str | None = start
        while person is not None and state.get(person) is None:
            state[person] = 1
            path.append(person)
            person = plan.managers.get(person)
        if person is not None and state.get(person) == 1:
            cycle = path[path.index(person) :]
            first = min(cycle)
            ordered = cycle[cycle.index(first) :] + cycle[: cycle.index(first)]
            loop = " → ".join([*ordered, first])
            where = plan.people[first].loc
            yield (
                where / "manager" if plan.people[first].manager else where,
                Message("management cycle: {loop}", loop=loop),
                Message("set one person's manager to someone outside the loop"),
            )
        for member in path:
            state[member] = 2


@check("PLC208", Severity.ERROR)
def rep_in_two_teams(plan: Plan) -> Iterator[Finding]:
    """A rep has a seat in more than one team.

    Each rep sits in exactly one team, or their targets would count twice.

    Fails::

        teams:
          - {id: a, name: A, owner: li-na, reps: [{rep: zhang-wei}]}
          - {id: b, name: B, owner: li-na, reps: [{rep: zhang-wei}]}

    Passes::

        teams:
          - {id: a, name: A, owner: li-na, reps: [{rep: zhang-wei}]}
          - {id: b, name: B, owner: li-na, reps: [{rep: wang-fang}]}
    """
    for dup in plan.duplicates:
        if dup.kind == "node" and dup.loc.path[-1:] == ("rep",) and dup.first.path[-1:] == ("rep",):
            first_team = _team_of(plan, dup.id)
            yield (
                dup.loc,
                Message("rep `{id}` already sits in team `{team}`", id=dup.id, team=first_team),
                Message("keep one seat; move targets with an adjustment if the rep changes team"),
            )


def _already_used(kind: str, ident: str, first: str) -> Message:
    if kind == "person":
        return Message("person id `{id}` is already used (first at {first})", id=ident, first=first)
    if kind == "node":
        return Message("node id `{id}` is already used (first at {first})", id=ident, first=first)
    if kind == "action":
        return Message("action id `{id}` is already used (first at {first})", id=ident, first=first)
    if kind == "adjustment":
        return Message(
            "adjustment id `{id}` is already used (first at {first})", id=ident, first=first
        )
    if kind == "metric":
        return Message("metric id `{id}` is already used (first at {first})", id=ident, first=first)
    if kind == "pillar":
        return Message("pillar id `{id}` is already used (first at {first})", id=ident, first=first)
    if kind == "product":
        return Message(
            "product id `{id}` is already used (first at {first})", id=ident, first=first
        )
    if kind == "segment":
        return Message(
            "segment id `{id}` is already used (first at {first})", id=ident, first=first
        )
    return Message(
        "{kind} id `{id}` is already used (first at {first})", kind=kind, id=ident, first=first
    )


def _team_of(plan: Plan, rep: str) -> str:
    node = plan.nodes.get(rep)
    return node.parent if node is not None and node.parent else "?"


@check("PLC209", Severity.WARNING)
def rep_without_team(plan: Plan) -> Iterator[Finding]:
    """A person with the role rep has no seat in any team, so carries no targets.

    Fails::

        people:
          - {id: zhang-wei, name: 张伟, role: rep}
        # ...and no team lists `rep: zhang-wei`

    Passes::

        reps:
          - rep: zhang-wei
    """
    for person in plan.people.values():
        node = plan.nodes.get(person.id)
        if person.role == "rep" and (node is None or node.level is not Level.REP):
            yield (
                person.loc / "id",
                Message("rep `{id}` ({name}) sits in no team", id=person.id, name=person.name),
                Message("add them to a team's reps, or change their role"),
            )


CHECKS = (
    unknown_person, unknown_metric, unknown_product, unknown_pillar, unknown_node,
    duplicate_id, management_cycle, rep_in_two_teams, rep_without_team,
)  # fmt: skip
