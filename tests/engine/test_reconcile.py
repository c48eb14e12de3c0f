"""Reconciliation of input totals against normalized totals."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import ingest
from nrrgov.engine.normalize import add_normalize, resolve_as_of, validate_revenue
from nrrgov.engine.reconcile import reconcile
from nrrgov.engine.sql import Pipeline
from nrrgov.loader import Project
from nrrgov.spec import OptionsSpec, ProjectSpec, SourceSpec, TaxonomyFileSpec

SUBSCRIPTIONS = (
    "subscription_id,account_id,plan,currency,billing_period,amount,quantity,"
    "start_date,end_date,status"
)


def make_ctx(tmp_path: Path, files: dict[str, str], sources: list[dict], **options):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for name, text in files.items():
        (data / name).write_text(text, encoding="utf-8")
    project = Project(
        root=tmp_path,
        config=ProjectSpec(options=OptionsSpec(**options)),
        metrics=(),
        taxonomy=TaxonomyFileSpec(),
        sources=tuple(SourceSpec(**source) for source in sources),
    )
    return EngineContext(project, data)


def run(ctx: EngineContext, as_of: date | None):
    con = duckdb.connect()
    ingest(con, ctx)
    ctx = replace(ctx, as_of=resolve_as_of(con, ctx, as_of))
    pipeline = Pipeline()
    add_normalize(pipeline, ctx)
    pipeline.run(con)
    validate_revenue(con, ctx)
    return con, ctx


def test_twelve_hundred_accounts(tmp_path):
    rows = [f"S{i},A{i},Pro,USD,monthly,10,1,2024-01-01,,active" for i in range(1200)]
    ctx = make_ctx(
        tmp_path,
        {"subs.csv": "\n".join([SUBSCRIPTIONS, *rows]) + "\n"},
        [{"name": "subscriptions", "path": "subs.csv"}],
    )
    con, ctx = run(ctx, date(2024, 3, 1))
    result = reconcile(con, ctx)

    # 1,200 accounts at 10 a month: 12,000.
    assert result["mrr"]["input_mrr"] == 12000
    assert result["mrr"]["normalized_mrr"] == 12000
    assert result["mrr"]["difference"] == 0
    assert result["accounts"] == {"in_input": 1200, "with_revenue": 1200, "without_revenue": 0}
    assert result["sources"][0]["rows_read"] == 1200
    assert result["sources"][0]["balanced"] is True


def test_jpy_minor_units_converted(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs.csv": f"{SUBSCRIPTIONS}\nS1,A1,Pro,JPY,monthly,12000,1,2024-01-01,,active\n",
            "fx.csv": "month,currency,rate\n2024-01-01,JPY,0.0067\n",
        },
        [
            {"name": "subscriptions", "path": "subs.csv", "amount_units": "minor"},
            {"name": "fx_rates", "path": "fx.csv"},
        ],
    )
    con, ctx = run(ctx, date(2024, 1, 1))
    mrr = reconcile(con, ctx)["mrr"]

    # 12,000 yen (exponent 0) at 0.0067 USD per yen = 80.40 USD.
    assert mrr["normalized_mrr"] == 80.4
    assert mrr["input_mrr"] == 80.4
    assert mrr["difference"] == 0


def test_floored_mrr_explains_gap(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs.csv": "\n".join(
                [
                    SUBSCRIPTIONS,
                    "S1,A1,Pro,USD,monthly,100,1,2024-01-01,,active",
                    "S2,A1,Discount,USD,monthly,-130,1,2024-01-01,,active",
                    "S3,A2,Pro,USD,monthly,50,1,2024-01-01,,active",
                ]
            )
            + "\n"
        },
        [{"name": "subscriptions", "path": "subs.csv"}],
    )
    con, ctx = run(ctx, date(2024, 1, 1))
    result = reconcile(con, ctx)

    # Input: 100 - 130 + 50 = 20. A1's -30 is floored to 0, adding 30: normalized 50.
    assert result["mrr"]["input_mrr"] == 20
    assert result["mrr"]["floored_mrr"] == 30
    assert result["mrr"]["normalized_mrr"] == 50
    assert result["mrr"]["difference"] == 0
    assert result["normalize_quarantined"] == 1


def test_quarantined_rows_counted(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs.csv": "\n".join(
                [
                    SUBSCRIPTIONS,
                    "S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active",
                    "S2,A2,Pro,USD,weekly,10,1,2024-01-01,,active",
                    "S3,A3,Pro,USD,monthly,10,1,2024-01-01,,trial",
                ]
            )
            + "\n"
        },
        [{"name": "subscriptions", "path": "subs.csv", "on_invalid": "quarantine"}],
    )
    con, ctx = run(ctx, date(2024, 1, 1))
    result = reconcile(con, ctx)
    source = result["sources"][0]

    # 3 rows read: S2 quarantined (weekly), S1 and S3 accepted.
    assert (source["rows_read"], source["rows_accepted"], source["rows_quarantined"]) == (3, 2, 1)
    # A1 and A3 are in the accepted input; A3's trial carries no revenue.
    assert result["accounts"] == {"in_input": 2, "with_revenue": 1, "without_revenue": 1}
    assert result["mrr"]["difference"] == 0


def test_detects_lost_revenue(tmp_path):
    rows = [f"S{i},A{i},Pro,USD,monthly,10,1,2024-01-01,,active" for i in range(3)]
    ctx = make_ctx(
        tmp_path,
        {"subs.csv": "\n".join([SUBSCRIPTIONS, *rows]) + "\n"},
        [{"name": "subscriptions", "path": "subs.csv"}],
    )
    con, ctx = run(ctx, date(2024, 2, 1))
    # Simulate a normalization bug that drops one account in the as-of month.
    con.execute("DELETE FROM revenue WHERE account_id = 'A0' AND month = DATE '2024-02-01'")
    mrr = reconcile(con, ctx)["mrr"]

    # Input 3 x 10 = 30; normalized 20; difference 20 - 30 = -10.
    assert mrr["difference"] == -10


def test_mrr_input(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "mrr.csv": "account_id,month,mrr\n"
            "A1,2024-01-01,100\nA2,2024-01-01,40\nA1,2024-02-01,90\n"
        },
        [{"name": "mrr", "path": "mrr.csv"}],
    )
    con, ctx = run(ctx, date(2024, 1, 1))
    mrr = reconcile(con, ctx)["mrr"]

    # January: 100 + 40 = 140 on both sides.
    assert mrr["input_mrr"] == 140
    assert mrr["normalized_mrr"] == 140
    assert mrr["difference"] == 0


PEER_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "peer_data"


@pytest.mark.peer
def test_ravenstack_exports_reconcile(tmp_path):
    accounts = "dineshbarri_saas-subscription-revenue-churn-intelligence/ravenstack_accounts.csv"
    subscriptions = "Monish-2305_SaaS---Cohort-Retention-Analysis/ravenstack_subscriptions.csv"
    project = Project(
        root=tmp_path,
        config=ProjectSpec(),
        metrics=(),
        taxonomy=TaxonomyFileSpec(),
        sources=(
            SourceSpec(
                name="accounts",
                path=accounts,
                columns={"created_at": "signup_date"},
                date_format="%d-%m-%Y",
            ),
            SourceSpec(
                name="subscriptions",
                path=subscriptions,
                columns={"amount": "mrr_amount", "status": "is_trial"},
                constants={"currency": "USD", "billing_period": "monthly"},
                value_maps={"status": {"true": "trial", "false": "active"}},
            ),
        ),
    )
    con, ctx = run(EngineContext(project, PEER_DATA), None)
    result = reconcile(con, ctx)
    source = result["sources"][1]

    # Rows whose end date is on or before the start date, counted straight from the file.
    with (PEER_DATA / subscriptions).open(newline="") as handle:
        records = list(csv.DictReader(handle))
    never_in_service = sum(1 for r in records if r["end_date"] and r["end_date"] <= r["start_date"])

    assert source["rows_read"] == len(records)
    assert source["rows_quarantined"] == never_in_service
    assert result["mrr"]["difference"] == 0
