"""Ingest of well-formed exports: columns, value maps, units, dates and the summary."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import date
from decimal import Decimal

import duckdb
import pytest
from ingest_helpers import PEER_DATA, SUBSCRIPTIONS, lines, make_ctx

from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import ingest
from nrrgov.errors import UserError
from nrrgov.loader import Project
from nrrgov.spec import ProjectSpec, SourceSpec, TaxonomyFileSpec

RAVENSTACK = PEER_DATA / "dineshbarri_saas-subscription-revenue-churn-intelligence"

ACCOUNTS = "account_id,account_name,segment,region,csm_owner,created_at,parent_account_id"


def run_ingest(ctx: EngineContext):
    con = duckdb.connect()
    return con, ingest(con, ctx)


def test_subscriptions_typed_and_counted(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs.csv": lines(
                SUBSCRIPTIONS,
                "S1,A1,Pro,usd,annual,1200.50,3,2024-01-15,2024-07-01,active",
                "S2,A1,Pro,EUR,Monthly,10,1,2024-02-01,,active",
            )
        },
        [{"name": "subscriptions", "path": "subs.csv"}],
    )
    con, summary = run_ingest(ctx)
    row = con.execute(
        "SELECT currency, amount, period_months, start_date, end_date FROM subscriptions "
        "WHERE subscription_id = 'S1'"
    ).fetchone()

    assert row[0] == "USD"  # currency codes are upper-cased
    assert row[1] == Decimal("1200.50")
    assert row[2] == 12  # annual: 12 months per invoice
    assert row[3] == date(2024, 1, 15)
    assert row[4] == date(2024, 7, 1)
    assert summary.source("subscriptions").rows_read == 2
    assert summary.source("subscriptions").rows_accepted == 2
    assert summary.revenue_table == "subscriptions"


@pytest.mark.parametrize(
    ("spelling", "months"),
    [
        ("monthly", 1),
        ("Month", 1),
        ("quarterly", 3),
        ("QUARTER", 3),
        ("semiannual", 6),
        ("half-year", 6),
        ("Half_Yearly", 6),
        ("annual", 12),
        ("year", 12),
        ("Yearly", 12),
        ("24", 24),
        ("36 months", 36),
    ],
)
def test_billing_period_spellings(tmp_path, spelling, months):
    ctx = make_ctx(
        tmp_path,
        {"subs.csv": lines(SUBSCRIPTIONS, f"S1,A1,Pro,USD,{spelling},100,1,2024-01-01,,active")},
        [{"name": "subscriptions", "path": "subs.csv"}],
    )
    con, _ = run_ingest(ctx)
    assert con.execute("SELECT period_months FROM subscriptions").fetchone()[0] == months


def _plan_with_count(tmp_path, interval: str, count: str):
    return make_ctx(
        tmp_path,
        {
            "plans.csv": lines(
                "id,customer,interval,interval_count,amount,start",
                f"P1,C1,{interval},{count},600,2024-01-01",
            )
        },
        [
            {
                "name": "subscriptions",
                "path": "plans.csv",
                "columns": {
                    "subscription_id": "id",
                    "account_id": "customer",
                    "billing_period": "interval",
                    "start_date": "start",
                },
                "constants": {"currency": "USD"},
            }
        ],
    )


def test_interval_count_multiplies_period(tmp_path):
    # A Stripe plan with interval month and interval_count 6 bills every 6 months.
    con, _ = run_ingest(_plan_with_count(tmp_path, "month", "6"))
    assert con.execute("SELECT period_months FROM subscriptions").fetchone()[0] == 6


def test_interval_count_written_as_float_is_whole(tmp_path):
    con, _ = run_ingest(_plan_with_count(tmp_path, "month", "6.0"))
    assert con.execute("SELECT period_months FROM subscriptions").fetchone()[0] == 6


@pytest.mark.parametrize("count", ["1.5", "0", "-2", "300000000"])
def test_interval_count_not_whole_or_too_large(tmp_path, count):
    # DuckDB alone would round 1.5 to 2, and 12 × 300,000,000 overflows INTEGER.
    with pytest.raises(UserError) as caught:
        run_ingest(_plan_with_count(tmp_path, "year", count))
    assert caught.value.code == "NRG411"
    assert caught.value.where.column == "interval_count"
    assert f"'{count}'" in str(caught.value)


def test_billing_period_over_1200_months_is_unknown(tmp_path):
    with pytest.raises(UserError) as caught:
        run_ingest(_plan_with_count(tmp_path, "5000000000", "1"))
    assert caught.value.code == "NRG414"


def test_minor_units_use_currency_exponent(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs.csv": lines(
                SUBSCRIPTIONS,
                "S1,A1,Pro,JPY,monthly,12000,1,2024-01-01,,active",
                "S2,A2,Pro,KWD,monthly,1000,1,2024-01-01,,active",
                "S3,A3,Pro,USD,monthly,12345,1,2024-01-01,,active",
            )
        },
        [{"name": "subscriptions", "path": "subs.csv", "amount_units": "minor"}],
    )
    con, _ = run_ingest(ctx)
    amounts = dict(con.execute("SELECT currency, amount FROM subscriptions").fetchall())

    assert amounts["JPY"] == Decimal("12000")  # exponent 0: 12,000 minor = 12,000 yen
    assert amounts["KWD"] == Decimal("1")  # exponent 3: 1,000 / 10^3 = 1 dinar
    assert amounts["USD"] == Decimal("123.45")  # exponent 2: 12,345 / 100


def test_inclusive_end_dates_become_exclusive(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {"subs.csv": lines(SUBSCRIPTIONS, "S1,A1,Pro,USD,monthly,10,1,2024-01-01,2024-03-31,x")},
        [{"name": "subscriptions", "path": "subs.csv", "inclusive_end_dates": True}],
    )
    con, _ = run_ingest(ctx)
    # Last day in service 2024-03-31, so the first day out of service is 2024-04-01.
    assert con.execute("SELECT end_date FROM subscriptions").fetchone()[0] == date(2024, 4, 1)


def test_value_maps_and_constants(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs.csv": lines(
                "subscription_id,account_id,start_date,mrr_amount,is_trial",
                "S1,A1,2024-01-01,50,True",
                "S2,A1,2024-01-01,60,False",
            )
        },
        [
            {
                "name": "subscriptions",
                "path": "subs.csv",
                "columns": {"amount": "mrr_amount", "status": "is_trial"},
                "constants": {"currency": "USD", "billing_period": "monthly"},
                "value_maps": {"status": {"true": "trial", "false": "active"}},
            }
        ],
    )
    con, _ = run_ingest(ctx)
    rows = con.execute(
        "SELECT subscription_id, status, currency, billing_period FROM subscriptions ORDER BY 1"
    ).fetchall()

    assert rows[0] == ("S1", "trial", "USD", "monthly")
    assert rows[1] == ("S2", "active", "USD", "monthly")


def test_constant_fills_empty_cells_only(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs.csv": lines(
                SUBSCRIPTIONS,
                "S1,A1,Pro,,monthly,10,1,2024-01-01,,active",
                "S2,A1,Pro,EUR,monthly,10,1,2024-01-01,,active",
            )
        },
        [{"name": "subscriptions", "path": "subs.csv", "constants": {"currency": "USD"}}],
    )
    con, _ = run_ingest(ctx)
    rows = con.execute("SELECT currency FROM subscriptions ORDER BY subscription_id").fetchall()
    assert rows == [("USD",), ("EUR",)]


def test_date_format_day_first(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {"subs.csv": lines(SUBSCRIPTIONS, "S1,A1,Pro,USD,monthly,10,1,16-10-2024,01-02-2025,x")},
        [{"name": "subscriptions", "path": "subs.csv", "date_format": "%d-%m-%Y"}],
    )
    con, _ = run_ingest(ctx)
    row = con.execute("SELECT start_date, end_date FROM subscriptions").fetchone()
    assert row == (date(2024, 10, 16), date(2025, 2, 1))


def test_date_format_month_first(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {"subs.csv": lines(SUBSCRIPTIONS, "S1,A1,Pro,USD,monthly,10,1,1/2/2024,12/31/2024,x")},
        [{"name": "subscriptions", "path": "subs.csv", "date_format": "%m/%d/%Y"}],
    )
    con, _ = run_ingest(ctx)
    row = con.execute("SELECT start_date, end_date FROM subscriptions").fetchone()
    assert row == (date(2024, 1, 2), date(2024, 12, 31))


@pytest.mark.peer
def test_ravenstack_accounts_bom_crlf_day_first(tmp_path):
    # The export starts with a UTF-8 byte order mark, ends lines with CRLF and writes
    # dates as DD-MM-YYYY; it has 500 accounts.
    ctx = make_ctx(tmp_path, {"subs.csv": lines(SUBSCRIPTIONS)}, [])
    ctx = EngineContext(
        Project(
            root=tmp_path,
            config=ProjectSpec(),
            metrics=(),
            taxonomy=TaxonomyFileSpec(),
            sources=(
                SourceSpec(
                    name="accounts",
                    path=str(RAVENSTACK / "ravenstack_accounts.csv"),
                    columns={"created_at": "signup_date"},
                    date_format="%d-%m-%Y",
                ),
                SourceSpec(name="subscriptions", path="subs.csv"),
            ),
        ),
        tmp_path / "data",
    )
    con, summary = run_ingest(ctx)
    first = con.execute(
        "SELECT account_id, created_at, industry, churn_flag FROM accounts WHERE _row = 1"
    ).fetchone()

    assert summary.source("accounts").rows_accepted == 500
    # First data line: A-2e4581,Company_0,EdTech,US,16-10-2024,...,FALSE,FALSE
    assert first == ("A-2e4581", date(2024, 10, 16), "EdTech", "FALSE")


def test_extra_account_columns_are_dimensions(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "accounts.csv": lines(
                f"{ACCOUNTS},industry,Tier Name", "A1,Acme,SMB,EMEA,Kim,,,Retail,Gold"
            ),
            "subs.csv": lines(SUBSCRIPTIONS, "S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active"),
        },
        [
            {"name": "accounts", "path": "accounts.csv"},
            {"name": "subscriptions", "path": "subs.csv"},
        ],
    )
    con, _ = run_ingest(ctx)
    row = con.execute('SELECT segment, industry, "Tier Name" FROM accounts').fetchone()
    assert row == ("SMB", "Retail", "Gold")


def test_accounts_derived_without_source(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs.csv": lines(
                SUBSCRIPTIONS,
                "S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active",
                "S2,A1,Pro,USD,monthly,10,1,2024-01-01,,active",
                "S3,A2,Pro,USD,monthly,10,1,2024-01-01,,active",
            )
        },
        [{"name": "subscriptions", "path": "subs.csv"}],
    )
    con, _ = run_ingest(ctx)
    rows = con.execute("SELECT account_id, segment FROM accounts ORDER BY 1").fetchall()
    # Distinct account ids of the three subscriptions: A1 and A2, attributes NULL.
    assert rows == [("A1", None), ("A2", None)]


def test_glob_reads_every_file(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs/2024-01.csv": lines(SUBSCRIPTIONS, "S1,A1,Pro,USD,monthly,10,1,2024-01-01,,x"),
            "subs/2024-02.csv": lines(SUBSCRIPTIONS, "S2,A2,Pro,USD,monthly,10,1,2024-02-01,,x"),
        },
        [{"name": "subscriptions", "path": "subs/*.csv"}],
    )
    con, summary = run_ingest(ctx)
    assert len(summary.source("subscriptions").files) == 2
    assert con.execute("SELECT count(*) FROM subscriptions").fetchone()[0] == 2


def test_parquet_source(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    duckdb.execute(
        "COPY (SELECT 'S1' AS subscription_id, 'A1' AS account_id, 'USD' AS currency, "
        "'monthly' AS billing_period, 25.5 AS amount, DATE '2024-03-05' AS start_date) "
        f"TO '{data / 'subs.parquet'}' (FORMAT parquet)"
    )
    ctx = make_ctx(tmp_path, {}, [{"name": "subscriptions", "path": "subs.parquet"}])
    con, _ = run_ingest(ctx)
    row = con.execute("SELECT amount, start_date, _row FROM subscriptions").fetchone()
    assert row == (Decimal("25.5"), date(2024, 3, 5), 1)


def test_parquet_row_numbers_follow_file(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    # Row 2 of 3 is a one-time charge. One row per row group makes the scan read three groups.
    duckdb.execute(
        "COPY (SELECT 'S' || i AS subscription_id, 'A1' AS account_id, 'USD' AS currency, "
        "CASE WHEN i = 2 THEN 'One-Time' ELSE 'monthly' END AS billing_period, "
        "10 * i AS amount, DATE '2024-03-01' AS start_date FROM range(1, 4) AS t(i)) "
        f"TO '{data / 'subs.parquet'}' (FORMAT parquet, ROW_GROUP_SIZE 1)"
    )
    source = {"name": "subscriptions", "path": "subs.parquet", "on_invalid": "quarantine"}
    con, summary = run_ingest(make_ctx(tmp_path, {}, [source]))
    accepted = con.execute("SELECT _row, amount FROM subscriptions ORDER BY _row").fetchall()
    assert accepted == [(1, Decimal("10")), (3, Decimal("30"))]
    quarantined = con.execute('SELECT "row", value FROM quarantine').fetchall()
    assert quarantined == [(2, "One-Time")]
    assert summary.source("subscriptions").rows_quarantined == 1


def test_damaged_parquet_names_the_file(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    path = data / "subs.parquet"
    duckdb.execute(
        "COPY (SELECT 'S' || i AS subscription_id, 'A' || i AS account_id, 'USD' AS currency, "
        "'monthly' AS billing_period, i AS amount, DATE '2024-03-01' AS start_date "
        f"FROM range(20000) AS t(i)) TO '{path}' (FORMAT parquet)"
    )
    # Zero the middle of the file. The footer still describes the file, but its pages no
    # longer decompress.
    content = bytearray(path.read_bytes())
    middle = len(content) // 2
    content[middle : middle + 2000] = bytes(2000)
    path.write_bytes(bytes(content))
    ctx = make_ctx(tmp_path, {}, [{"name": "subscriptions", "path": "subs.parquet"}])
    with pytest.raises(UserError) as caught:
        run_ingest(ctx)
    assert caught.value.code == "NRG404"
    assert caught.value.where.path.endswith("subs.parquet")
    assert "Parquet" in caught.value.message


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Asia/Tokyo"])
def test_parquet_timestamps_with_zone_read_in_utc(tmp_path, zone):
    data = tmp_path / "data"
    data.mkdir()
    # Midnight UTC on 1 March is still 28 February in Los Angeles.
    duckdb.execute(
        "COPY (SELECT 'S1' AS subscription_id, 'A1' AS account_id, 'USD' AS currency, "
        "'monthly' AS billing_period, 10 AS amount, "
        "TIMESTAMPTZ '2024-03-01 00:00:00+00' AS start_date) "
        f"TO '{data / 'subs.parquet'}' (FORMAT parquet)"
    )
    ctx = make_ctx(tmp_path, {}, [{"name": "subscriptions", "path": "subs.parquet"}])
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{zone}'")
    ingest(con, ctx)
    assert con.execute("SELECT start_date FROM subscriptions").fetchone() == (date(2024, 3, 1),)


def test_parquet_date_past_year_9999_is_invalid(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    duckdb.execute(
        "COPY (SELECT 'S1' AS subscription_id, 'A1' AS account_id, 'USD' AS currency, "
        "'monthly' AS billing_period, 10 AS amount, DATE '2024-03-01' AS start_date, "
        "DATE '300000-01-01' AS end_date) "
        f"TO '{data / 'subs.parquet'}' (FORMAT parquet)"
    )
    ctx = make_ctx(tmp_path, {}, [{"name": "subscriptions", "path": "subs.parquet"}])
    with pytest.raises(UserError) as caught:
        run_ingest(ctx)
    assert caught.value.code == "NRG411"
    assert caught.value.where.row == 1
    assert caught.value.where.column == "end_date"
    assert "300000-01-01" in str(caught.value)


def test_parquet_column_named_file_row_number(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    duckdb.execute(
        "COPY (SELECT 'S1' AS subscription_id, 'A1' AS account_id, 'USD' AS currency, "
        "'monthly' AS billing_period, 10 AS amount, DATE '2024-03-01' AS start_date, "
        "7 AS file_row_number) "
        f"TO '{data / 'subs.parquet'}' (FORMAT parquet)"
    )
    ctx = make_ctx(tmp_path, {}, [{"name": "subscriptions", "path": "subs.parquet"}])
    with pytest.raises(UserError) as caught:
        run_ingest(ctx)
    assert caught.value.where.path.endswith("subs.parquet")
    assert "file_row_number" in caught.value.hint


def test_parquet_damaged_anywhere_is_a_user_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    path = data / "subs.parquet"
    duckdb.execute(
        "COPY (SELECT 'S' || i AS subscription_id, 'A' || (i % 50) AS account_id, "
        "CASE WHEN i % 2 = 0 THEN 'USD' ELSE 'EUR' END AS currency, "
        "'monthly' AS billing_period, i AS amount, "
        "DATE '2024-03-01' + CAST(i AS INTEGER) AS start_date "
        f"FROM range(300) AS t(i)) TO '{path}' (FORMAT parquet)"
    )
    intact = path.read_bytes()
    fx = "month,currency,rate\n" + "".join(f"2024-{m:02d}-01,EUR,1.1\n" for m in range(1, 13))
    ctx = make_ctx(
        tmp_path,
        {"fx.csv": fx},
        [
            {"name": "subscriptions", "path": "subs.parquet", "on_invalid": "quarantine"},
            {"name": "fx_rates", "path": "fx.csv"},
        ],
    )
    # Flip 64 bytes at a time across the pages, short of the footer, which lint checks.
    # Each damaged copy must either read or stop with a UserError, never another error.
    for start in range(4, len(intact) - 400, 97):
        content = bytearray(intact)
        content[start : start + 64] = bytes(b ^ 0xB7 for b in content[start : start + 64])
        path.write_bytes(bytes(content))
        with contextlib.suppress(UserError):
            run_ingest(ctx)


def test_fx_rates_get_reporting_currency(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs.csv": lines(SUBSCRIPTIONS, "S1,A1,Pro,EUR,monthly,10,1,2024-01-10,2024-03-01,x"),
            "fx.csv": lines("month,currency,rate", "2024-01-01,EUR,1.1", "2024-02,EUR,1.2"),
        },
        [
            {"name": "subscriptions", "path": "subs.csv"},
            {"name": "fx_rates", "path": "fx.csv"},
        ],
    )
    con, _ = run_ingest(ctx)
    usd = con.execute("SELECT month, rate FROM fx_rates WHERE currency = 'USD' ORDER BY 1")
    # Data spans 2024-01 (first start) to 2024-03 (end date): USD at 1 for each month.
    assert usd.fetchall() == [
        (date(2024, 1, 1), Decimal("1")),
        (date(2024, 2, 1), Decimal("1")),
        (date(2024, 3, 1), Decimal("1")),
    ]
    eur = con.execute("SELECT month FROM fx_rates WHERE currency = 'EUR' ORDER BY 1").fetchall()
    assert eur == [(date(2024, 1, 1),), (date(2024, 2, 1),)]  # "2024-02" reads as a month


def test_mrr_source(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {"mrr.csv": lines("account_id,month,mrr", "A1,2024-01-01,100", "A1,2024-02-15,110")},
        [{"name": "mrr", "path": "mrr.csv"}],
    )
    con, summary = run_ingest(ctx)
    months = con.execute("SELECT month FROM mrr_input ORDER BY 1").fetchall()

    assert summary.revenue_table == "mrr_input"
    assert months == [(date(2024, 1, 1),), (date(2024, 2, 1),)]  # truncated to the 1st


def test_quarantine_copy_and_summary_table(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs.csv": lines(
                SUBSCRIPTIONS,
                "S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active",
                "S2,A1,Pro,USD,monthly,ten,1,2024-01-01,,active",
            )
        },
        [{"name": "subscriptions", "path": "subs.csv", "on_invalid": "quarantine"}],
    )
    con, summary = run_ingest(ctx)
    counts = con.execute(
        "SELECT rows_read, rows_accepted, rows_quarantined FROM ingest_summary"
    ).fetchone()

    assert counts == (2, 1, 1)
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 1
    assert summary.source("subscriptions").rows_quarantined == 1


@pytest.mark.peer
def test_stripe_plans_with_interval_count(tmp_path):
    # CRLF line endings, no newline after the last record, lower-case currency codes,
    # amounts in cents and timestamps where dates are expected.
    ctx = make_ctx(tmp_path, {}, [])
    plans = SourceSpec(
        name="subscriptions",
        path=str(PEER_DATA / "fivetran_dbt_stripe" / "plan_data.csv"),
        columns={
            "subscription_id": "id",
            "account_id": "product_id",
            "billing_period": "interval",
            "start_date": "created",
        },
        amount_units="minor",
    )
    ctx = EngineContext(replace(ctx.project, sources=(plans,)), ctx.data_dir)
    con, summary = run_ingest(ctx)
    row = con.execute(
        "SELECT currency, amount, period_months, start_date FROM subscriptions "
        "WHERE subscription_id = '5gh'"
    ).fetchone()

    assert summary.source("subscriptions").rows_accepted == 13  # 13 plans in the file
    # Plan 5gh: 150000 cents / 100 = 1500 dollars, billed every 6 months (interval month,
    # interval_count 6), created 2017-05-15 18:53:55.
    assert row == ("USD", Decimal("1500"), 6, date(2017, 5, 15))
