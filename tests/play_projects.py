"""Small projects with plays for the plays tests, run through the real engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import ingest
from nrrgov.engine.normalize import resolve_as_of
from nrrgov.engine.run import run_pipelines
from nrrgov.loader import load_project
from nrrgov.plays.engine import compute_plays
from nrrgov.plays.uplift import BootstrapSettings
from projects import ACCOUNTS_HEADER, SUBSCRIPTIONS_HEADER, csv_text, make_project

ENROLLMENTS_HEADER = "account_id,play,enrolled_on,group"
ACTIVITIES_HEADER = "account_id,play,occurred_at,kind"
SOURCES = """sources:
  - {name: accounts, path: accounts.csv}
  - {name: subscriptions, path: subscriptions.csv}
  - {name: fx_rates, path: fx_rates.csv}
  - {name: play_enrollments, path: play_enrollments.csv}
  - {name: activities, path: activities.csv}
"""
# Fewer resamples than a real run, to keep each test well under a second or two.
TEST_BOOTSTRAP = BootstrapSettings(resamples=1000, seed=7)


def play_yaml(name: str, **fields: object) -> str:
    """Return a play file with sensible defaults, overridden by ``fields``."""
    values = {
        "name": name,
        "label": name.replace("_", " ").title(),
        "motion": "renewal_prep",
        "owner": "cs_ops",
        "status": "active",
        "activated_on": "2025-01-01",
        "entry_criteria": "mrr > 0",
        "holdout_share": 0.5,
        "target_kpi": "nrr",
        "outcome_window_months": 3,
        "min_sample_size": 2,
        **fields,
    }
    lines = [f"{key}: {value}" for key, value in values.items() if key != "cost"]
    lines.append("sla: {first_touch_business_days: 3}")
    cost = fields.get("cost", {"fte": 0, "loaded_monthly_cost_per_fte": 0})
    lines.append("cost_per_month: {" + ", ".join(f"{k}: {v}" for k, v in cost.items()) + "}")
    return "\n".join(lines) + "\n"


def write_project(
    root: Path,
    accounts: list[str],
    subscriptions: list[str],
    plays: dict[str, str],
    enrollments: list[str] = (),
    activities: list[str] = (),
    as_of: str = "2025-06",
) -> Path:
    """Write a USD project with plays under ``plays/`` and the given exports."""
    config = (
        f"name: test\nreporting_currency: USD\ndata: data\nas_of: '{as_of}'\n"
        "dimensions: [segment]\n"
    )
    files = {
        "accounts.csv": csv_text(ACCOUNTS_HEADER, accounts),
        "subscriptions.csv": csv_text(SUBSCRIPTIONS_HEADER, subscriptions),
        "fx_rates.csv": "month,currency,rate\n",
        "play_enrollments.csv": csv_text(ENROLLMENTS_HEADER, list(enrollments)),
        "activities.csv": csv_text(ACTIVITIES_HEADER, list(activities)),
    }
    make_project(root, files, sources=SOURCES, config=config)
    (root / "plays").mkdir(exist_ok=True)
    for name, text in plays.items():
        (root / "plays" / f"{name}.yml").write_text(text, encoding="utf-8")
    return root


def run_plays(root: Path, as_of: date | None = None) -> duckdb.DuckDBPyConnection:
    """Ingest, run the analytics and the plays stage; return the open connection."""
    project = load_project(root)
    con = duckdb.connect()
    ctx = EngineContext(project, project.data_dir)
    ingest(con, ctx)
    ctx = replace(ctx, as_of=resolve_as_of(con, ctx, as_of))
    run_pipelines(con, ctx)
    compute_plays(con, ctx, settings=TEST_BOOTSTRAP)
    return con


def row(con: duckdb.DuckDBPyConnection, sql: str, *params) -> dict:
    """Return the first row of ``sql`` as a dict of column -> value."""
    cursor = con.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    values = cursor.fetchone()
    return dict(zip(names, values, strict=True))
