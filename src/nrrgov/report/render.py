"""Render ``report/`` from the tables and ``results.json`` of a run.

The report reads only what a run wrote, so ``nrrgov report`` can rebuild it later. It
is a set of static pages that open from the file system: the Vega bundle, the style
sheet and the script sit in ``report/assets/``, and each page embeds its data as JSON.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import vl_convert
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from nrrgov import __version__
from nrrgov.errors import Location, UserError
from nrrgov.loader import Project
from nrrgov.report import charts
from nrrgov.report.catalog import metric_catalog
from nrrgov.report.cohorts import cohort_data
from nrrgov.report.council import council_data
from nrrgov.report.health_page import health_page_extras
from nrrgov.report.movers import top_movers
from nrrgov.report.quality import quality_data
from nrrgov.report.series import bridge_data, overview_data, retention_data
from nrrgov.report.tables import ReportTables, filter_dimensions, month_date, month_text

logger = logging.getLogger(__name__)

ASSETS = ("report.css", "report.js")
VEGA_BUNDLE = "vega.js"


@dataclass(frozen=True)
class Page:
    """One page of the report: its key, file, tab title, and whether it has the slice
    filters and charts (only pages with charts load the Vega bundle)."""

    key: str
    file: str
    title: str
    filters: bool
    charts: bool


PAGES = (
    Page("overview", "index.html", "Overview", filters=True, charts=True),
    Page("bridge", "bridge.html", "MRR bridge", filters=True, charts=True),
    Page("retention", "retention.html", "Retention trend", filters=True, charts=True),
    Page("cohorts", "cohorts.html", "Cohorts", filters=True, charts=True),
    Page("catalog", "catalog.html", "Metric catalog", filters=False, charts=False),
    Page("movers", "movers.html", "Top movers", filters=False, charts=True),
    Page("quality", "quality.html", "Data quality", filters=False, charts=False),
    Page("health", "health.html", "Health and KPIs", filters=False, charts=False),
    Page("maturity", "maturity.html", "Maturity", filters=False, charts=False),
    Page("council", "council.html", "Play review", filters=False, charts=False),
)


def render_report(out_dir: Path, project: Project) -> Path:
    """Write the report into ``out_dir/report/`` and return the path of its index page.

    Args:
        out_dir: the output folder of a run, holding ``results.json`` and ``tables/``.
        project: the definitions the run was computed with.

    Raises:
        UserError: when ``out_dir`` contains no results of an earlier run.
    """
    results = _read_results(out_dir)
    tables_dir = out_dir / "tables"
    try:
        with ReportTables(tables_dir, project.config.dimensions) as tables:
            missing = [table for table in CORE_TABLES if not tables.has(table)]
            if missing:
                # Pages render without them, as for a run of only part of the pipeline.
                logger.warning("%s has no %s table; pages leave it out", tables_dir, missing)
            context = _shared_context(tables, project, results)
            movers = top_movers(tables, context["as_of"])
            payloads = _page_payloads(tables, project, context, movers)
            extras = _page_extras(project, payloads, movers, quality_data(tables, results))
            extras.update(health_page_extras(tables, out_dir, project))
            extras["council"] = {"council": council_data(tables)}
    except duckdb.Error as error:
        raise _damaged_output(tables_dir, str(error).splitlines()[0]) from None

    report_dir = out_dir / "report"
    if report_dir.exists():
        shutil.rmtree(report_dir)
    _write_assets(report_dir / "assets")
    environment = _environment()
    for page in PAGES:
        html = environment.get_template(f"{page.key}.html.j2").render(
            **context,
            **extras.get(page.key, {}),
            page=page,
            data=script_json(payloads.get(page.key, {}) | _common_payload(context)),
        )
        (report_dir / page.file).write_text(html, encoding="utf-8")
    logger.info("wrote the report to %s", report_dir)
    return report_dir / PAGES[0].file


def _read_results(out_dir: Path) -> dict:
    results_path = out_dir / "results.json"
    if not results_path.exists():
        raise UserError(
            "NRG501",
            f"no results found in {str(out_dir)!r}",
            where=Location(str(results_path)),
            hint="run 'nrrgov compute' first, or pass --out with the folder it wrote",
        )
    try:
        results = json.loads(results_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", None)
        raise _damaged_output(results_path, f"it is not valid JSON: {error}", line) from None
    if not isinstance(results, dict):
        raise _damaged_output(results_path, "invalid results: expected a JSON object")
    return results


# Tables that every compute run writes and most pages read.
CORE_TABLES = ("movements", "retention", "metrics", "cohorts")


def _damaged_output(path: Path, reason: str, line: int | None = None) -> UserError:
    return UserError(
        "NRG503",
        f"cannot read the earlier run's output: {reason}",
        where=Location(str(path), line=line),
        hint="run 'nrrgov compute' again to rewrite the output folder",
    )


def _shared_context(tables: ReportTables, project: Project, results: dict) -> dict:
    """Collect what every page shows: header, filters and footer."""
    as_of = results.get("as_of") or _last_month(tables)
    if as_of is None:
        raise UserError(
            "NRG502",
            f"the run in {str(tables.tables_dir.parent)!r} has no month to report",
            where=Location(str(tables.tables_dir)),
            hint="run 'nrrgov compute' on exports with at least one month of revenue",
        )
    declared = {
        dimension.name: (dimension.label, dimension.allowed_values)
        for dimension in project.taxonomy.dimensions
    }
    return {
        "project_name": results.get("project") or project.config.name,
        "as_of": as_of,
        "as_of_label": month_date(as_of).strftime("%B %Y"),
        "currency": results.get("reporting_currency") or project.config.reporting_currency,
        "dimensions": filter_dimensions(tables, declared),
        "pages": PAGES,
        "footer": {
            "definitions_commit": results.get("definitions_commit"),
            "version": results.get("nrrgov_version") or __version__,
            "options": results.get("options") or project.config.options.model_dump(mode="json"),
        },
    }


def _last_month(tables: ReportTables) -> str | None:
    if tables.has("movements"):
        return month_text(tables.scalar("SELECT max(month) FROM movements"))
    if tables.has("metrics"):
        return month_text(tables.scalar("SELECT max(as_of) FROM metrics"))
    return None


def _page_payloads(
    tables: ReportTables, project: Project, context: dict, movers: dict
) -> dict[str, dict]:
    """Build the JSON each page embeds for its script: data by slice and chart specs."""
    as_of, currency = context["as_of"], context["currency"]
    overview = overview_data(tables, project.metrics, as_of)
    retention = retention_data(tables, project.metrics, as_of)
    cohorts = cohort_data(tables, as_of, project.config.options.cohort_average)
    return {
        "overview": {
            "overview": overview,
            "charts": {
                "sparklines": {
                    metric.name: charts.sparkline(metric.unit, metric.target is not None)
                    for metric in project.metrics
                },
                "mrr_trend": charts.mrr_trend(currency),
            },
        },
        "bridge": {
            "bridge": bridge_data(tables, as_of),
            "charts": {
                "waterfall": charts.waterfall(currency),
                "movements": charts.movements_bars(currency),
            },
        },
        "retention": {
            "retention": retention,
            "charts": {"trend": _retention_charts(retention)},
        },
        "cohorts": {
            "cohorts": cohorts,
            "charts": {
                "heatmap": charts.cohort_heatmap(len(cohorts["cohorts"]), _max_age(cohorts))
            },
        },
        "movers": {
            "history": movers["history"],
            "charts": {"history": charts.account_history(currency)},
        },
    }


def _max_age(cohorts: dict) -> int:
    lengths = [
        len(row or [])
        for entry in cohorts["slices"]
        for rows in entry["rows"].values()
        for row in rows
    ]
    return max(lengths, default=1) - 1


def _retention_charts(retention: dict) -> dict[str, dict]:
    labels = {"nrr": "NRR", "grr": "GRR", "logo_retention": "Logo retention"}
    specs = {}
    for lookback in retention["lookbacks"]:
        targets = [
            {"measure": labels[t["measure"]], "value": t["value"], "label": t["label"]}
            for t in retention["targets"]
            if t["lookback"] == lookback
        ]
        specs[str(lookback)] = charts.retention_trend(targets)
    return specs


def _page_extras(project: Project, payloads: dict, movers: dict, quality: dict) -> dict:
    """Collect what pages render as HTML rather than hand to their script, per page."""
    return {
        "overview": {"metrics": payloads["overview"]["overview"]["metrics"]},
        "bridge": {"months": payloads["bridge"]["bridge"]["months"]},
        "retention": {
            "lookbacks": payloads["retention"]["retention"]["lookbacks"],
            "targets": payloads["retention"]["retention"]["targets"],
        },
        "cohorts": {
            "cohort_measures": payloads["cohorts"]["cohorts"]["measures"],
            "cohorts_shown": len(payloads["cohorts"]["cohorts"]["cohorts"]),
            "cohorts_total": payloads["cohorts"]["cohorts"]["cohorts_total"],
            "cohort_average": project.config.options.cohort_average,
        },
        "catalog": {"catalog": metric_catalog(project)},
        "movers": {"movers": movers},
        "quality": {"quality": quality},
    }


def _common_payload(context: dict) -> dict:
    return {
        "as_of": context["as_of"],
        "currency": context["currency"],
        "dimensions": [
            {"name": d.name, "label": d.label, "values": list(d.values)}
            for d in context["dimensions"]
        ],
    }


def script_json(payload) -> Markup:
    """Serialize ``payload`` for a ``<script type="application/json">`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e`` and ``\\u0026``,
    which JSON reads back as the same characters, so no data string can close the
    element or open a comment. NaN and infinities, which JSON cannot hold, become null.

    >>> str(script_json({"name": "</script>"}))
    '{"name":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(_finite(payload), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for character, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(character, escaped)
    # U+2028 and U+2029 are valid in JSON but end a line in older JavaScript parsers.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    # Markup is safe here because every character that could end the element is escaped.
    return Markup(text)


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _write_assets(assets_dir: Path) -> None:
    assets_dir.mkdir(parents=True)
    static = resources.files("nrrgov.report") / "static"
    for name in ASSETS:
        (assets_dir / name).write_bytes((static / name).read_bytes())
    (assets_dir / VEGA_BUNDLE).write_text(_vega_bundle(), encoding="utf-8")


def _vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one classic script that defines ``vegaEmbed``.

    vl-convert builds the bundle on its first call in a process, which takes seconds, so
    the text is cached per vl-convert version under the user's cache folder
    (``$XDG_CACHE_HOME/nrrgov``, by default ``~/.cache/nrrgov``). An unwritable cache
    only costs the rebuild.
    """
    cache = _cache_dir() / f"vega-bundle-{vl_convert.__version__}.js"
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(bundle, encoding="utf-8")
        partial.replace(cache)
    except OSError as error:
        logger.info("could not cache the Vega bundle in %s: %s", cache.parent, error)
    return bundle


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nrrgov"


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("nrrgov.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = format_money
    environment.filters["ratio"] = format_ratio
    environment.filters["cell"] = format_cell
    environment.filters["option_list"] = format_options
    environment.filters["heading"] = format_heading
    environment.filters["month_label"] = lambda month: month_date(month).strftime("%b %Y")
    return environment


def format_money(value, decimals: int = 0) -> str:
    """Format an amount in the reporting currency with thousands separators.

    >>> format_money(-1234.5)
    '-1,234'
    """
    if value is None:
        return "–"
    return f"{float(value):,.{decimals}f}"


def format_ratio(value) -> str:
    """Format a ratio as a percentage with one decimal.

    >>> format_ratio(1.0425)
    '104.2%'
    """
    if value is None:
        return "–"
    return f"{float(value) * 100:.1f}%"


def format_options(options: dict) -> str:
    """Format the options in force as ``name=value`` pairs, joining lists with ``+``.

    >>> format_options({"snapshot": "month_end", "no_revenue_statuses": ["trial"], "gap": None})
    'snapshot=month_end, no_revenue_statuses=trial, gap=none'
    """
    pairs = []
    for name, value in options.items():
        if isinstance(value, list | tuple):
            value = "+".join(str(item) for item in value) or "none"
        pairs.append(f"{name}={'none' if value is None else value}")
    return ", ".join(pairs)


def format_cell(value) -> str:
    """Format a cell of a data quality table: counts with separators, amounts from a
    thousand up to the cent, smaller numbers to six significant digits."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float) and abs(value) >= 1000:
        return f"{value:,.2f}"
    if isinstance(value, float):
        # Rates and small amounts keep six significant digits.
        return f"{value:.6g}"
    return str(value)


# Abbreviations written in capitals when a JSON key becomes a heading.
ABBREVIATIONS = {"mrr": "MRR", "arr": "ARR", "fx": "FX", "nrr": "NRR", "grr": "GRR", "id": "ID"}


def format_heading(key: str) -> str:
    """Turn a JSON key into a heading.

    >>> format_heading("input_mrr_native")
    'Input MRR native'
    """
    words = [ABBREVIATIONS.get(word, word) for word in str(key).split("_")]
    first = words[0]
    return " ".join([first[:1].upper() + first[1:], *words[1:]])
