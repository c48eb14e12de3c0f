"""Shape the sliced monthly series of the overview, bridge and retention pages.

Each function returns a JSON-ready dict whose ``slices`` list contains one entry per slice
found in the tables, keyed by its values over every project dimension (``(all)`` where
a row aggregates over one). The page's script picks the entry the filters select.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from nrrgov.report.tables import (
    ReportTables,
    aligned,
    count,
    money,
    month_date,
    months_between,
    ratio,
    shift_month,
)
from nrrgov.spec.metrics import MetricSpec

# Steps of the MRR bridge: column, label, and the sign it enters closing MRR with.
BRIDGE_STEPS = (
    ("opening_mrr", "Opening MRR", 1),
    ("new_mrr", "New", 1),
    ("reactivation_mrr", "Reactivation", 1),
    ("expansion_mrr", "Expansion", 1),
    ("contraction_mrr", "Contraction", -1),
    ("churned_mrr", "Churn", -1),
    ("fx_impact", "FX impact", 1),
    ("closing_mrr", "Closing MRR", 1),
)
RETENTION_MEASURES = ("nrr", "grr", "logo_retention")

# Formulas whose metric is the retention table's own ratio, so its target can be drawn
# on that ratio's trend. Compared with all whitespace removed.
RATIO_FORMULAS = {
    "ending_mrr/starting_mrr": "nrr",
    "retained_mrr/starting_mrr": "grr",
    "retained_logos/starting_logos": "logo_retention",
}

# Decimals of the ratios of the retention trend: a hundredth of a percent.
SERIES_DIGITS = 4
SPARKLINE_MONTHS = 12
MRR_TREND_MONTHS = 24

SliceMap = dict[tuple[str, ...], dict]


def overview_data(tables: ReportTables, metrics: Sequence[MetricSpec], as_of: str) -> dict:
    """Shape the overview: metric tiles, their sparklines, the MRR trend and retention.

    Args:
        tables: the run's tables.
        metrics: the governed metrics, in the order their tiles appear.
        as_of: the run's last month, ``YYYY-MM``.

    Returns:
        ``months`` (the sparkline months plus the month before, for the change),
        ``mrr_months``, ``metrics`` (name, label, unit, direction) and ``slices``, each
        with ``metrics`` (values aligned with ``months``, the as-of target and status),
        ``closing_mrr`` and ``active_logos`` aligned with ``mrr_months``, and
        ``retention`` (lookback -> ratios at the as-of month).
    """
    months = months_between(shift_month(as_of, -SPARKLINE_MONTHS), as_of)
    mrr_months = months_between(shift_month(as_of, 1 - MRR_TREND_MONTHS), as_of)
    slices: SliceMap = defaultdict(dict)

    _add_metric_series(slices, tables, metrics, months)
    _add_mrr_trend(slices, tables, mrr_months)
    _add_retention_snapshot(slices, tables, as_of)
    return {
        "months": months,
        "mrr_months": mrr_months,
        "metrics": [_metric_header(metric) for metric in metrics],
        "slices": _slice_list(slices),
    }


def _metric_header(metric: MetricSpec) -> dict:
    direction = metric.target.direction if metric.target else "higher_is_better"
    return {"name": metric.name, "label": metric.label, "unit": metric.unit, "direction": direction}


def _add_metric_series(slices: SliceMap, tables, metrics, months: list[str]) -> None:
    if not tables.has("metrics"):
        return
    rows = tables.query(
        f"SELECT metric, strftime(as_of, '%Y-%m') AS month, {tables.slice_select('metrics')}, "
        "value, target, status FROM metrics WHERE as_of BETWEEN ? AND ? ORDER BY as_of",
        [month_date(months[0]), month_date(months[-1])],
    )
    units = {metric.name: metric.unit for metric in metrics}
    by_metric: dict[tuple, dict[str, float | None]] = defaultdict(dict)
    for row in rows:
        if row["metric"] not in units:
            continue
        key = tables.slice_key("metrics", row)
        value = money(row["value"]) if units[row["metric"]] == "currency" else ratio(row["value"])
        by_metric[key, row["metric"]][row["month"]] = value
        if row["month"] == months[-1]:
            current = slices[key].setdefault("metrics", {}).setdefault(row["metric"], {})
            current["target"] = ratio(row["target"])
            current["status"] = row["status"]

    for (key, name), values in by_metric.items():
        entry = slices[key].setdefault("metrics", {}).setdefault(name, {})
        entry["values"] = aligned(values, months)
        entry.setdefault("target", None)
        entry.setdefault("status", None)


def _add_mrr_trend(slices: SliceMap, tables, months: list[str]) -> None:
    if not tables.has("movements"):
        return
    rows = tables.query(
        f"SELECT strftime(month, '%Y-%m') AS month, {tables.slice_select('movements')}, "
        "closing_mrr, active_logos FROM movements WHERE month BETWEEN ? AND ?",
        [month_date(months[0]), month_date(months[-1])],
    )
    closing: dict[tuple, dict] = defaultdict(dict)
    logos: dict[tuple, dict] = defaultdict(dict)
    for row in rows:
        key = tables.slice_key("movements", row)
        closing[key][row["month"]] = money(row["closing_mrr"])
        logos[key][row["month"]] = count(row["active_logos"])
    for key in closing:
        slices[key]["closing_mrr"] = aligned(closing[key], months)
        slices[key]["active_logos"] = aligned(logos[key], months)


def _add_retention_snapshot(slices: SliceMap, tables, as_of: str) -> None:
    if not tables.has("retention"):
        return
    rows = tables.query(
        f"SELECT lookback_months, {tables.slice_select('retention')}, starting_mrr, "
        "ending_mrr, nrr, grr, logo_retention FROM retention WHERE as_of = ? "
        "ORDER BY lookback_months",
        [month_date(as_of)],
    )
    for row in rows:
        key = tables.slice_key("retention", row)
        slices[key].setdefault("retention", {})[str(row["lookback_months"])] = {
            "starting_mrr": money(row["starting_mrr"]),
            "ending_mrr": money(row["ending_mrr"]),
            **{measure: ratio(row[measure]) for measure in RETENTION_MEASURES},
        }


def bridge_data(tables: ReportTables, as_of: str) -> dict:
    """Shape the MRR bridge: every month's movements, per slice.

    Returns:
        ``months`` (every month with movements up to ``as_of``), ``steps`` (the bridge
        steps in order: key, label, sign) and ``slices``, each with ``columns``: step key
        -> amounts aligned with ``months``, plus ``active_logos``.
    """
    steps = [{"key": key, "label": label, "sign": sign} for key, label, sign in BRIDGE_STEPS]
    if not tables.has("movements"):
        return {"months": [], "steps": steps, "slices": []}

    columns = [key for key, _label, _sign in BRIDGE_STEPS]
    rows = tables.query(
        f"SELECT strftime(month, '%Y-%m') AS month, {tables.slice_select('movements')}, "
        f"{', '.join(columns)}, active_logos FROM movements WHERE month <= ? ORDER BY month",
        [month_date(as_of)],
    )
    months = months_between(rows[0]["month"], rows[-1]["month"]) if rows else []

    values: dict[tuple, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        key = tables.slice_key("movements", row)
        for column in columns:
            values[key][column][row["month"]] = money(row[column])
        values[key]["active_logos"][row["month"]] = count(row["active_logos"])

    slices = {
        key: {"columns": {name: aligned(series, months) for name, series in by_column.items()}}
        for key, by_column in values.items()
    }
    return {"months": months, "steps": steps, "slices": _slice_list(slices)}


def retention_data(tables: ReportTables, metrics: Sequence[MetricSpec], as_of: str) -> dict:
    """Shape the retention trend: NRR, GRR and logo retention per lookback, per slice.

    Returns:
        ``lookbacks``, ``months`` (every as-of month up to ``as_of``), ``targets`` (see
        :func:`retention_targets`) and ``slices``, each with ``series``: lookback ->
        measure -> values aligned with ``months``.
    """
    targets = retention_targets(metrics)
    if not tables.has("retention"):
        return {"lookbacks": [], "months": [], "targets": targets, "slices": []}

    rows = tables.query(
        f"SELECT strftime(as_of, '%Y-%m') AS month, lookback_months, "
        f"{tables.slice_select('retention')}, nrr, grr, logo_retention FROM retention "
        "WHERE as_of <= ? ORDER BY as_of",
        [month_date(as_of)],
    )
    months = months_between(rows[0]["month"], rows[-1]["month"]) if rows else []
    lookbacks = sorted({row["lookback_months"] for row in rows})

    values: dict[tuple, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        key = tables.slice_key("retention", row)
        for measure in RETENTION_MEASURES:
            value = ratio(row[measure], SERIES_DIGITS)
            values[key][f"{row['lookback_months']}:{measure}"][row["month"]] = value

    slices = {
        key: {"series": _series_by_lookback(series, months)} for key, series in values.items()
    }
    return {
        "lookbacks": lookbacks,
        "months": months,
        "targets": targets,
        "slices": _slice_list(slices),
    }


def _series_by_lookback(series: dict[str, dict], months: list[str]) -> dict:
    nested: dict[str, dict] = defaultdict(dict)
    for name, by_month in series.items():
        lookback, measure = name.split(":")
        nested[lookback][measure] = aligned(by_month, months)
    return dict(nested)


def retention_targets(metrics: Sequence[MetricSpec]) -> list[dict]:
    """Collect the targets of metrics that are exactly NRR, GRR or logo retention.

    A metric qualifies when its basis is ``retention``, it has a target, and its formula
    is one of the retention table's ratios (for example ``ending_mrr / starting_mrr``).

    Returns:
        One dict per such metric: ``measure``, ``lookback``, ``value``, ``metric``, ``label``.
    """
    targets = []
    for metric in metrics:
        measure = RATIO_FORMULAS.get("".join(metric.formula.split()).lower())
        if metric.basis != "retention" or metric.target is None or measure is None:
            continue
        targets.append(
            {
                "measure": measure,
                "lookback": metric.lookback_months,
                "value": metric.target.value,
                "metric": metric.name,
                "label": metric.label,
            }
        )
    return targets


def _slice_list(slices: SliceMap) -> list[dict]:
    return [{"key": list(key), **slices[key]} for key in sorted(slices)]
