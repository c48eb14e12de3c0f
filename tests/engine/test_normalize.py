"""Normalize: subscriptions and MRR exports to MRR per account, currency and month."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from nrrgov.engine import ingest_codes as codes
from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import ingest
from nrrgov.engine.normalize import add_normalize, resolve_as_of, validate_revenue
from nrrgov.engine.run import money_in_range
from nrrgov.engine.sql import Pipeline
from nrrgov.errors import UserError
from nrrgov.loader import Project
from nrrgov.spec import OptionsSpec, ProjectSpec, SourceSpec, TaxonomyFileSpec

SUBSCRIPTIONS = (
    "subscription_id,account_id,plan,currency,billing_period,amount,quantity,"
    "start_date,end_date,status"
)


def make_ctx(
    tmp_path: Path,
    files: dict[str, str],
    sources: list[dict] | None = None,
    reporting_currency: str = "USD",
    **options,
) -> EngineContext:
    """Write ``files`` under ``tmp_path/data``; by default ``subs.csv`` is the only source."""
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (data / name).write_text(text, encoding="utf-8")
    sources = sources or [{"name": "subscriptions", "path": "subs.csv"}]
    project = Project(
        root=tmp_path,
        config=ProjectSpec(reporting_currency=reporting_currency, options=OptionsSpec(**options)),
        metrics=(),
        taxonomy=TaxonomyFileSpec(),
        sources=tuple(SourceSpec(**source) for source in sources),
    )
    return EngineContext(project, data)


def subscriptions(*rows: str) -> dict[str, str]:
    return {"subs.csv": "\n".join([SUBSCRIPTIONS, *rows]) + "\n"}


def normalize(ctx: EngineContext, as_of: date | None = None, validate: bool = True):
    """Run ingest and normalize; return the connection and the context with as_of."""
    con = duckdb.connect()
    ingest(con, ctx)
    ctx = replace(ctx, as_of=resolve_as_of(con, ctx, as_of))
    pipeline = Pipeline()
    add_normalize(pipeline, ctx)
    pipeline.run(con)
    if validate:
        validate_revenue(con, ctx)
    return con, ctx


def revenue(con) -> list[tuple]:
    return con.execute(
        "SELECT account_id, currency, month, mrr_native FROM revenue ORDER BY 1, 2, 3"
    ).fetchall()


def mrr_by_month(con, account_id: str = "A1") -> dict[date, Decimal]:
    rows = con.execute(
        "SELECT month, mrr_native FROM revenue WHERE account_id = ? ORDER BY 1", [account_id]
    ).fetchall()
    return dict(rows)


def test_24_month_period(tmp_path):
    ctx = make_ctx(tmp_path, subscriptions("S1,A1,Pro,USD,24,4800,1,2024-01-01,,active"))
    con, _ = normalize(ctx, date(2024, 1, 1))
    # 4,800 per 24 months = 200 a month.
    assert mrr_by_month(con) == {date(2024, 1, 1): Decimal("200")}


def test_quarterly_period(tmp_path):
    ctx = make_ctx(tmp_path, subscriptions("S1,A1,Pro,USD,quarterly,300,1,2024-01-01,,active"))
    con, _ = normalize(ctx, date(2024, 2, 1))
    # 300 per quarter = 100 a month, in January and February.
    assert mrr_by_month(con) == {date(2024, 1, 1): Decimal("100"), date(2024, 2, 1): Decimal("100")}


def test_period_division_is_exact_past_double_precision(tmp_path):
    ctx = make_ctx(
        tmp_path, subscriptions("S1,A1,Pro,USD,quarterly,9876543210.123457,1,2024-01-01,,active")
    )
    con, _ = normalize(ctx, date(2024, 1, 1))
    # 9,876,543,210.123457 / 3 = 3,292,181,070.0411523..., so the sixth decimal is 2.
    assert mrr_by_month(con) == {date(2024, 1, 1): Decimal("3292181070.041152")}


def test_mrr_past_money_range_is_a_user_error(tmp_path):
    ctx = make_ctx(
        tmp_path, subscriptions("S1,A1,Pro,USD,monthly,1500000000000,1,2024-01-01,,active")
    )
    with pytest.raises(UserError) as caught, money_in_range():
        normalize(ctx, date(2024, 1, 1))
    assert caught.value.code == codes.MONEY_OUT_OF_RANGE
    assert "amount_units" in caught.value.hint


def test_jpy_minor_units_native_amount(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            **subscriptions("S1,A1,Pro,JPY,monthly,12000,1,2024-01-01,,active"),
            "fx.csv": "month,currency,rate\n2024-01-01,JPY,0.0067\n",
        },
        [
            {"name": "subscriptions", "path": "subs.csv", "amount_units": "minor"},
            {"name": "fx_rates", "path": "fx.csv"},
        ],
    )
    con, _ = normalize(ctx, date(2024, 1, 1))
    # JPY has no minor unit: 12,000 minor units are 12,000 yen a month.
    assert revenue(con) == [("A1", "JPY", date(2024, 1, 1), Decimal("12000"))]


class TestSnapshotRule:
    """A subscription from 2024-01-15 to 2024-03-15 (exclusive), as of 2024-04."""

    ROW = "S1,A1,Pro,USD,monthly,10,1,2024-01-15,2024-03-15,active"

    def test_month_end(self, tmp_path):
        ctx = make_ctx(tmp_path, subscriptions(self.ROW), snapshot="month_end")
        con, _ = normalize(ctx, date(2024, 4, 1))
        # In service on Jan 31 and Feb 29; not on Mar 31 (it ended on Mar 15).
        assert list(mrr_by_month(con)) == [date(2024, 1, 1), date(2024, 2, 1)]

    def test_month_start(self, tmp_path):
        ctx = make_ctx(tmp_path, subscriptions(self.ROW), snapshot="month_start")
        con, _ = normalize(ctx, date(2024, 4, 1))
        # Not in service on Jan 1 (starts Jan 15); in service on Feb 1 and Mar 1.
        assert list(mrr_by_month(con)) == [date(2024, 2, 1), date(2024, 3, 1)]


class TestEndDates:
    """A subscription ending on 2024-03-31 as written in the export."""

    ROW = "S1,A1,Pro,USD,monthly,10,1,2024-01-01,2024-03-31,active"

    def test_exclusive(self, tmp_path):
        ctx = make_ctx(tmp_path, subscriptions(self.ROW))
        con, _ = normalize(ctx, date(2024, 4, 1))
        # Exclusive: out of service on Mar 31, the March snapshot day, so Jan and Feb only.
        assert list(mrr_by_month(con)) == [date(2024, 1, 1), date(2024, 2, 1)]

    def test_inclusive(self, tmp_path):
        ctx = make_ctx(
            tmp_path,
            subscriptions(self.ROW),
            [{"name": "subscriptions", "path": "subs.csv", "inclusive_end_dates": True}],
        )
        con, _ = normalize(ctx, date(2024, 4, 1))
        # Inclusive: in service through Mar 31, so March counts too.
        assert list(mrr_by_month(con)) == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]


def test_trial_carries_nothing(tmp_path):
    ctx = make_ctx(
        tmp_path,
        subscriptions(
            "S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active",
            "S2,A2,Pro,USD,monthly,99,1,2024-01-01,,Trial",
        ),
    )
    con, _ = normalize(ctx, date(2024, 1, 1))
    # A2's only subscription is a trial (status compared ignoring case): no revenue row.
    assert [row[0] for row in revenue(con)] == ["A1"]


def test_zero_amount_carries_nothing(tmp_path):
    ctx = make_ctx(
        tmp_path,
        subscriptions(
            "S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active",
            "S2,A2,Free,USD,monthly,0,1,2024-01-01,,active",
        ),
    )
    con, _ = normalize(ctx, date(2024, 1, 1))
    assert [row[0] for row in revenue(con)] == ["A1"]


def test_open_ended_runs_to_as_of_only(tmp_path):
    ctx = make_ctx(tmp_path, subscriptions("S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active"))
    con, _ = normalize(ctx, date(2024, 6, 1))
    months = list(mrr_by_month(con))
    # January to June: six months, none after the as-of month.
    assert len(months) == 6
    assert max(months) == date(2024, 6, 1)


def test_amounts_summed_per_account_and_currency(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            **subscriptions(
                "S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active",
                "S2,A1,Seats,USD,annual,120,1,2024-01-01,,active",
                "S3,A1,Pro,EUR,monthly,7,1,2024-01-01,,active",
            ),
            "fx.csv": "month,currency,rate\n2024-01-01,EUR,1.1\n",
        },
        [{"name": "subscriptions", "path": "subs.csv"}, {"name": "fx_rates", "path": "fx.csv"}],
    )
    con, _ = normalize(ctx, date(2024, 1, 1))
    # USD: 10 + 120 / 12 = 20; EUR: 7 on its own row.
    assert revenue(con) == [
        ("A1", "EUR", date(2024, 1, 1), Decimal("7")),
        ("A1", "USD", date(2024, 1, 1), Decimal("20")),
    ]


def test_overlapping_subscriptions(tmp_path):
    ctx = make_ctx(
        tmp_path,
        subscriptions(
            "S1,A1,Pro,USD,monthly,10,1,2024-01-01,2024-03-01,active",
            "S2,A1,Add-on,USD,monthly,5,1,2024-02-15,,active",
        ),
    )
    con, _ = normalize(ctx, date(2024, 3, 1))
    # Jan 31: S1 only, 10. Feb 29: S1 and S2, 15. Mar 31: S1 ended Mar 1, S2 alone, 5.
    assert mrr_by_month(con) == {
        date(2024, 1, 1): Decimal("10"),
        date(2024, 2, 1): Decimal("15"),
        date(2024, 3, 1): Decimal("5"),
    }


def test_gap_month_has_no_row(tmp_path):
    ctx = make_ctx(
        tmp_path,
        subscriptions(
            "S1,A1,Pro,USD,monthly,10,1,2024-01-01,2024-03-01,active",
            "S2,A1,Pro,USD,monthly,10,1,2024-04-01,,active",
        ),
    )
    con, _ = normalize(ctx, date(2024, 4, 1))
    # Out of service on Mar 31, back in April: no March row.
    assert list(mrr_by_month(con)) == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 4, 1)]


class TestNegativeMrr:
    """A 100 price and a -130 discount: account MRR -30 in January 2024."""

    ROWS = (
        "S1,A1,Pro,USD,monthly,100,1,2024-01-01,,active",
        "S2,A1,Discount,USD,monthly,-130,1,2024-01-01,,active",
        "S3,A2,Pro,USD,monthly,50,1,2024-01-01,,active",
    )

    def test_floored_and_quarantined(self, tmp_path):
        ctx = make_ctx(tmp_path, subscriptions(*self.ROWS), negative_mrr="floor")
        con, _ = normalize(ctx, date(2024, 1, 1))
        quarantined = con.execute('SELECT "column", value, reason FROM quarantine').fetchall()

        assert [row[0] for row in revenue(con)] == ["A2"]  # A1 floored to 0: no row
        assert len(quarantined) == 1
        assert Decimal(quarantined[0][1]) == Decimal("-30")  # 100 - 130
        assert "A1" in quarantined[0][2]
        assert "floored at 0" in quarantined[0][2]

    def test_error_policy(self, tmp_path):
        ctx = make_ctx(tmp_path, subscriptions(*self.ROWS), negative_mrr="error")
        with pytest.raises(UserError) as caught:
            normalize(ctx, date(2024, 1, 1))
        assert caught.value.code == codes.NEGATIVE_MRR
        assert "A1" in caught.value.message


def test_parent_grain(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "accounts.csv": "account_id,parent_account_id\nP1,\nC1,P1\nC2,P1\n",
            **subscriptions(
                "S1,C1,Pro,USD,monthly,10,1,2024-01-01,,active",
                "S2,C2,Pro,USD,monthly,15,1,2024-01-01,,active",
            ),
        },
        [
            {"name": "accounts", "path": "accounts.csv"},
            {"name": "subscriptions", "path": "subs.csv"},
        ],
        grain="parent_account",
    )
    con, _ = normalize(ctx, date(2024, 1, 1))
    # Both children roll up to P1: 10 + 15 = 25.
    assert revenue(con) == [("P1", "USD", date(2024, 1, 1), Decimal("25"))]


class TestMrrInput:
    def test_missing_month_has_no_row(self, tmp_path):
        ctx = make_ctx(
            tmp_path,
            {
                "mrr.csv": "account_id,month,mrr\nA1,2024-01-01,100\nA1,2024-02-01,100\n"
                "A1,2024-04-01,120\nA2,2024-01-01,50\nA2,2024-02-01,50\nA2,2024-03-01,50\n"
            },
            [{"name": "mrr", "path": "mrr.csv"}],
        )
        con, ctx = normalize(ctx)
        # A1 has no March row: no revenue that month, which downstream reads as churn.
        assert list(mrr_by_month(con)) == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 4, 1)]
        assert ctx.as_of == date(2024, 4, 1)

    def test_currency_is_reporting_currency(self, tmp_path):
        ctx = make_ctx(
            tmp_path,
            {"mrr.csv": "account_id,month,mrr\nA1,2024-01-01,100\n"},
            [{"name": "mrr", "path": "mrr.csv"}],
            reporting_currency="EUR",
        )
        con, _ = normalize(ctx)
        assert revenue(con) == [("A1", "EUR", date(2024, 1, 1), Decimal("100"))]


class TestCalendar:
    def test_first_month_with_revenue_to_as_of(self, tmp_path):
        ctx = make_ctx(
            tmp_path,
            subscriptions(
                "S0,A0,Pro,USD,monthly,10,1,2023-11-20,,trial",
                "S1,A1,Pro,USD,monthly,10,1,2024-01-01,2024-02-01,active",
            ),
        )
        con, _ = normalize(ctx, date(2024, 3, 1))
        months = [row[0] for row in con.execute("SELECT month FROM calendar ORDER BY 1").fetchall()]
        # The trial carries no revenue, so the calendar starts with S1 in January.
        assert months == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]


class TestAsOf:
    def test_default_is_last_month_with_data(self, tmp_path):
        ctx = make_ctx(
            tmp_path,
            subscriptions(
                "S1,A1,Pro,USD,monthly,10,1,2024-01-01,2024-05-01,active",
                "S2,A2,Pro,USD,monthly,10,1,2024-02-10,,active",
            ),
        )
        _, ctx = normalize(ctx)
        # Latest start is Feb 10; S1's last day in service is Apr 30: April.
        assert ctx.as_of == date(2024, 4, 1)

    def test_end_in_year_9999_is_no_end(self, tmp_path):
        ctx = make_ctx(
            tmp_path,
            subscriptions(
                "S1,A1,Pro,USD,monthly,10,1,2024-01-01,9999-12-31,active",
                "S2,A2,Pro,USD,monthly,10,1,2024-02-10,2024-04-01,active",
            ),
        )
        con, ctx = normalize(ctx)
        # S2's last day in service, March 31, is the last date that is data.
        assert ctx.as_of == date(2024, 3, 1)
        assert mrr_by_month(con, "A1")[date(2024, 3, 1)] == Decimal("10")

    def test_requested_month_is_truncated(self, tmp_path):
        ctx = make_ctx(tmp_path, subscriptions("S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active"))
        _, ctx = normalize(ctx, date(2024, 3, 17))
        assert ctx.as_of == date(2024, 3, 1)

    def test_before_data_is_an_error(self, tmp_path):
        ctx = make_ctx(tmp_path, subscriptions("S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active"))
        with pytest.raises(UserError) as caught:
            normalize(ctx, date(2023, 12, 1))
        assert caught.value.code == codes.AS_OF_BEFORE_DATA
        assert "2023-12" in caught.value.message

    def test_no_rows_is_an_error(self, tmp_path):
        ctx = make_ctx(tmp_path, subscriptions())
        with pytest.raises(UserError) as caught:
            normalize(ctx)
        assert caught.value.code == codes.NO_DATA

    def test_reporting_rates_extend_to_as_of(self, tmp_path):
        ctx = make_ctx(tmp_path, subscriptions("S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active"))
        con, _ = normalize(ctx, date(2024, 5, 1))
        months = con.execute("SELECT count(*) FROM fx_rates WHERE currency = 'USD'").fetchone()
        assert months[0] == 5  # January to May at rate 1


class TestFxValidation:
    def test_missing_rates_past_the_data_say_so(self, tmp_path):
        ctx = make_ctx(
            tmp_path,
            {
                **subscriptions("S1,A1,Pro,EUR,monthly,10,1,2024-01-01,,active"),
                "fx.csv": "month,currency,rate\n2024-01-01,EUR,1.1\n",
            },
            [{"name": "subscriptions", "path": "subs.csv"}, {"name": "fx_rates", "path": "fx.csv"}],
        )
        with pytest.raises(UserError) as caught:
            normalize(ctx, date(2030, 1, 1))
        assert caught.value.code == codes.MISSING_FX_RATE
        assert "after the last month with data, 2024-01" in caught.value.hint

    def test_missing_rates_inside_the_data(self, tmp_path):
        ctx = make_ctx(
            tmp_path,
            {
                **subscriptions("S1,A1,Pro,EUR,monthly,10,1,2024-01-01,2024-03-01,active"),
                "fx.csv": "month,currency,rate\n2024-01-01,EUR,1.1\n",
            },
            [{"name": "subscriptions", "path": "subs.csv"}, {"name": "fx_rates", "path": "fx.csv"}],
        )
        with pytest.raises(UserError) as caught:
            normalize(ctx, date(2024, 2, 1))
        assert "after the last month with data" not in caught.value.hint

    def test_missing_pairs_listed_at_once(self, tmp_path):
        ctx = make_ctx(
            tmp_path,
            {
                **subscriptions(
                    "S1,A1,Pro,EUR,monthly,10,1,2024-01-01,2024-03-01,active",
                    "S2,A2,Pro,GBP,monthly,10,1,2024-02-01,,active",
                ),
                "fx.csv": "month,currency,rate\n2024-01-01,EUR,1.1\n",
            },
            [{"name": "subscriptions", "path": "subs.csv"}, {"name": "fx_rates", "path": "fx.csv"}],
        )
        with pytest.raises(UserError) as caught:
            normalize(ctx, date(2024, 4, 1))
        # EUR has revenue in Jan and Feb and churns in March: it needs Jan, Feb, Mar, and
        # Apr (the as-of month, whose rates value mrr_constant_currency), and has Jan.
        # GBP has revenue Feb to Apr (as-of): it needs Feb, Mar, Apr.
        assert caught.value.code == codes.MISSING_FX_RATE
        assert caught.value.details == [
            "EUR 2024-02",
            "EUR 2024-03",
            "EUR 2024-04",
            "GBP 2024-02",
            "GBP 2024-03",
            "GBP 2024-04",
        ]

    def test_constant_currency_needs_later_rate(self, tmp_path):
        files = {
            **subscriptions("S1,A1,Pro,EUR,monthly,10,1,2024-01-01,2024-03-01,active"),
            "fx.csv": "month,currency,rate\n2024-01-01,EUR,1.1\n2024-02-01,EUR,1.1\n"
            "2024-03-01,EUR,1.1\n2024-05-01,EUR,1.1\n",
        }
        sources = [
            {"name": "subscriptions", "path": "subs.csv"},
            {"name": "fx_rates", "path": "fx.csv"},
        ]
        month_rate = make_ctx(tmp_path / "a", files, sources)
        constant = make_ctx(tmp_path / "b", files, sources, fx_mode="constant_currency")

        # EUR revenue in January and February, churn in March, as-of May: month_rate needs
        # Jan, Feb, Mar and May (the as-of month), all present.
        normalize(month_rate, date(2024, 5, 1))
        # constant_currency with lookbacks 1, 3 and 12 also values January at April's
        # rate (Jan + 3), which is missing; Feb + 3 = May is present.
        with pytest.raises(UserError) as caught:
            normalize(constant, date(2024, 5, 1))
        assert caught.value.details == ["EUR 2024-04"]

    def test_month_after_as_of_not_needed(self, tmp_path):
        ctx = make_ctx(
            tmp_path,
            {
                **subscriptions("S1,A1,Pro,EUR,monthly,10,1,2024-01-01,,active"),
                "fx.csv": "month,currency,rate\n2024-01-01,EUR,1.1\n",
            },
            [{"name": "subscriptions", "path": "subs.csv"}, {"name": "fx_rates", "path": "fx.csv"}],
        )
        con, _ = normalize(ctx, date(2024, 1, 1))
        assert len(revenue(con)) == 1


@pytest.mark.parametrize("dialect", ["spark", "snowflake", "bigquery", "duckdb"])
@pytest.mark.parametrize("source", ["subscriptions", "mrr"])
def test_pipeline_transpiles(tmp_path, dialect, source):
    ctx = make_ctx(
        tmp_path,
        {},
        [{"name": source, "path": "x.csv"}],
        grain="parent_account",
    )
    pipeline = Pipeline()
    add_normalize(pipeline, replace(ctx, as_of=date(2024, 6, 1)))
    compiled = pipeline.compile(dialect)

    assert "CREATE TABLE revenue" in compiled
    assert "CREATE TABLE calendar" in compiled
    assert "CREATE TABLE quarantine" in compiled


def test_pipeline_avoids_duckdb_only_functions(tmp_path):
    ctx = make_ctx(tmp_path, {}, [{"name": "subscriptions", "path": "x.csv"}])
    pipeline = Pipeline()
    add_normalize(pipeline, replace(ctx, as_of=date(2024, 6, 1)))
    spark = pipeline.compile("spark")
    # sqlglot rewrites GENERATE_SERIES and MAKE_DATE to Spark's own functions.
    assert "SEQUENCE(" in spark
    assert "GENERATE_SERIES" not in spark
