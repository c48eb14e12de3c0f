"""The headline figures of a run, as written to ``results.json``."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from decimal import Decimal

import duckdb

from nrrgov.engine.context import EngineContext

ALL = "(all)"
BRIDGE_COLUMNS = (
    "opening_mrr",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "fx_impact",
    "closing_mrr",
    "active_logos",
)


def headline_figures(
    con: duckdb.DuckDBPyConnection, ctx: EngineContext, summary, reconciliation: dict
) -> dict:
    """Collect the as-of month's figures over all slices, the options and the input checks."""
    total = _total_slice_filter(ctx)
    bridge = _one_row(
        con,
        f"SELECT {', '.join(BRIDGE_COLUMNS)} FROM movements WHERE month = ? AND {total}",
        [ctx.as_of],
    )
    return {
        "project": ctx.project.config.name,
        "as_of": ctx.as_of.strftime("%Y-%m"),
        "reporting_currency": ctx.reporting_currency,
        "options": ctx.options.model_dump(mode="json"),
        "mrr": bridge.get("closing_mrr"),
        "arr": _arr(bridge.get("closing_mrr")),
        "active_accounts": bridge.get("active_logos"),
        "bridge": bridge,
        "metrics": _metric_figures(con, ctx, total),
        "retention": _retention_figures(con, ctx, total),
        "quarantined_rows": con.execute("SELECT count(*) FROM quarantine").fetchone()[0],
        "inputs": _plain(summary),
        "reconciliation": _plain(reconciliation),
    }


def _metric_figures(con, ctx: EngineContext, total: str) -> list[dict]:
    values = {
        row[0]: row[1:]
        for row in con.execute(
            f"SELECT metric, value, target, status FROM metrics WHERE as_of = ? AND {total}",
            [ctx.as_of],
        ).fetchall()
    }
    figures = []
    for metric in ctx.project.metrics:
        value, target, status = values.get(metric.name, (None, None, None))
        figures.append(
            {
                "name": metric.name,
                "label": metric.label,
                "unit": metric.unit,
                "basis": metric.basis,
                "lookback_months": metric.lookback_months,
                "value": _number(value),
                "target": _number(target),
                "status": status,
            }
        )
    return figures


def _retention_figures(con, ctx: EngineContext, total: str) -> dict:
    rows = con.execute(
        f"SELECT lookback_months, starting_mrr, ending_mrr, nrr, grr, logo_retention "
        f"FROM retention WHERE as_of = ? AND {total} ORDER BY lookback_months",
        [ctx.as_of],
    ).fetchall()
    keys = ("starting_mrr", "ending_mrr", "nrr", "grr", "logo_retention")
    return {str(row[0]): dict(zip(keys, map(_number, row[1:]), strict=True)) for row in rows}


def _total_slice_filter(ctx: EngineContext) -> str:
    columns = [dimension.name for dimension in ctx.dimensions]
    return " AND ".join(f"{column} = '{ALL}'" for column in columns) or "TRUE"


def _one_row(con, query: str, parameters: list) -> dict:
    cursor = con.execute(query, parameters)
    row = cursor.fetchone()
    if row is None:
        return {}
    names = [description[0] for description in cursor.description]
    return {name: _number(value) for name, value in zip(names, row, strict=True)}


def _arr(mrr: float | None) -> float | None:
    """Return 12 × ``mrr``, multiplied in decimal so that 0.3 gives 3.6, not 3.5999999999999996."""
    return None if mrr is None else float(Decimal(repr(mrr)) * 12)


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def _plain(value):
    """Turn dataclasses and Decimals into JSON-ready values."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return _number(value)
