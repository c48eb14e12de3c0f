"""Shape the metric catalog from the governed definitions and the options in force."""

from __future__ import annotations

from nrrgov.loader import Project
from nrrgov.report.series import RATIO_FORMULAS
from nrrgov.spec.metrics import MetricSpec
from nrrgov.spec.options import OptionsSpec

# Options a metric may override, with the label the catalog shows them under.
OVERRIDABLE_OPTIONS = (
    ("snapshot", "Snapshot rule"),
    ("fx_mode", "FX mode"),
    ("grain", "Grain"),
    ("reactivation_max_gap_months", "Reactivation max gap (months)"),
)


def metric_catalog(project: Project) -> list[dict]:
    """Describe every metric as the catalog shows it, in definition order.

    Returns:
        One dict per metric with the definition's fields (``name``, ``label``,
        ``description``, ``formula``, ``owner``, ``status``, ``version``, ``unit``,
        ``basis``, ``lookback_months``, ``dimensions``, ``filters`` and ``target``, None
        without one). Three more are added. ``anchor`` is the element id to link to,
        ``options`` lists the options in force (see :func:`effective_options`) and
        ``used_in`` gives the label and link of each place the metric appears.
    """
    return [_entry(metric, project) for metric in project.metrics]


def _entry(metric: MetricSpec, project: Project) -> dict:
    return {
        "name": metric.name,
        "anchor": metric_anchor(metric.name),
        "label": metric.label,
        "description": metric.description,
        "formula": metric.formula,
        "owner": metric.owner,
        "status": metric.status,
        "version": metric.version,
        "unit": metric.unit,
        "basis": metric.basis,
        "lookback_months": metric.lookback_months,
        "dimensions": list(metric.dimensions),
        "filters": {name: list(values) for name, values in metric.filters.items()},
        "target": metric.target.model_dump() if metric.target else None,
        "options": effective_options(metric, project.config.options),
        "used_in": _used_in(metric),
    }


def metric_anchor(name: str) -> str:
    """Return the element id of a metric's catalog entry.

    >>> metric_anchor("nrr")
    'metric-nrr'
    """
    return f"metric-{name}"


def effective_options(metric: MetricSpec, options: OptionsSpec) -> list[dict]:
    """List the options a metric is computed with: its own overrides, else the project's.

    Returns:
        Dicts of ``name``, ``label``, ``value`` and ``overridden``, starting with the
        lookback, which every metric sets itself.
    """
    rows = [
        {
            "name": "lookback_months",
            "label": "Lookback (months)",
            "value": metric.lookback_months,
            "overridden": True,
        }
    ]
    for name, label in OVERRIDABLE_OPTIONS:
        own = getattr(metric.options, name)
        value = own if own is not None else getattr(options, name)
        rows.append({"name": name, "label": label, "value": value, "overridden": own is not None})
    return rows


def _used_in(metric: MetricSpec) -> list[dict]:
    places = [
        {"label": "Overview tile", "href": f"index.html#tile-{metric.name}"},
        {"label": "metrics table (tables/metrics.parquet)", "href": None},
        {"label": "results.json headline figures", "href": None},
    ]
    is_ratio = RATIO_FORMULAS.get("".join(metric.formula.split()).lower())
    if metric.basis == "retention" and metric.target is not None and is_ratio:
        places.insert(
            1,
            {
                "label": f"Retention trend, {metric.lookback_months}-month target line",
                "href": f"retention.html#lookback-{metric.lookback_months}",
            },
        )
    return places
