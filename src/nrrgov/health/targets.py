"""Targets against actuals: each target of ``targets.yml`` per as-of month of its period.

The actual of a target in a month is the ``metrics`` row (or the ``kpis`` row) of its
metric, month and slice, where dimensions the target does not name are ``(all)``. A
month of the period up to the run's as-of month without an actual is ``no_data``; later
months are left out.
"""

from __future__ import annotations

from datetime import date

from nrrgov.engine.context import EngineContext
from nrrgov.engine.slices import ALL, number_literal, quote, string_literal
from nrrgov.engine.sql import Pipeline
from nrrgov.engine.types import RATIO
from nrrgov.health.kpis import KPIS_TABLE, OWNER_COLUMNS
from nrrgov.health.rollup import date_literal
from nrrgov.spec.targets import TargetsFileSpec, TargetSpec

TARGETS_TABLE = "targets_vs_actuals"


def add_targets(pipeline: Pipeline, ctx: EngineContext, spec: TargetsFileSpec) -> None:
    """Add ``targets_vs_actuals`` to ``pipeline``."""
    pipeline.add(TARGETS_TABLE, _targets_select(ctx, spec), "targets against actuals")


def _months(target: TargetSpec, as_of: date) -> list[date]:
    months, current = [], target.first_month
    while current <= min(target.last_month, as_of):
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _targets_select(ctx: EngineContext, spec: TargetsFileSpec) -> str:
    dimensions = [dimension.name for dimension in ctx.dimensions]
    rows = []
    for target in spec.targets:
        slice_values = [string_literal(target.slice.get(name, ALL)) for name in dimensions]
        for month in _months(target, ctx.as_of):
            values = [
                string_literal(target.name),
                string_literal(target.metric),
                date_literal(month),
                *slice_values,
                f"CAST({number_literal(target.value)} AS {RATIO})",
                f"CAST({number_literal(target.at_risk)} AS {RATIO})",
                string_literal(target.direction),
            ]
            rows.append(f"({', '.join(values)})")
    columns = ["target", "metric", "as_of", *dimensions, "target_value", "at_risk", "direction"]
    quoted = ", ".join(quote(column) for column in columns)
    if not rows:
        return _empty(dimensions)

    owners = " AND ".join(f"{quote(name)} = {string_literal(ALL)}" for name in OWNER_COLUMNS)
    slice_names = "".join(f", {quote(name)}" for name in dimensions)
    actuals = (
        f"SELECT metric, as_of{slice_names}, CAST(value AS {RATIO}) AS actual FROM metrics "
        f"WHERE {_other_dimensions_all(ctx, dimensions)} "
        f"UNION ALL SELECT kpi, as_of{slice_names}, value FROM {KPIS_TABLE} WHERE {owners}"
    )
    joins = " AND ".join(
        f"a.{quote(name)} = t.{quote(name)}" for name in ["metric", "as_of", *dimensions]
    )
    shown = "".join(f", t.{quote(name)}" for name in dimensions)
    return (
        f"WITH t AS (SELECT * FROM (VALUES {', '.join(rows)}) AS v({quoted})), "
        f"a AS ({actuals}) "
        f"SELECT t.target, t.metric, t.as_of{shown}, t.target_value, t.at_risk, t.direction, "
        f"a.actual, a.actual - t.target_value AS gap, {_status()} AS status "
        f"FROM t LEFT JOIN a ON {joins}"
    )


def _other_dimensions_all(ctx: EngineContext, dimensions: list[str]) -> str:
    """Return the condition that a metrics row sums over every dimension outside the project's.

    The metrics table has a column for every dimension any metric is reported by;
    targets name the project's dimensions only.
    """
    others = {
        name
        for metric in ctx.project.metrics
        for name in metric.dimensions
        if name not in dimensions
    }
    conditions = [f"{quote(name)} = {string_literal(ALL)}" for name in sorted(others)]
    return " AND ".join(conditions) or "TRUE"


def _status() -> str:
    better = (
        "CASE WHEN t.direction = 'higher_is_better' THEN a.actual >= {threshold} "
        "ELSE a.actual <= {threshold} END"
    )
    return (
        "CASE WHEN a.actual IS NULL THEN 'no_data' "
        f"WHEN {better.format(threshold='t.target_value')} THEN 'on_track' "
        f"WHEN {better.format(threshold='t.at_risk')} THEN 'at_risk' ELSE 'off_track' END"
    )


def _empty(dimensions: list[str]) -> str:
    slices = "".join(f", CAST(NULL AS VARCHAR) AS {quote(name)}" for name in dimensions)
    return (
        "SELECT CAST(NULL AS VARCHAR) AS target, CAST(NULL AS VARCHAR) AS metric, "
        f"CAST(NULL AS DATE) AS as_of{slices}, CAST(NULL AS {RATIO}) AS target_value, "
        f"CAST(NULL AS {RATIO}) AS at_risk, CAST(NULL AS VARCHAR) AS direction, "
        f"CAST(NULL AS {RATIO}) AS actual, CAST(NULL AS {RATIO}) AS gap, "
        "CAST(NULL AS VARCHAR) AS status WHERE FALSE"
    )
