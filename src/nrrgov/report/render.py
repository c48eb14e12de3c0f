"""Render ``report/index.html`` from the tables and ``results.json`` of a run.

The report reads only what a run wrote, so ``nrrgov report`` can rebuild it later.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from nrrgov import __version__
from nrrgov.errors import Location, UserError
from nrrgov.loader import Project

logger = logging.getLogger(__name__)

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


def render_report(out_dir: Path, project: Project) -> Path:
    """Write ``out_dir/report/index.html`` and return its path.

    Raises:
        UserError: when ``out_dir`` holds no results of an earlier run.
    """
    results_path = out_dir / "results.json"
    if not results_path.exists():
        raise UserError(
            "NRG501",
            f"no results found in {str(out_dir)!r}",
            where=Location(str(results_path)),
            hint="run 'nrrgov compute' first, or pass --out with the folder it wrote",
        )
    results = json.loads(results_path.read_text(encoding="utf-8"))
    bridge_history = _bridge_history(out_dir / "tables" / "movements.parquet", project)
    html = (
        _environment()
        .get_template("index.html.j2")
        .render(
            results=results,
            metrics=results.get("metrics", []),
            bridge=_bridge_steps(results.get("bridge") or {}),
            bridge_history=bridge_history,
            bridge_columns=BRIDGE_STEPS,
            currency=results.get("reporting_currency", ""),
            version=__version__,
        )
    )
    report_dir = out_dir / "report"
    report_dir.mkdir(parents=True, exist_ok=True)
    target = report_dir / "index.html"
    target.write_text(html, encoding="utf-8")
    return target


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("nrrgov.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _format_money
    env.filters["ratio"] = _format_ratio
    return env


def _bridge_steps(bridge: dict) -> list[dict]:
    return [
        {"key": key, "label": label, "value": bridge.get(key), "sign": sign}
        for key, label, sign in BRIDGE_STEPS
    ]


def _bridge_history(movements: Path, project: Project, months: int = 12) -> list[dict]:
    """The last ``months`` rows of the bridge over all slices, oldest first."""
    if not movements.exists():
        return []
    total = " AND ".join(f"{name} = '(all)'" for name in project.config.dimensions) or "TRUE"
    columns = ", ".join(key for key, _label, _sign in BRIDGE_STEPS)
    con = duckdb.connect()
    try:
        cursor = con.execute(
            f"SELECT strftime(month, '%Y-%m') AS month, {columns} "
            f"FROM read_parquet(?) WHERE {total} ORDER BY month DESC LIMIT {int(months)}",
            [str(movements)],
        )
        names = [description[0] for description in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    return list(reversed(rows))


def _format_money(value) -> str:
    if value is None:
        return "–"
    return f"{float(value):,.2f}"


def _format_ratio(value) -> str:
    if value is None:
        return "–"
    return f"{float(value) * 100:.1f}%"
