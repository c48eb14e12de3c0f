"""Vega-Lite specs of the report's charts.

Every chart reads a named dataset ``rows`` that the page's script fills with the
selected slice's values, so a filter change updates the data of a chart, never its
spec. Months are ``YYYY-MM`` strings read as UTC dates, so no reader's time zone can
shift a point into the month before.
"""

from __future__ import annotations

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
DATA = {"name": "rows"}

# Colors of the bridge steps; increases in greens and blues, decreases in warm tones.
STEP_COLORS = {
    "New": "#1a7f4b",
    "Reactivation": "#2f9e8f",
    "Expansion": "#3b6fd1",
    "Contraction": "#d98324",
    "Churn": "#c53030",
    "FX impact": "#8a94a6",
    "Moves between slices": "#b5a26b",
}
MEASURE_COLORS = {"NRR": "#3b6fd1", "GRR": "#1a7f4b", "Logo retention": "#8a5cc2"}
INK = "#1d2433"
MUTED = "#5b6475"

CONFIG = {
    "font": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    "view": {"stroke": None},
    "axis": {
        "labelColor": MUTED,
        "titleColor": MUTED,
        "titleFontWeight": "normal",
        "gridColor": "#eceff3",
        "domainColor": "#c9ced8",
        "tickColor": "#c9ced8",
        "labelFontSize": 11,
    },
    "legend": {"labelColor": INK, "titleColor": MUTED, "orient": "top", "labelFontSize": 11},
    "numberFormat": ",.0f",
}


def _chart(body: dict, height: int | dict = 260) -> dict:
    return {
        "$schema": SCHEMA,
        "data": DATA,
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": CONFIG,
        **body,
    }


def _month_x(title: str | None = None, axis: dict | None = None) -> dict:
    return {
        "field": "month",
        "type": "temporal",
        "timeUnit": "utcyearmonth",
        "title": title,
        "axis": {
            "format": "%b %Y",
            "labelAngle": 0,
            "tickCount": {"interval": "month", "step": 3},
            "labelOverlap": "greedy",
            "labelFlush": False,
            **(axis or {}),
        },
    }


def sparkline(unit: str, has_target: bool) -> dict:
    """Chart a metric's last twelve months from rows of ``month``, ``value`` and
    ``target``. The target is drawn as a dashed rule when the metric has one."""
    value_format = ".1%" if unit == "ratio" else ",.0f"
    tooltip = [
        {"field": "month", "type": "temporal", "timeUnit": "utcyearmonth", "title": "Month"},
        {"field": "value", "type": "quantitative", "format": value_format, "title": "Value"},
    ]
    x = {"field": "month", "type": "temporal", "timeUnit": "utcyearmonth", "axis": None}
    y = {"field": "value", "type": "quantitative", "scale": {"zero": False}, "axis": None}
    layers = [
        {
            "mark": {"type": "line", "color": "#3b6fd1", "strokeWidth": 2},
            "encoding": {"x": x, "y": y},
        },
        {
            "mark": {"type": "point", "filled": True, "color": "#3b6fd1", "size": 28},
            "encoding": {"x": x, "y": y, "tooltip": tooltip},
        },
    ]
    if has_target:
        layers.append(
            {
                "mark": {"type": "rule", "color": MUTED, "strokeDash": [3, 3]},
                "encoding": {"y": {"field": "target", "aggregate": "max"}},
            }
        )
    return _chart({"layer": layers}, height=44)


def mrr_trend(currency: str) -> dict:
    """Chart closing MRR by month from rows of ``month`` and ``mrr``."""
    return _chart(
        {
            "mark": {"type": "area", "line": {"color": "#3b6fd1"}, "color": "#dbe6fa"},
            "encoding": {
                "x": _month_x(),
                "y": {"field": "mrr", "type": "quantitative", "title": f"MRR ({currency})"},
                "tooltip": [
                    {"field": "month", "timeUnit": "utcyearmonth", "type": "temporal"},
                    {"field": "mrr", "type": "quantitative", "format": ",.0f", "title": "MRR"},
                ],
            },
        },
        height=220,
    )


def waterfall(currency: str) -> dict:
    """Chart the bridge of one month or range from rows of ``order``, ``label``,
    ``kind`` and ``amount``. ``kind`` is ``total`` for opening and closing MRR and
    ``flow`` for the signed movements between them.

    Movements are small next to MRR, so the value axis starts below the lowest level the
    bridge reaches rather than at zero, and the total bars start there too.
    """
    running = "datum.kind === 'total' ? (datum.order === 0 ? datum.amount : 0) : datum.amount"
    flow_start = "datum.level - datum.amount"
    floor = "datum.low > 0 ? max(0, datum.low - 0.6 * (datum.high - datum.low)) : datum.low"
    return _chart(
        {
            "transform": [
                {"calculate": running, "as": "step_flow"},
                {
                    "window": [{"op": "sum", "field": "step_flow", "as": "level"}],
                    "sort": [{"field": "order"}],
                },
                {
                    "calculate": f"datum.kind === 'total' ? datum.amount : {flow_start}",
                    "as": "flow_start",
                },
                {
                    "calculate": "datum.kind === 'total' ? datum.amount : datum.level",
                    "as": "end",
                },
                {
                    "joinaggregate": [
                        {"op": "min", "field": "flow_start", "as": "low_start"},
                        {"op": "min", "field": "end", "as": "low_end"},
                        {"op": "max", "field": "flow_start", "as": "high_start"},
                        {"op": "max", "field": "end", "as": "high_end"},
                    ]
                },
                {"calculate": "min(datum.low_start, datum.low_end)", "as": "low"},
                {"calculate": "max(datum.high_start, datum.high_end)", "as": "high"},
                {"calculate": floor, "as": "floor"},
                {
                    "calculate": "datum.kind === 'total' ? datum.floor : datum.flow_start",
                    "as": "start",
                },
                {"calculate": "max(datum.start, datum.end)", "as": "top"},
                {
                    "calculate": "datum.kind === 'total' ? 'Total' : "
                    "(datum.amount < 0 ? 'Decrease' : 'Increase')",
                    "as": "direction",
                },
            ],
            "layer": [
                {
                    "mark": {"type": "bar", "cornerRadius": 2},
                    "encoding": {
                        "x": {
                            "field": "label",
                            "type": "ordinal",
                            "sort": {"field": "order"},
                            "title": None,
                            "axis": {"labelAngle": 0, "labelLimit": 90},
                        },
                        "y": {
                            "field": "start",
                            "type": "quantitative",
                            "title": currency,
                            "scale": {"zero": False},
                        },
                        "y2": {"field": "end"},
                        "color": {
                            "field": "direction",
                            "type": "nominal",
                            "scale": {
                                "domain": ["Total", "Increase", "Decrease"],
                                "range": ["#5b6475", "#1a7f4b", "#c53030"],
                            },
                            "legend": None,
                        },
                        "tooltip": [
                            {"field": "label", "title": "Step"},
                            {"field": "amount", "type": "quantitative", "format": ",.2f"},
                        ],
                    },
                },
                {
                    "mark": {"type": "text", "dy": -8, "color": INK, "fontSize": 11},
                    "encoding": {
                        "x": {"field": "label", "type": "ordinal", "sort": {"field": "order"}},
                        "y": {"field": "top", "type": "quantitative"},
                        "text": {"field": "amount", "type": "quantitative", "format": ",.0f"},
                    },
                },
            ],
        },
        height=300,
    )


def movements_bars(currency: str) -> dict:
    """Chart monthly movements stacked above and below zero, from rows of ``month``,
    ``label``, ``order`` and the signed ``amount``."""
    labels = [label for label in STEP_COLORS if label != "Moves between slices"]
    return _chart(
        {
            "mark": {"type": "bar"},
            "encoding": {
                "x": _month_x()
                | {"type": "ordinal", "axis": {"format": "%b %y", "labelAngle": -45}},
                "y": {
                    "field": "amount",
                    "type": "quantitative",
                    "stack": "zero",
                    "title": currency,
                },
                "color": {
                    "field": "label",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": labels, "range": [STEP_COLORS[k] for k in labels]},
                },
                "order": {"field": "order"},
                "tooltip": [
                    {"field": "month", "timeUnit": "utcyearmonth", "title": "Month"},
                    {"field": "label", "title": "Movement"},
                    {"field": "amount", "type": "quantitative", "format": ",.2f"},
                ],
            },
        },
        height=280,
    )


def retention_trend(targets: list[dict]) -> dict:
    """Chart NRR, GRR and logo retention of one lookback over time, with its targets
    as dashed rules, from rows of ``month``, ``measure`` (label) and ``value``.

    Args:
        targets: dicts of ``measure`` (label), ``value`` and ``label`` for this lookback.
    """
    color = {
        "field": "measure",
        "type": "nominal",
        "title": None,
        "scale": {"domain": list(MEASURE_COLORS), "range": list(MEASURE_COLORS.values())},
    }
    layers = [
        {
            "mark": {"type": "line", "point": {"size": 20}, "strokeWidth": 2},
            "encoding": {
                "x": _month_x(),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": None,
                    "scale": {"zero": False},
                    "axis": {"format": ".0%"},
                },
                "color": color,
                "tooltip": [
                    {"field": "month", "timeUnit": "utcyearmonth", "title": "As of"},
                    {"field": "measure", "title": "Measure"},
                    {"field": "value", "type": "quantitative", "format": ".1%"},
                ],
            },
        }
    ]
    if targets:
        layers.append(
            {
                "data": {"values": targets},
                "mark": {"type": "rule", "strokeDash": [6, 4], "strokeWidth": 1.5},
                "encoding": {
                    "y": {"field": "value", "type": "quantitative"},
                    "color": color,
                    "tooltip": [
                        {"field": "label", "title": "Target"},
                        {"field": "value", "type": "quantitative", "format": ".1%"},
                    ],
                },
            }
        )
    return _chart({"layer": layers}, height=240)


def cohort_heatmap(cohort_count: int, max_age: int) -> dict:
    """Chart the cohort triangle from rows of ``cohort`` (or ``Average``), ``order``,
    ``age`` and one value per measure (``net``, ``gross``, ``logos``).

    The ``measure`` parameter picks the measure shown. Cells are labelled only when
    they are wide enough to read."""
    readable = f"width / {max_age + 1} >= 30 ? 1 : 0"
    return _chart(
        {
            "params": [{"name": "measure", "value": "net"}],
            "transform": [
                {"calculate": "datum[measure]", "as": "value"},
                {"filter": "datum.value != null"},
            ],
            "encoding": {
                "x": {
                    "field": "age",
                    "type": "ordinal",
                    "title": "Months since first MRR",
                    "axis": {"labelAngle": 0},
                },
                "y": {
                    "field": "cohort",
                    "type": "ordinal",
                    "title": None,
                    "sort": {"field": "order"},
                },
            },
            "layer": [
                {
                    "mark": {"type": "rect"},
                    "encoding": {
                        "color": {
                            "field": "value",
                            "type": "quantitative",
                            "title": None,
                            "scale": {"scheme": "blues", "domain": [0.4, 1.2], "clamp": True},
                            "legend": {"format": ".0%", "orient": "right"},
                        },
                        "tooltip": [
                            {"field": "cohort", "title": "Cohort"},
                            {"field": "age", "title": "Age (months)"},
                            {"field": "value", "type": "quantitative", "format": ".1%"},
                        ],
                    },
                },
                {
                    "mark": {"type": "text", "fontSize": 9, "opacity": {"expr": readable}},
                    "encoding": {
                        "text": {"field": "value", "type": "quantitative", "format": ".0%"},
                        "color": {
                            "condition": {"test": "datum.value > 0.85", "value": "white"},
                            "value": INK,
                        },
                    },
                },
            ],
        },
        # NOTE: a fixed height, not a step: Vega-Lite 6 warns about a step height on a
        # chart whose width follows its container.
        height=(cohort_count + 1) * (20 if cohort_count <= 36 else 14),
    )


def account_history(currency: str) -> dict:
    """Chart one account's MRR by month from rows of ``month`` and ``mrr``."""
    return _chart(
        {
            "mark": {"type": "line", "point": True, "interpolate": "step-after"},
            "encoding": {
                "x": _month_x(),
                "y": {"field": "mrr", "type": "quantitative", "title": f"MRR ({currency})"},
                "tooltip": [
                    {"field": "month", "timeUnit": "utcyearmonth", "title": "Month"},
                    {"field": "mrr", "type": "quantitative", "format": ",.2f", "title": "MRR"},
                ],
            },
        },
        height=180,
    )
