"""Resources (PLC5xx): what action plans ask for fits the budgets."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from planc.checks.base import Finding, ancestry, check, level_id
from planc.core.diagnostics import Message, Severity
from planc.core.model import Plan
from planc.core.source import Loc


def requested(plan: Plan) -> dict[tuple[str, str], tuple[Decimal, int]]:
    """(node, kind) → (amount requested in the node's subtree, number of requests).

    Summed where the actions sit first, then carried up once per node and kind
    (not once per request: a large plan has a few requests per rep).
    """
    return _requested(plan, budgeted=False)


def _requested(plan: Plan, *, budgeted: bool) -> dict[tuple[str, str], tuple[Decimal, int]]:
    """:func:`requested`; with ``budgeted`` only its keys whose node has a budget of that
    kind (all PLC501 reads: most nodes have no budget, so most sums are never made)."""
    zero = (Decimal(0), 0)
    direct: dict[tuple[str, str], tuple[Decimal, int]] = {}
    for action in plan.actions:
        if not action.resources:
            continue
        node_id = action.node
        for resource in action.resources:
            key = (node_id, resource.kind)
            total, count = direct.get(key, zero)
            direct[key] = (total + resource.amount, count + 1)
    totals: dict[tuple[str, str], tuple[Decimal, int]] = defaultdict(lambda: zero)
    chains = ancestry(plan)  # node -> plan.ancestors(node), once per plan
    nodes = plan.nodes
    for (node_id, kind), (amount_here, count_here) in direct.items():
        for above in chains.get(node_id, ()):
            if budgeted:
                node = nodes.get(above.id)
                if node is None or kind not in node.budget:
                    continue
            key = (above.id, kind)
            total, count = totals[key]
            totals[key] = (total + amount_here, count + count_here)
    return totals


@check("PLC501", Severity.ERROR)
def resources_over_budget(plan: Plan) -> Iterator[Finding]:
    """Action items in part of the org ask for more of a resource than its budget.

    Resources count against the budget of the action's node and every node
    above it that has a budget of that kind.

    Fails::

        region: {id: east, ..., budget: {marketing: 50000}}
        actions:
          - {id: expo, ..., resources: [{kind: marketing, amount: 80000}]}

    Passes::

        region: {id: east, ..., budget: {marketing: 100000}}
        actions:
          - {id: expo, ..., resources: [{kind: marketing, amount: 80000}]}
    """
    return over_budget(plan, _requested(plan, budgeted=True))


def over_budget(plan: Plan, asked: dict[tuple[str, str], tuple[Decimal, int]]) -> Iterator[Finding]:
    """PLC501's findings for the requests ``asked`` ((node, kind) -> (amount, count)): the
    partitioned check adds the region files' requests to the summary plan's."""
    nodes = plan.nodes
    over = [
        (key, found)
        for key, found in asked.items()
        if key[0] in nodes
        and key[1] in nodes[key[0]].budget
        and found[0] > nodes[key[0]].budget[key[1]]
    ]
    for (node_id, kind), (total, count) in sorted(over):
        node = nodes[node_id]
        budget = node.budget[kind]
        if total > budget:
            yield (
                node.loc / "budget" / kind,
                Message(
                    "{node} {kind}: {count} request(s) add up to {total}, the budget is {budget} "
                    "(over by {over})",
                    node=level_id(node),
                    kind=kind,
                    count=count,
                    total=total,
                    budget=budget,
                    over=total - budget,
                ),
                Message("cut or move requests, or raise the budget"),
            )


@check("PLC502", Severity.ERROR)
def budgets_exceed_parent(plan: Plan) -> Iterator[Finding]:
    """Children's budgets of a kind add up to more than their parent's budget.

    Fails::

        company: {..., budget: {marketing: 100000}}
        # regions east and north each have budget: {marketing: 60000}

    Passes: the regions' marketing budgets add up to 100,000 or less.
    """
    for node in plan.nodes.values():
        for kind, budget in sorted(node.budget.items()):
            children = [plan.nodes[c] for c in node.children if c in plan.nodes]
            given = [c.budget[kind] for c in children if kind in c.budget]
            total = sum(given, Decimal(0))
            if given and total > budget:
                yield (
                    node.loc / "budget" / kind,
                    Message(
                        "{node} {kind}: {count} budget(s) below add up to {total}, above this "
                        "budget of {budget}",
                        node=level_id(node),
                        kind=kind,
                        count=len(given),
                        total=total,
                        budget=budget,
                    ),
                    Message("lower the budgets below or raise this one"),
                )


@check("PLC503", Severity.WARNING)
def resource_without_budget(plan: Plan) -> Iterator[Finding]:
    """An action asks for a kind of resource no budget above it provides.

    Fails::

        actions:
          - {id: expo, ..., resources: [{kind: samples, amount: 5000}]}
        # and no node above has budget: {samples: ...}

    Passes: the region, a team above the action, or the company has a samples budget.
    """
    provided: dict[str, set[str]] = {}  # node -> every kind a budget above it provides
    chains = ancestry(plan)
    for action in plan.actions:
        if not action.resources or action.node not in plan.nodes:
            continue
        kinds = provided.get(action.node)
        if kinds is None:
            kinds = provided[action.node] = {
                kind for n in chains.get(action.node, ()) for kind in n.budget
            }
        for resource in action.resources:
            if resource.kind not in kinds:
                where: Loc = resource.loc / "kind"
                yield (
                    where,
                    Message(
                        "action {id} asks for {amount} of {kind}, which no budget above {node} "
                        "provides",
                        id=action.id,
                        amount=resource.amount,
                        kind=resource.kind,
                        node=action.node,
                    ),
                    Message(
                        "add {kind} to a budget, or use a kind that has one", kind=resource.kind
                    ),
                )


CHECKS = (resources_over_budget, budgets_exceed_parent, resource_without_budget)
