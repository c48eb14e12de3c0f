"""Rate the six capabilities of revenue governance from the repository and the last run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from nrrgov.assess import capabilities, operations
from nrrgov.assess.inputs import Inputs, read_inputs
from nrrgov.assess.model import Assessment, CapabilityRating, KpiFigure, Requirement, rate
from nrrgov.loader import read_config

logger = logging.getLogger(__name__)

# key -> (label, requirements, primary KPIs as (table, name, label, unit)).
CAPABILITIES: dict[str, tuple[str, Callable[[Inputs], list[Requirement]], tuple]] = {
    "revenue_council": (
        "Revenue Council",
        capabilities.revenue_council,
        (("metrics", "nrr", "NRR", "ratio"), ("metrics", "grr", "GRR", "ratio")),
    ),
    "playbook_pmo": (
        "Playbook PMO",
        capabilities.playbook_pmo,
        (
            ("kpis", "expansion_pct", "Expansion %", "ratio"),
            ("kpis", "time_to_value_days", "Time to value", "days"),
        ),
    ),
    "data_definitions": (
        "Data & Definitions",
        capabilities.data_definitions,
        (("kpis", "forecast_accuracy", "Forecast accuracy", "ratio"),),
    ),
    "incentives_guardrails": (
        "Incentives & Guardrails",
        operations.incentives,
        (("kpis", "net_dollars_retained", "Net dollars retained (all reps)", "ratio"),),
    ),
    "operating_cadence": (
        "Operating Cadence",
        operations.operating_cadence,
        (("kpis", "decision_cycle_days", "Decision cycle time", "days"),),
    ),
    "risk_escalation": (
        "Risk & Escalation",
        operations.risk_escalation,
        (
            ("kpis", "churn_pct", "Churn %", "ratio"),
            ("kpis", "win_rate", "Expansion win rate", "ratio"),
        ),
    ),
}
# Columns of the metrics and kpis tables that are not slice columns.
_VALUE_COLUMNS = {"metric", "kpi", "as_of", "value", "target", "status", "numerator", "denominator"}


def assess(
    root: Path, tables_dir: Path | None = None, tables_display: str | None = None
) -> Assessment:
    """Rate each capability from 1 (ad hoc) to 4 (operationalized), with its evidence.

    Args:
        root: the definitions repository.
        tables_dir: the tables of a compute run; defaults to the project's output folder.
            Without tables, every requirement that needs data is unmet.
        tables_display: how evidence names the tables folder (see :func:`read_inputs`).
    """
    inputs = read_inputs(root, tables_dir, tables_display)
    try:
        ratings = tuple(_rate(inputs, key) for key in CAPABILITIES)
        as_of = inputs.tables.scalar("SELECT strftime(max(as_of), '%Y-%m') FROM metrics")
    finally:
        inputs.tables.close()
    name = read_config(Path(root)).name
    return Assessment(name, as_of, inputs.tables_display, ratings)


def _rate(inputs: Inputs, key: str) -> CapabilityRating:
    label, check, kpis = CAPABILITIES[key]
    requirements = check(inputs)
    figures = tuple(_figure(inputs, *kpi) for kpi in kpis)
    return CapabilityRating(key, label, rate(requirements), tuple(requirements), figures)


def _figure(inputs: Inputs, table: str, name: str, label: str, unit: str) -> KpiFigure:
    """Read a KPI's value at the last as-of month over every slice (all ``(all)``)."""
    where = inputs.table_where(table)
    if not inputs.tables.has(table):
        return KpiFigure(name, label, None, unit, where)
    key = "metric" if table == "metrics" else "kpi"
    columns = [row[0] for row in inputs.tables.rows(f"DESCRIBE {table}")]
    slices = [c for c in columns if c not in _VALUE_COLUMNS]
    conditions = "".join(f" AND \"{c}\" = '(all)'" for c in slices)
    value = inputs.tables.scalar(
        f"SELECT CAST(value AS DOUBLE) FROM {table} WHERE {key} = ?{conditions} "
        f"AND as_of = (SELECT max(as_of) FROM {table} WHERE {key} = ?)",
        [name, name],
    )
    return KpiFigure(name, label, value, unit, f"{where} ({key} = {name})")
