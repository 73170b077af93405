"""The index page from per-region fragments: what the index reads of each region file.

The index reads the whole plan: its org tree lists every node, its reconciliation
looks at every split, the company's split table, month and product charts and
bottom-up gaps add up the regions. A render after one region file R changed
builds the model of every file only for the index (a model of the quarter file
Q and R is a third of the time at 10,000 reps; notes-16r3). This module is the
index's half of rendering from a model of Q + R: a *fragment* of a region file is
exactly what the index reads of its nodes, made from a render's model
(:func:`fragment`), and :func:`index_page` builds the index from a model of the
other files and the fragments of the files it lacks.

A fragment is a function of the region file, the quarter file (metrics,
pillars, policy, locale, company) and what every page reads (options,
revision): a render may take it from its record under the file's region key
(:mod:`planc.site.reuse`), which covers all of these. It holds, as plain JSON:

- ``reps``: how many rep nodes the file defines;
- ``overs``: per summed metric, how many splits its nodes make and the least and
  most over-assignment (the reconciliation shows only these);
- ``regions``: each region the file puts under the company, in order: its node
  (every field the split table reads: name, owner, level, targets in full), its
  months and product split as the company's derived charts add them up, its
  bottom-up number per summed metric (the company's gap), its org tree as shown.

What a fragment cannot stand for, :func:`index_page` refuses (None: build the
index from the whole model): a single brief, actuals (early warnings and
progress read every target), any diagnostic the index lists (their messages are
made over the whole model), an adjustment that is defined in a fragment's file or
changes a node of it (the company lists every adjustment with its nodes' names),
a company owner the model at hand does not know, a file whose nodes are not whole
subtrees under the company, a fragment of another shape or another set of
summed metrics, an id given twice. ``index_page(...) == views.index()`` for the
whole model is what the tests assert, in English and Chinese, after edits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from planc.core.diagnostics import Severity
from planc.core.model import Level, Metric, Node, Plan, Target
from planc.core.pipeline import CheckResult
from planc.core.source import Loc
from planc.site.progress import Gaps
from planc.site.render import (
    AdjustmentView,
    ChangeView,
    IndexPage,
    Link,
    TreeNode,
    _Views,
    over_range,
    split_overs,
)

FORMAT = 1

_Number = tuple[Decimal, bool] | None


# --------------------------------------------------------------------------- making


def fragment(
    views: _Views, path: str, counts: Mapping[str, int] | None = None
) -> dict[str, Any] | None:
    """What the index reads of region file ``path``'s nodes, as plain JSON; None when the
    file cannot be stood for by one (its nodes are not whole subtrees under the
    company, or an adjustment names one of them). ``counts``: how many nodes each file
    defines, if known (:func:`node_counts`; a render asks for every file's fragment)."""
    plan = views.plan
    company = plan.nodes.get(plan.company)
    found_nodes = _subtrees(plan, path, counts)
    if company is None or found_nodes is None or _crosses(plan, path, found_nodes[1]):
        return None
    regions, below = found_nodes
    defined = {a.id for a in plan.adjustments if a.loc.file == path}
    shown = [a for a in views.adjustments(company) if a.id in defined]
    summed = [m for m in plan.metrics.values() if m.summed]
    overs: dict[str, list[Any]] = {}
    nodes = [plan.nodes[n] for n in below]
    for metric in summed:
        found = over_range(split_overs(plan, nodes, metric))
        if found is not None:
            overs[metric.id] = [found[0], str(found[1]), str(found[2])]
    gaps = views.extras.gaps
    numbers = gaps._number if isinstance(gaps, Gaps) else None
    if numbers is None:
        return None
    return {
        "format": FORMAT,
        "summed": [m.id for m in summed],
        "reps": sum(1 for n in below if plan.nodes[n].level is Level.REP),
        "overs": overs,
        "regions": [_region(views, region, summed, numbers) for region in regions],
        "adjustments": [_adjustment(a) for a in shown],
    }


def _adjustment(view: AdjustmentView) -> list[Any]:
    changes = [[c.target, c.before, c.after, c.delta] for c in view.changes]
    return [
        view.id,
        view.decided,
        view.effective,
        view.cause,
        view.note,
        view.approved_by,
        changes,
        view.hidden,
    ]


def _subtrees(
    plan: Plan, path: str, counts: Mapping[str, int] | None
) -> tuple[list[Node], set[str]] | None:
    """The regions file ``path`` puts under the company and every node below them, when
    those are exactly the file's nodes (whole subtrees); None otherwise."""
    company = plan.nodes.get(plan.company)
    if company is None or company.loc.file == path:
        return None
    regions = [
        plan.nodes[c]
        for c in company.children
        if c in plan.nodes and plan.nodes[c].loc.file == path
    ]
    below: set[str] = set()
    for region in regions:
        for node in plan.walk(region.id):
            if node.id in below:  # reached twice: not a tree
                return None
            below.add(node.id)
    counted = (counts if counts is not None else node_counts(plan)).get(path, 0)
    # every node below the file's regions is the file's, and no other node of it
    if not regions or counted != len(below):
        return None
    if any(plan.nodes[n].loc.file != path for n in below):
        return None
    return regions, below


def _crosses(plan: Plan, path: str, below: set[str]) -> bool:
    """Whether an adjustment or action names a node across the file's bounds (an action
    at the company is listed on every brief; the company lists every adjustment)."""
    for adjustment in plan.adjustments:
        inside = [c.node in below for c in adjustment.changes]
        if (adjustment.loc.file == path and not all(inside)) or (
            adjustment.loc.file != path and any(inside)
        ):
            return True
    return any((a.loc.file == path) != (a.node in below) for a in plan.actions)


def node_counts(plan: Plan) -> dict[str, int]:
    """How many nodes each file defines."""
    counts: dict[str, int] = {}
    for node in plan.nodes.values():
        counts[node.loc.file] = counts.get(node.loc.file, 0) + 1
    return counts


def _region(views: _Views, node: Node, summed: list[Metric], numbers: Any) -> dict[str, Any]:
    months: dict[str, Any] = {}
    products: dict[str, Any] = {}
    bottom_up: dict[str, Any] = {}
    for metric in summed:
        found_months = views.months_of(node, metric.id)
        months[metric.id] = None if found_months is None else [str(v) for v in found_months]
        found_products = views.products_of(node, metric.id)
        products[metric.id] = (
            None if found_products is None else [[k, str(v)] for k, v in found_products.items()]
        )
        number = numbers(node, metric.id)
        bottom_up[metric.id] = None if number is None else [str(number[0]), number[1]]
    return {
        "node": [
            node.id,
            node.name,
            int(node.level),
            node.owner,
            node.parent,
            [_target(t) for t in node.targets.values()],
            [[k, str(v)] for k, v in node.budget.items()],
            None if node.potential is None else str(node.potential),
            list(node.key_accounts),
        ],
        "months": months,
        "products": products,
        "numbers": bottom_up,
        "tree": _tree(views.tree(node)),
    }


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decs(values: Sequence[Decimal] | None) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


def _pairs(values: Mapping[str, Decimal] | None) -> list[list[str]] | None:
    return None if values is None else [[k, str(v)] for k, v in values.items()]


def _target(t: Target) -> list[Any]:
    return [
        t.metric,
        str(t.value),
        _dec(t.stretch),
        t.deadline.toordinal(),
        t.owner,
        t.pillar,
        _dec(t.last_quarter),
        _dec(t.last_year),
        _decs(t.months),
        _pairs(t.products),
        t.note,
        _dec(t.bottom_up),
        _decs(t.last_year_months),
        _pairs(t.segments),
    ]


def _tree(tree: TreeNode) -> list[Any]:
    return [
        tree.link.text,
        tree.link.href,
        tree.owner,
        tree.value,
        tree.over,
        [_tree(c) for c in tree.children],
    ]


# --------------------------------------------------------------------------- reading


class _Bad(Exception):
    """A fragment not of the shape :func:`fragment` makes."""


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _int(value: Any) -> int:
    if type(value) is not int:
        raise _Bad
    return value


def _list(value: Any, size: int | None = None) -> list[Any]:
    if not isinstance(value, list) or (size is not None and len(value) != size):
        raise _Bad
    return value


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise _Bad
    return value


def _decimal(value: Any) -> Decimal:
    try:
        found = Decimal(_str(value))
    except InvalidOperation:
        raise _Bad from None
    # what a render makes: exact numbers of a plan or sums in Decimal's 28-digit context,
    # far inside these exponents; beyond them the index's adds and formats overflow
    if not found.is_finite() or len(found.as_tuple().digits) > 28 or abs(found.adjusted()) > 100:
        raise _Bad
    return found


def _opt_decimal(value: Any) -> Decimal | None:
    return None if value is None else _decimal(value)


def _opt_decimals(value: Any) -> tuple[Decimal, ...] | None:
    return None if value is None else tuple(_decimal(v) for v in _list(value))


def _opt_mapping(value: Any) -> dict[str, Decimal] | None:
    if value is None:
        return None
    return {_str(k): _decimal(v) for k, v in (_list(pair, 2) for pair in _list(value))}


def _read_target(node: str, value: Any, loc: Loc) -> Target:
    (
        metric,
        amount,
        stretch,
        deadline,
        owner,
        pillar,
        last_quarter,
        last_year,
        months,
        products,
        note,
        bottom_up,
        last_year_months,
        segments,
    ) = _list(value, 14)
    try:
        day = date.fromordinal(_int(deadline))
    except (ValueError, OverflowError):
        raise _Bad from None
    return Target(
        node=node,
        metric=_str(metric),
        value=_decimal(amount),
        stretch=_opt_decimal(stretch),
        deadline=day,
        owner=_str(owner),
        pillar=_opt_str(pillar),
        last_quarter=_opt_decimal(last_quarter),
        last_year=_opt_decimal(last_year),
        months=_opt_decimals(months),
        products=_opt_mapping(products),
        note=_opt_str(note),
        loc=loc,
        bottom_up=_opt_decimal(bottom_up),
        last_year_months=_opt_decimals(last_year_months),
        segments=_opt_mapping(segments),
    )


def _read_adjustment(value: Any) -> AdjustmentView:
    ident, decided, effective, cause, note, approved_by, changes, hidden = _list(value, 8)
    return AdjustmentView(
        id=_str(ident),
        decided=_str(decided),
        effective=_str(effective),
        cause=_str(cause),
        note=_str(note),
        approved_by=_str(approved_by),
        changes=tuple(ChangeView(*(_str(part) for part in _list(c, 4))) for c in _list(changes)),
        hidden=_opt_str(hidden),
    )


def _read_tree(value: Any) -> TreeNode:
    text, href, owner, shown, over, children = _list(value, 6)
    return TreeNode(
        Link(_str(text), _opt_str(href)),
        _str(owner),
        _opt_str(shown),
        _opt_str(over),
        tuple(_read_tree(c) for c in _list(children)),
    )


class _Region:
    """One region of a fragment, read back: a node without children and what stands for them."""

    def __init__(self, value: Any, path: str, summed: list[str]) -> None:
        found = _dict(value)
        ident, name, level, owner, parent, targets, budget, potential, accounts = _list(
            found.get("node"), 9
        )
        ident = _str(ident)
        loc = Loc(path)
        read = [_read_target(ident, t, loc) for t in _list(targets)]
        try:
            kind = Level(_int(level))
        except ValueError:
            raise _Bad from None
        self.node = Node(
            id=ident,
            name=_str(name),
            level=kind,
            owner=_str(owner),
            parent=_opt_str(parent),
            children=(),
            targets={t.metric: t for t in read},
            budget=_opt_mapping(budget) or {},
            loc=loc,
            potential=_opt_decimal(potential),
            key_accounts=tuple(_str(a) for a in _list(accounts)),
        )
        if len(self.node.targets) != len(read):
            raise _Bad
        months, products, numbers = (_dict(found.get(k)) for k in ("months", "products", "numbers"))
        if not set(summed) == months.keys() == products.keys() == numbers.keys():
            raise _Bad
        self.months = {m: _opt_decimals(v) for m, v in months.items()}
        self.products = {m: _opt_mapping(v) for m, v in products.items()}
        self.numbers: dict[str, _Number] = {}
        for metric, number in numbers.items():
            if number is None:
                self.numbers[metric] = None
            else:
                amount, rolled = _list(number, 2)
                if not isinstance(rolled, bool):
                    raise _Bad
                self.numbers[metric] = (_decimal(amount), rolled)
        self.tree = _read_tree(found.get("tree"))


class _Fragment:
    """A fragment read back and checked for shape (:class:`_Bad` otherwise)."""

    def __init__(self, value: Any, path: str) -> None:
        found = _dict(value)
        if found.get("format") != FORMAT:
            raise _Bad
        self.summed = [_str(m) for m in _list(found.get("summed"))]
        self.reps = _int(found.get("reps"))
        self.overs: dict[str, tuple[int, Decimal, Decimal]] = {}
        for metric, over in _dict(found.get("overs")).items():
            count, lowest, highest = _list(over, 3)
            self.overs[metric] = (_int(count), _decimal(lowest), _decimal(highest))
        self.regions = [_Region(r, path, self.summed) for r in _list(found.get("regions"))]
        self.adjustments = [_read_adjustment(a) for a in _list(found.get("adjustments"))]
        if not self.regions:
            raise _Bad

    def linked(self) -> list[str]:
        """The pages the regions' org trees link to: every page of the file's nodes."""
        found: list[str] = []
        stack = [region.tree for region in self.regions]
        while stack:
            tree = stack.pop()
            if tree.link.href is not None:
                found.append(tree.link.href)
            stack.extend(tree.children)
        return found


# --------------------------------------------------------------------------- the index


class _FragmentGaps(Gaps):
    """Gaps whose regions of other files give their bottom-up numbers from their fragments."""

    def __init__(self, plan: Plan, numbers: Mapping[tuple[str, str], _Number]) -> None:
        super().__init__(plan)
        self._given = numbers

    def _number(self, node: Node, metric_id: str) -> _Number:
        key = (node.id, metric_id)
        if key in self._given:
            return self._given[key]
        return super()._number(node, metric_id)


class _FragmentViews(_Views):
    """The views of the index over a model of some files, the others' regions from fragments."""

    fragments: dict[str, _Fragment]  # path -> its fragment
    regions: dict[str, _Region]
    files: Sequence[str]

    def adjustments(self, node: Node) -> tuple[AdjustmentView, ...]:
        """The company lists every adjustment in the order the model makes them: the
        quarter file's, then each region file's (from the model or from its fragment)."""
        if node.id != self.plan.company:
            return super().adjustments(node)
        made = super().adjustments(node)
        where = {a.id: a.loc.file for a in self.plan.adjustments}
        out = [a for a in made if where.get(a.id) == node.loc.file]
        for path in self.files:
            found = self.fragments.get(path)
            if found is not None:
                out += found.adjustments
            else:
                out += [a for a in made if where.get(a.id) == path]
        if len(out) != len(made) + sum(len(f.adjustments) for f in self.fragments.values()):
            raise _Bad  # an adjustment of no file in ``files``: never for a plan built so
        return tuple(out)

    def months_of(self, node: Node, metric: str) -> tuple[Decimal, ...] | None:
        region = self.regions.get(node.id)
        if region is not None:
            return region.months.get(metric)
        return super().months_of(node, metric)

    def products_of(self, node: Node, metric: str) -> dict[str, Decimal] | None:
        region = self.regions.get(node.id)
        if region is not None:
            found = region.products.get(metric)
            return None if found is None else dict(found)
        return super().products_of(node, metric)

    def tree(self, node: Node) -> TreeNode:
        region = self.regions.get(node.id)
        if region is not None:
            return region.tree
        return super().tree(node)

    def reps_count(self) -> int:
        return super().reps_count() + sum(f.reps for f in self.fragments.values())

    def over_range(self, metric: Metric) -> tuple[int, Decimal, Decimal] | None:
        parts = [super().over_range(metric)]
        parts += [f.overs.get(metric.id) for f in self.fragments.values()]
        found = [p for p in parts if p is not None]
        if not found:
            return None
        return (
            sum(p[0] for p in found),
            min(p[1] for p in found),
            max(p[2] for p in found),
        )


def index_page(
    views: _Views,
    files: Sequence[str],
    fragments: Mapping[str, Any],
    pages: Mapping[str, Sequence[str]] | None = None,
) -> IndexPage | None:
    """The index over ``views`` (a model of the quarter file and some region files), the
    regions of the other region files from their ``fragments`` (path -> what
    :func:`fragment` made); None where a fragment cannot stand for its file (see the
    module's docstring): then the index is built from the whole model.

    ``files``: every region file of the plan, in the order the model builds them (the
    company lists its regions in that order). ``pages``: the pages recorded beside each
    fragment, if any: each must be the pages its org tree links to (None otherwise).
    """
    plan, result = views.plan, views.result
    if not _may_stand_in(views):
        return None
    summed = [m.id for m in plan.metrics.values() if m.summed]
    try:
        read = {path: _Fragment(fragments[path], path) for path in files if path in fragments}
        if any(f.summed != summed for f in read.values()):
            return None
        if pages is not None and any(
            sorted(pages.get(path, ())) != sorted(f.linked()) for path, f in read.items()
        ):
            return None
        children, stubs = _regions(plan, files, read)
    except _Bad:
        return None
    company = plan.nodes[plan.company]
    nodes = dict(plan.nodes)
    nodes[company.id] = replace(company, children=tuple(children))
    nodes.update((ident, region.node) for ident, region in stubs.items())
    whole = replace(plan, nodes=nodes)
    stand_in = CheckResult(result.label, result.sources, result.diagnostics, whole, result.levels)
    built = _FragmentViews(stand_in, views.options, None, None)
    built.revision = views.revision
    built.fragments = read
    built.regions = stubs
    built.files = list(files)
    numbers = {
        (ident, metric): number
        for ident, region in stubs.items()
        for metric, number in region.numbers.items()
    }
    built.extras.gaps = _FragmentGaps(whole, numbers)
    try:
        return built.index()
    except (_Bad, ArithmeticError):  # decimal's signals too: numbers the index cannot show
        return None


def _may_stand_in(views: _Views) -> bool:
    """Whether the index over ``views`` may take other files' regions from fragments:
    not a single brief, no actuals, no diagnostic the index lists, and everything
    the index names of the model's own (its adjustments' nodes and approvers, the
    company's owner) in the model."""
    plan = views.plan
    company = plan.nodes.get(plan.company)
    if company is None or views.options.rep is not None or views.extras.tracking:
        return False
    if any(d.severity is not Severity.INFO for d in views.result.diagnostics):
        return False
    if company.owner not in plan.people:
        return False
    for adjustment in plan.adjustments:
        if any(c.node not in plan.nodes for c in adjustment.changes):
            return False
        if any(p not in plan.people for p in adjustment.approved_by):
            return False
    return True


def _regions(
    plan: Plan, files: Sequence[str], read: Mapping[str, _Fragment]
) -> tuple[list[str], dict[str, _Region]]:
    """The company's regions in order, and those that fragments give (:class:`_Bad`: a
    file neither in the model nor given, or given twice, or an id given twice)."""
    company = plan.nodes[plan.company]
    here = {c: plan.nodes[c] for c in company.children if c in plan.nodes}
    if len(here) != len(company.children):
        raise _Bad
    children: list[str] = []
    stubs: dict[str, _Region] = {}
    for path in files:
        found = read.get(path)
        if found is None:
            mine = [c for c, node in here.items() if node.loc.file == path]
            if not mine:  # neither in the model nor given as a fragment
                raise _Bad
            children += mine
            continue
        if any(n.loc.file == path for n in plan.nodes.values()):
            raise _Bad  # a file both in the model and given as a fragment
        for region in found.regions:
            ident = region.node.id
            if ident in plan.nodes or ident in stubs or region.node.parent != company.id:
                raise _Bad
            stubs[ident] = region
            children.append(ident)
    if sorted(children) != sorted({*here, *stubs}) or len(set(children)) != len(children):
        raise _Bad
    return children, stubs
