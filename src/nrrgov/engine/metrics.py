"""Governed metrics: each formula over its basis, per as-of month and slice, against its target.

A metric on the ``retention`` basis reads the retention measures of its lookback. One on
the ``movements`` basis reads the movement measures summed over the lookback's months.
Metrics without filters or overriding options, whose dimensions are among the project's,
read the project's ``retention`` and ``movements`` tables. Any other metric gets a basis
table of its own (``analytics_metric_basis_<n>``), shared with every metric that needs
the same one. The metrics table's slice columns are the project's dimensions followed by
any other dimension a metric names; a metric has ``(all)`` in the ones it is not reported
by.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from nrrgov.engine import movements, retention
from nrrgov.engine.context import EngineContext
from nrrgov.engine.fx import Valuation
from nrrgov.engine.slices import (
    ALL,
    Slicing,
    dimensions_by_name,
    filter_condition,
    number_literal,
    quote,
    string_literal,
)
from nrrgov.engine.sql import Pipeline
from nrrgov.engine.types import RATIO
from nrrgov.errors import Location, UserError
from nrrgov.formula import compile_formula
from nrrgov.spec.metrics import MEASURES_BY_BASIS, Basis, MetricSpec, TargetSpec
from nrrgov.spec.options import FxMode
from nrrgov.spec.taxonomy import DimensionSpec

logger = logging.getLogger(__name__)

METRICS_TABLE = "metrics"
# The codes lint reports the same problems under.
UNKNOWN_DIMENSION_CODE = "NRG201"
UNKNOWN_FILTER_CODE = "NRG202"


@dataclass(frozen=True)
class MetricBasis:
    """The measures one or more metrics are evaluated over.

    Attributes:
        basis: ``retention`` or ``movements``.
        lookback_months: the lookback k, or the window of summed movements.
        fx_mode: the fx mode of retention measures (the project's for movements).
        max_gap_months: the reactivation limit of movement measures (None for retention).
        dimensions: the dimensions the basis is cut by.
        filters: (dimension, values kept) pairs, sorted by dimension.
        shared: whether the basis is read from the project's retention or movements table.
    """

    basis: Basis
    lookback_months: int
    fx_mode: FxMode
    max_gap_months: int | None
    dimensions: tuple[DimensionSpec, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    shared: bool

    @property
    def valuation(self) -> Valuation:
        """How a retention basis values the MRR at both ends of its lookback."""
        return Valuation(self.fx_mode, self.lookback_months)


@dataclass(frozen=True)
class MetricPlan:
    """A metric and the basis it is evaluated over."""

    metric: MetricSpec
    basis: MetricBasis


def plan_metrics(ctx: EngineContext) -> tuple[MetricPlan, ...]:
    """Decide, for each metric of the project, which basis it is evaluated over.

    Raises:
        UserError: a metric names a dimension, in ``dimensions`` or ``filters``, that the
            taxonomy does not define.
    """
    return tuple(
        MetricPlan(metric, _basis(ctx, index, metric))
        for index, metric in enumerate(ctx.project.metrics)
    )


def metric_location(ctx: EngineContext, index: int, field: str) -> Location:
    """Return where field ``field`` of the ``index``-th metric sits in metrics.yml."""
    if "metrics" in ctx.project.locations.documents:
        return ctx.project.locations.locate("metrics", ("metrics", index, field))
    return Location(str(ctx.project.definitions_dir / "metrics.yml"))


def _basis(ctx: EngineContext, index: int, metric: MetricSpec) -> MetricBasis:
    taxonomy = ctx.project.taxonomy.dimensions
    dimensions = dimensions_by_name(
        taxonomy,
        metric.dimensions,
        code=UNKNOWN_DIMENSION_CODE,
        subject=f"metric {metric.name!r} names",
        where=metric_location(ctx, index, "dimensions"),
    )
    dimensions_by_name(
        taxonomy,
        metric.filters,
        code=UNKNOWN_FILTER_CODE,
        subject=f"metric {metric.name!r} filters on",
        where=metric_location(ctx, index, "filters"),
    )
    _warn_unsupported_options(metric, ctx)

    options = ctx.options
    overrides = metric.options
    project_names = {dimension.name for dimension in ctx.dimensions}
    same_slices = not metric.filters and set(metric.dimensions) <= project_names
    if metric.basis == "retention":
        fx_mode = overrides.fx_mode or options.fx_mode
        max_gap = None
        shared = (
            same_slices
            and fx_mode == options.fx_mode
            and metric.lookback_months in ctx.project.config.lookbacks
        )
    else:
        fx_mode = options.fx_mode
        max_gap = overrides.reactivation_max_gap_months or options.reactivation_max_gap_months
        shared = same_slices and max_gap == options.reactivation_max_gap_months

    return MetricBasis(
        basis=metric.basis,
        lookback_months=metric.lookback_months,
        fx_mode=fx_mode,
        max_gap_months=max_gap,
        dimensions=ctx.dimensions if shared else dimensions,
        filters=tuple(sorted((name, tuple(values)) for name, values in metric.filters.items())),
        shared=shared,
    )


def _warn_unsupported_options(metric: MetricSpec, ctx: EngineContext) -> None:
    # TODO: compute metrics whose snapshot rule or grain differs from the project's, which
    # needs a normalize pass of their own. Until then they use the project's snapshot and grain.
    for name in ("snapshot", "grain"):
        value = getattr(metric.options, name)
        if value is not None and value != getattr(ctx.options, name):
            logger.warning(
                "metric %s sets %s: %s, which is not supported per metric yet, "
                "so the project's %s is used",
                metric.name,
                name,
                value,
                getattr(ctx.options, name),
            )


def metric_dimensions(ctx: EngineContext, plans: Sequence[MetricPlan]) -> tuple[DimensionSpec, ...]:
    """Return the metrics table's slice columns: the project's, then the metrics' others."""
    found = {dimension.name: dimension for dimension in ctx.dimensions}
    for plan in plans:
        for dimension in plan.basis.dimensions:
            found.setdefault(dimension.name, dimension)
    return tuple(found.values())


def add_metrics(
    pipeline: Pipeline,
    ctx: EngineContext,
    plans: Sequence[MetricPlan],
    account_months: str,
    months_table: str,
) -> None:
    """Add the statements of each needed basis table and of the ``metrics`` table."""
    bases: dict[MetricBasis, str] = {}
    for plan in plans:
        if plan.basis in bases:
            continue
        table = f"analytics_metric_basis_{len(bases) + 1}"
        select = _basis_select(ctx, plan.basis, account_months, months_table)
        pipeline.add(table, select, f"measures of the {plan.basis.basis} basis of metrics")
        bases[plan.basis] = table

    columns = metric_dimensions(ctx, plans)
    parts = [
        _metric_rows(plan, bases[plan.basis], columns, metric_location(ctx, index, "formula"))
        for index, plan in enumerate(plans)
    ]
    if not parts:
        parts = [_no_metrics(columns, months_table)]
    pipeline.add(METRICS_TABLE, "\nUNION ALL\n".join(parts), "governed metrics per slice")


def _basis_select(
    ctx: EngineContext, basis: MetricBasis, account_months: str, months_table: str
) -> str:
    slicing = Slicing(basis.dimensions)
    names = [quote(name) for name in slicing.names]
    by_name = {dimension.name: dimension for dimension in ctx.project.taxonomy.dimensions}

    def condition(band_mrr: str) -> str:
        return filter_condition(dict(basis.filters), by_name, band_mrr)

    if basis.basis == "retention":
        if basis.shared:
            return f"SELECT * FROM retention WHERE lookback_months = {basis.lookback_months}"
        cells = retention.retention_cells(slicing, [basis.valuation], condition, account_months)
        return retention.retention_cube(slicing, cells, months_table)

    if basis.shared:
        monthly = "SELECT * FROM movements"
    else:
        cells = movements.movement_cells(slicing, basis.max_gap_months, condition, account_months)
        monthly = movements.movement_cube(slicing, cells, months_table)
    return movements.movement_window(monthly, names, basis.lookback_months, months_table)


def _formula_sql(metric: MetricSpec, where: Location) -> str:
    try:
        expression = compile_formula(metric.formula, MEASURES_BY_BASIS[metric.basis])
    except UserError as error:
        raise UserError(
            error.code,
            f"metric {metric.name!r}: {error.message}",
            where=where,
            hint=error.hint,
        ) from None
    return expression.sql(dialect="duckdb")


def _metric_rows(
    plan: MetricPlan, table: str, columns: Sequence[DimensionSpec], where: Location
) -> str:
    metric = plan.metric
    value = _formula_sql(metric, where)
    basis_names = {dimension.name for dimension in plan.basis.dimensions}

    selected = []
    for dimension in columns:
        name = quote(dimension.name)
        if dimension.name in metric.dimensions:
            selected.append(f"b.{name}")
        else:
            selected.append(f"{string_literal(ALL)} AS {name}")
    # Where the basis is cut by more dimensions than the metric, keep its totals over them.
    totals = [
        f"b.{quote(name)} = {string_literal(ALL)}"
        for name in basis_names
        if name not in metric.dimensions
    ]
    target = number_literal(metric.target.value) if metric.target else "NULL"
    figures = [f"CAST({value} AS {RATIO}) AS value", f"CAST({target} AS {RATIO}) AS target"]
    inner = f"""
        SELECT {", ".join(["b.as_of", *selected, *figures])}
        FROM {table} AS b
        WHERE {" AND ".join(sorted(totals)) or "TRUE"}
    """
    names = [quote(dimension.name) for dimension in columns]
    status = f"{status_case('value', metric.target)} AS status"
    outer = [f"{string_literal(metric.name)} AS metric", "as_of", *names, "value", "target"]
    return f"SELECT {', '.join([*outer, status])} FROM ({inner}) AS v"


def status_case(value: str, target: TargetSpec | None) -> str:
    """Return SQL for a metric's status: ``on_track``, ``at_risk``, ``off_track`` or NULL.

    A value at the target or on its good side is ``on_track``. A value between the target
    and ``at_risk``, or at ``at_risk``, is ``at_risk``, and one beyond is ``off_track``.
    Without ``at_risk``, anything short of the target is ``off_track``. A missing value
    or target gives NULL.
    """
    if target is None:
        return "CAST(NULL AS VARCHAR)"
    good = ">=" if target.direction == "higher_is_better" else "<="
    whens = [
        f"WHEN {value} IS NULL THEN NULL",
        f"WHEN {value} {good} {number_literal(target.value)} THEN 'on_track'",
    ]
    if target.at_risk is not None:
        whens.append(f"WHEN {value} {good} {number_literal(target.at_risk)} THEN 'at_risk'")
    return f"CASE {' '.join(whens)} ELSE 'off_track' END"


def _no_metrics(columns: Sequence[DimensionSpec], months_table: str) -> str:
    """Return SQL of an empty metrics table with the usual columns and types."""
    typed = [
        "CAST(NULL AS VARCHAR) AS metric",
        "CAST(NULL AS DATE) AS as_of",
        *(f"CAST(NULL AS VARCHAR) AS {quote(dimension.name)}" for dimension in columns),
        f"CAST(NULL AS {RATIO}) AS value",
        f"CAST(NULL AS {RATIO}) AS target",
        "CAST(NULL AS VARCHAR) AS status",
    ]
    return f"SELECT {', '.join(typed)} FROM {months_table} WHERE 1 = 0"
