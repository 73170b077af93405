"""The actuals mapping (PLC73x): the quarter file's ``actuals:`` section makes sense.

``planc check`` runs these, so a mapping that cannot work is caught in review,
before anyone runs ``planc track`` on an export.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from datetime import date, datetime

from planc.checks.base import Finding, check
from planc.core.diagnostics import Message, Severity
from planc.core.model import MEASURE_NEEDS, MEASURES, Plan
from planc.core.spelling import closest


def _hint(name: str, known: list[str], where: str) -> Message:
    near = closest(name, known)
    if near:
        return Message("did you mean `{near}`?", near=near)
    return Message("use an id from {where}", where=where)


def owner_hint(person: str, people: list[str]) -> str:
    """PLC730's hint for an owner mapped to no person (the partitioned check uses it too)."""
    return _hint(person, people, "people:")


@check("PLC730", Severity.ERROR)
def actuals_unknown_name(plan: Plan) -> Iterator[Finding]:
    """The actuals mapping names a person, product line or metric the plan does not have.

    ``actuals.owners`` maps CRM owners to person ids, ``actuals.products``
    CRM product names to product ids, ``actuals.metrics`` is keyed by metric id.

    Fails::

        actuals:
          owners: {D. Schlecht: darcel-schlect}
          products: {GTXPro: gtxpro}
          metrics: {revenu: amount}

    Passes::

        actuals:
          owners: {D. Schlecht: darcel-schlecht}
          products: {GTXPro: gtx-pro}
          metrics: {revenue: amount}
    """
    for mapping in plan.actuals_sources:
        people, products, metrics = list(plan.people), list(plan.products), list(plan.metrics)
        for alias, person in mapping.owners.items():
            if person not in plan.people:
                yield (
                    mapping.loc / "owners" / alias,
                    Message(
                        "CRM owner `{alias}` maps to `{person}`, who is not a person of the plan",
                        alias=alias,
                        person=person,
                    ),
                    _hint(person, people, "people:"),
                )
        for alias, product in mapping.products.items():
            if product not in plan.products:
                yield (
                    mapping.loc / "products" / alias,
                    Message(
                        "CRM product `{alias}` maps to `{product}`, which is not a product line",
                        alias=alias,
                        product=product,
                    ),
                    _hint(product, products, Message("products: in the quarter file")),
                )
        for metric in mapping.measures:
            if metric not in plan.metrics:
                yield (
                    (mapping.loc / "metrics" / metric).as_key(),
                    Message(
                        "actuals.metrics measures `{metric}`, which is not a metric", metric=metric
                    ),
                    _hint(metric, metrics, Message("metrics: in the quarter file")),
                )


@check("PLC731", Severity.ERROR)
def actuals_measure_unit(plan: Plan) -> Iterator[Finding]:
    """A metric is measured from actuals in a unit that is not its own.

    ``amount`` feeds a currency metric; ``deals``, ``accounts`` and
    ``new_accounts`` a count; ``key_product_share`` and ``win_rate`` a percent.

    Fails (new_customers is a count)::

        metrics: {new_customers: amount}

    Passes::

        metrics: {new_customers: new_accounts}
    """
    for mapping in plan.actuals_sources:
        for metric_id, measure in mapping.measures.items():
            metric = plan.metrics.get(metric_id)
            needed = MEASURES.get(measure)
            if metric is None or needed is None or metric.unit == needed:
                continue
            fitting = sorted(m for m, unit in MEASURES.items() if unit == metric.unit)
            yield (
                mapping.loc / "metrics" / metric_id,
                Message(
                    "{metric} is a {unit} metric, but {measure} measures a {needed}",
                    metric=metric_id,
                    unit=metric.unit,
                    measure=measure,
                    needed=needed,
                ),
                (
                    Message("measure it with {measures}", measures=" or ".join(fitting))
                    if fitting
                    else Message(
                        "{unit} metrics cannot be measured from a CRM export; remove it",
                        unit=metric.unit,
                    )
                ),
            )


@check("PLC732", Severity.ERROR)
def actuals_missing_role(plan: Plan) -> Iterator[Finding]:
    """The actuals mapping uses something it does not map: a column, or the won stages.

    ``key_product_share`` needs a product column, ``accounts`` and
    ``new_accounts`` an account column, ``win_rate`` a stage column with lost
    stages; a stage column needs ``stages.won``.

    Fails::

        actuals:
          columns: {owner: sales_agent, date: close_date, amount: close_value}
          metrics: {key_product_share: key_product_share}

    Passes::

        actuals:
          columns: {owner: sales_agent, date: close_date, amount: close_value, product: product}
          metrics: {key_product_share: key_product_share}
    """
    for mapping in plan.actuals_sources:
        columns = mapping.columns
        for metric_id, measure in mapping.measures.items():
            role = MEASURE_NEEDS.get(measure)
            if role is not None and role not in columns:
                yield (
                    mapping.loc / "metrics" / metric_id,
                    Message(
                        "{metric} is measured by {measure}, which needs a {role} column",
                        metric=metric_id,
                        measure=measure,
                        role=role,
                    ),
                    Message("add {role}: <column header> under actuals.columns", role=role),
                )
            elif measure == "win_rate" and not mapping.lost:
                yield (
                    mapping.loc / "metrics" / metric_id,
                    Message(
                        "{metric} is measured by win_rate, but no stage is listed as lost",
                        metric=metric_id,
                    ),
                    Message("list the lost stages under actuals.stages.lost"),
                )
        if "stage" in columns and not mapping.won:
            yield (
                mapping.loc / "columns" / "stage",
                Message(
                    "the stage column `{column}` is mapped, but no stage counts as won",
                    column=columns["stage"],
                ),
                Message("list the won stages under actuals.stages.won"),
            )
        if "stage" not in columns and (mapping.won or mapping.open or mapping.lost):
            yield (
                (mapping.loc / "stages").as_key(),
                Message("actuals.stages lists stages, but no stage column is mapped"),
                Message("add {role}: <column header> under actuals.columns", role="stage"),
            )


@check("PLC733", Severity.ERROR)
def actuals_stage_twice(plan: Plan) -> Iterator[Finding]:
    """A stage is listed in two of won, open and lost, so its rows would count twice or not at all.

    Stages are compared ignoring case and surrounding spaces.

    Fails::

        stages: {won: [Won], open: [Engaging, won]}

    Passes::

        stages: {won: [Won], open: [Engaging]}
    """
    for mapping in plan.actuals_sources:
        seen: dict[str, str] = {}
        for group, stages in (("won", mapping.won), ("open", mapping.open), ("lost", mapping.lost)):
            for index, stage in enumerate(stages):
                key = " ".join(stage.split()).casefold()
                first = seen.setdefault(key, group)
                if first != group:
                    yield (
                        mapping.loc / "stages" / group / index,
                        Message(
                            "stage `{stage}` is listed as {first} and as {group}",
                            stage=stage,
                            first=first,
                            group=group,
                        ),
                        Message("list each stage once"),
                    )


@check("PLC734", Severity.ERROR)
def actuals_bad_setting(plan: Plan) -> Iterator[Finding]:
    """The actuals mapping's encoding or date format cannot work.

    ``encoding`` must be a text encoding Python knows (utf-8, gb18030,
    cp1252, ...); ``date_format`` a strftime format with a day, a month and a
    year.

    Fails::

        actuals:
          encoding: utf8x
          date_format: "%d.%m"

    Passes::

        actuals:
          encoding: gb18030
          date_format: "%d.%m.%Y"
    """
    for mapping in plan.actuals_sources:
        try:
            codecs.lookup(mapping.encoding)
        except LookupError:
            yield (
                mapping.loc / "encoding",
                Message("`{encoding}` is not a text encoding", encoding=mapping.encoding),
                Message("use utf-8, gb18030, cp1252 or another Python codec name"),
            )
        fmt = mapping.date_format
        if fmt is not None:
            sample = date(2017, 12, 25)
            try:
                back = datetime.strptime(sample.strftime(fmt), fmt).date()
            except ValueError:
                back = None
            if back != sample:
                yield (
                    mapping.loc / "date_format",
                    (
                        Message(
                            "date format `{format}` does not hold a whole date (2017-12-25 reads "
                            "back as {back})",
                            format=fmt,
                            back=back.isoformat(),
                        )
                        if back is not None
                        else Message(
                            "date format `{format}` does not hold a whole date (2017-12-25 reads "
                            "back as nothing)",
                            format=fmt,
                        )
                    ),
                    Message("give a day, a month and a year, e.g. %d/%m/%Y"),
                )


@check("PLC767", Severity.ERROR)
def actuals_metric_in_two_sources(plan: Plan) -> Iterator[Finding]:
    """A metric is measured by two actuals sources, so its attainment would have two origins.

    With several sources (``actuals.sources``), each metric is listed under
    the ``metrics:`` of the one source it reads, e.g. revenue from the CRM's
    bookings and collections from finance's ledger.

    Fails::

        actuals:
          sources:
            crm:
              columns: {owner: sales_agent, date: close_date, amount: close_value}
              metrics: {revenue: amount}
            finance:
              columns: {owner: account_owner, date: paid_on, amount: paid}
              metrics: {revenue: amount}

    Passes::

        actuals:
          sources:
            crm:
              columns: {owner: sales_agent, date: close_date, amount: close_value}
              metrics: {revenue: amount}
            finance:
              columns: {owner: account_owner, date: paid_on, amount: paid}
              metrics: {collections: amount}
    """
    first: dict[str, str] = {}
    for mapping in plan.actuals_sources:
        for metric_id in mapping.measures:
            earlier = first.setdefault(metric_id, mapping.name)
            if earlier != mapping.name:
                yield (
                    (mapping.loc / "metrics" / metric_id).as_key(),
                    Message(
                        "{metric} is measured by source `{earlier}` and again by `{source}`",
                        metric=metric_id,
                        earlier=earlier,
                        source=mapping.name,
                    ),
                    Message(
                        "keep {metric} under the metrics: of the one source it reads",
                        metric=metric_id,
                    ),
                )


CHECKS = (
    actuals_unknown_name, actuals_measure_unit, actuals_missing_role, actuals_stage_twice,
    actuals_bad_setting, actuals_metric_in_two_sources,
)  # fmt: skip
