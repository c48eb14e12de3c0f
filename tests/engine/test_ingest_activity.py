"""Optional activity exports: enrollments, activities and the like load like revenue exports."""

from __future__ import annotations

import duckdb
import pytest

from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import ingest
from nrrgov.errors import UserError
from nrrgov.loader import load_project
from projects import ACCOUNTS_HEADER, CORE_SOURCES, SUBSCRIPTIONS_HEADER, csv_text, make_project

ACTIVITY_SOURCES = """
  - name: play_enrollments
    path: enrollments.csv
  - name: activities
    path: activities.csv
"""


def _ingest(tmp_path, enrollments: str, activities: str = "account_id,play,occurred_at,kind\n"):
    sources = (CORE_SOURCES + ACTIVITY_SOURCES) if enrollments is not None else None
    files = {
        "accounts.csv": csv_text(ACCOUNTS_HEADER, ["A1,Acme,SMB,NA,csm1,2025-01-01,"]),
        "subscriptions.csv": csv_text(
            SUBSCRIPTIONS_HEADER, ["S1,A1,basic,USD,monthly,10,1,2025-01-01,,active"]
        ),
        "fx_rates.csv": "month,currency,rate\n",
        "enrollments.csv": enrollments or "account_id,play,enrolled_on,group\n",
        "activities.csv": activities,
    }
    root = make_project(tmp_path / "p", files, sources=sources)
    project = load_project(root)
    con = duckdb.connect()
    summary = ingest(con, EngineContext(project, project.data_dir))
    return con, summary


def test_enrollments_load_with_group_column(tmp_path):
    con, summary = _ingest(
        tmp_path, "account_id,play,enrolled_on,group\nA1,renewal_prep,2025-03-02,holdout\n"
    )

    rows = con.execute('SELECT account_id, play, enrolled_on, "group" FROM play_enrollments')
    assert [tuple(map(str, row)) for row in rows.fetchall()] == [
        ("A1", "renewal_prep", "2025-03-02", "holdout")
    ]
    assert summary.source("play_enrollments").rows_accepted == 1


def test_activities_allow_repeated_rows(tmp_path):
    activities = "account_id,play,occurred_at,kind\nA1,p,2025-03-03,call\nA1,p,2025-03-03,call\n"

    con, _ = _ingest(tmp_path, "account_id,play,enrolled_on,group\n", activities)

    assert con.execute("SELECT count(*) FROM activities").fetchone()[0] == 2


def test_enrollment_unknown_account_names_row(tmp_path):
    enrollments = (
        "account_id,play,enrolled_on,group\nA1,p,2025-03-02,treatment\nZ9,p,2025-03-02,holdout\n"
    )

    with pytest.raises(UserError) as raised:
        _ingest(tmp_path, enrollments)

    assert "Z9" in str(raised.value) + " ".join(raised.value.details)
    assert raised.value.where.row == 2


def test_missing_activity_source_gives_empty_table(tmp_path):
    files = {
        "accounts.csv": csv_text(ACCOUNTS_HEADER, ["A1,Acme,SMB,NA,csm1,2025-01-01,"]),
        "subscriptions.csv": csv_text(
            SUBSCRIPTIONS_HEADER, ["S1,A1,basic,USD,monthly,10,1,2025-01-01,,active"]
        ),
        "fx_rates.csv": "month,currency,rate\n",
    }
    project = load_project(make_project(tmp_path / "q", files))
    con = duckdb.connect()

    ingest(con, EngineContext(project, project.data_dir))

    for table in ("play_enrollments", "health_signals", "activities", "forecasts", "decisions"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
