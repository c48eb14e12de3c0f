"""The analytic stages: account MRR, movements, retention, cohorts and metrics.

They read ``revenue``, ``fx_rates``, ``calendar`` and ``accounts`` (see
:mod:`nrrgov.engine`) and create the public tables ``account_mrr``, ``movements``,
``retention``, ``cohorts`` and ``metrics``, plus intermediate tables prefixed
``analytics_``. Every statement is portable SQL in a :class:`Pipeline`.
"""

from __future__ import annotations

from datetime import date

from nrrgov.engine.account_mrr import (
    ACCOUNT_MONTHS_TABLE,
    MONTHS_TABLE,
    add_account_mrr,
    add_public_account_mrr,
)
from nrrgov.engine.cohorts import cohorts_select
from nrrgov.engine.context import EngineContext
from nrrgov.engine.fx import Valuation
from nrrgov.engine.metrics import MetricPlan, add_metrics, plan_metrics
from nrrgov.engine.movements import movement_cells, movement_cube
from nrrgov.engine.retention import retention_cells, retention_cube
from nrrgov.engine.slices import Slicing
from nrrgov.engine.sql import Pipeline
from nrrgov.errors import Location, UserError
from nrrgov.spec.taxonomy import DimensionSpec

FIXED_RATE_MONTH_CODE = "NRG432"


def add_analytics(pipeline: Pipeline, ctx: EngineContext) -> None:
    """Add the statements of every analytic stage to ``pipeline``.

    Args:
        pipeline: the pipeline to extend; it runs after normalize.
        ctx: the run, with ``as_of`` resolved.

    Raises:
        UserError: ``fixed_rate`` is in force without ``fixed_rate_month``, or a metric
            names a dimension the taxonomy does not define.
    """
    if ctx.as_of is None:
        raise ValueError("add_analytics needs ctx.as_of; call resolve_as_of first")
    options = ctx.options
    plans = plan_metrics(ctx)
    project_valuations = [
        Valuation(options.fx_mode, lookback)
        for lookback in sorted(set(ctx.project.config.lookbacks))
    ]
    valuations = _valuations(project_valuations, plans)
    gap_limits = _gap_limits(options.reactivation_max_gap_months, plans)

    add_account_mrr(
        pipeline,
        as_of=ctx.as_of,
        attributes=_attributes(ctx, plans),
        valuations=valuations,
        fixed_rate_month=_fixed_rate_month(ctx, valuations),
        gaps=any(limit is not None for limit in gap_limits),
    )

    slicing = Slicing(ctx.dimensions)
    cells = movement_cells(
        slicing, options.reactivation_max_gap_months, _no_filter, ACCOUNT_MONTHS_TABLE
    )
    pipeline.add("movements", movement_cube(slicing, cells, MONTHS_TABLE), "MRR bridge")
    cells = retention_cells(slicing, project_valuations, _no_filter, ACCOUNT_MONTHS_TABLE)
    pipeline.add("retention", retention_cube(slicing, cells, MONTHS_TABLE), "retention")
    cohorts = cohorts_select(slicing, ACCOUNT_MONTHS_TABLE, MONTHS_TABLE, options.cohort_average)
    pipeline.add("cohorts", cohorts, "cohorts by first month with MRR")

    add_metrics(pipeline, ctx, plans, ACCOUNT_MONTHS_TABLE, MONTHS_TABLE)
    # Last, so that a run that releases the account-month table once read frees it
    # right after this statement, not before movements and retention.
    add_public_account_mrr(pipeline, options.reactivation_max_gap_months)


def _no_filter(_band_mrr: str) -> str:
    return "TRUE"


def _valuations(project: list[Valuation], plans: tuple[MetricPlan, ...]) -> tuple[Valuation, ...]:
    """Return every retention valuation whose start column the account-month table needs."""
    needed = set(project)
    for plan in plans:
        if plan.basis.basis == "retention" and not plan.basis.shared:
            needed.add(plan.basis.valuation)
    return tuple(sorted(needed))


def _gap_limits(project: int | None, plans: tuple[MetricPlan, ...]) -> list[int | None]:
    """Return the reactivation limits of the movements table and movement-basis metrics."""
    return [
        project,
        *(plan.basis.max_gap_months for plan in plans if plan.basis.basis == "movements"),
    ]


def _attributes(ctx: EngineContext, plans: tuple[MetricPlan, ...]) -> tuple[DimensionSpec, ...]:
    """Return the ``column`` dimensions that any stage slices or filters by, each once."""
    taxonomy = {dimension.name: dimension for dimension in ctx.project.taxonomy.dimensions}
    found = {dimension.name: dimension for dimension in ctx.dimensions}
    for plan in plans:
        for dimension in plan.basis.dimensions:
            found.setdefault(dimension.name, dimension)
        for name, _values in plan.basis.filters:
            found.setdefault(name, taxonomy[name])
    return tuple(dimension for dimension in found.values() if dimension.kind == "column")


def _fixed_rate_month(ctx: EngineContext, valuations: tuple[Valuation, ...]) -> date | None:
    if not any(valuation.fx_mode == "fixed_rate" for valuation in valuations):
        return None
    month = ctx.options.fixed_rate_month
    if month is None:
        raise UserError(
            FIXED_RATE_MONTH_CODE,
            "fx_mode 'fixed_rate' is in force but options.fixed_rate_month is not set",
            where=_options_location(ctx),
            hint="set options.fixed_rate_month to the month whose rates to use, as YYYY-MM",
        )
    return date.fromisoformat(f"{month}-01")


def _options_location(ctx: EngineContext) -> Location:
    if "project" in ctx.project.locations.documents:
        return ctx.project.locations.locate("project", ("options", "fx_mode"))
    return Location(str(ctx.project.root / "nrrgov.yml"))
