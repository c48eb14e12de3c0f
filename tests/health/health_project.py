"""Build small projects with health, targets and incentives files, and run them in DuckDB.

A project has the reference metrics and taxonomy, dimensions segment and region, and
CSV exports written into ``data/``. :func:`run_health` runs ingest, the analytic stages
and the health stages on a DuckDB connection and returns it, so tests read the tables.
"""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import ingest
from nrrgov.engine.normalize import resolve_as_of
from nrrgov.engine.run import run_pipelines
from nrrgov.health.run import compute_health
from nrrgov.loader import load_project

REPO = Path(__file__).resolve().parents[2]
ACCOUNTS_HEADER = "account_id,account_name,segment,region,csm_owner,created_at,parent_account_id"
SUBSCRIPTIONS_HEADER = (
    "subscription_id,account_id,plan,currency,billing_period,amount,quantity,"
    "start_date,end_date,status"
)
# Source entries by export file name; a project lists those whose file it writes.
SOURCES = {
    "accounts.csv": "  - {name: accounts, path: accounts.csv}\n",
    "subscriptions.csv": "  - {name: subscriptions, path: subscriptions.csv}\n",
    "mrr.csv": "  - {name: mrr, path: mrr.csv}\n",
    "health_signals.csv": "  - {name: health_signals, path: health_signals.csv}\n",
    "forecasts.csv": "  - {name: forecasts, path: forecasts.csv}\n",
    "decisions.csv": "  - {name: decisions, path: decisions.csv}\n",
    "activities.csv": "  - {name: activities, path: activities.csv}\n",
    "play_enrollments.csv": "  - {name: play_enrollments, path: play_enrollments.csv}\n",
}


def make_project(root: Path, data: dict[str, str], definitions: dict[str, str]) -> Path:
    """Write a project with the given exports (file -> CSV text) and definitions files."""
    (root / "definitions").mkdir(parents=True)
    (root / "data").mkdir()
    for name in ("metrics.yml", "taxonomy.yml"):
        shutil.copy(REPO / "definitions" / name, root / "definitions" / name)
    sources = "sources:\n" + "".join(SOURCES[name] for name in data)
    (root / "definitions" / "sources.yml").write_text(sources, encoding="utf-8")
    (root / "nrrgov.yml").write_text(
        "name: health test\nreporting_currency: USD\ndata: data\n"
        "dimensions: [segment, region]\nlookbacks: [1, 3, 12]\n",
        encoding="utf-8",
    )
    for name, text in data.items():
        (root / "data" / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    for name, text in definitions.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def run_health(root: Path, as_of: date) -> duckdb.DuckDBPyConnection:
    """Run ingest, the analytic stages and the health stages; return the connection."""
    project = load_project(root)
    ctx = EngineContext(project, project.data_dir)
    con = duckdb.connect()
    ingest(con, ctx)
    ctx = replace(ctx, as_of=resolve_as_of(con, ctx, as_of))
    run_pipelines(con, ctx)
    compute_health(con, ctx)
    return con


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """Return the rows of ``sql``."""
    return con.execute(sql).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str):
    """Return the single value of ``sql``."""
    found = con.execute(sql).fetchall()
    assert len(found) == 1, f"expected one row, got {found}"
    return found[0][0] if len(found[0]) == 1 else found[0]
