"""The seeded example-data generator: determinism, the data contract and its behaviours."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from nrrgov.loader import load_project
from nrrgov.spec.sources import CANONICAL_TABLES

REPO = Path(__file__).resolve().parents[1]
# The arguments the committed examples/data was written with.
COMMITTED_ARGS = ["--accounts", "400", "--months", "36", "--end", "2026-11", "--seed", "7"]
FILES = ("accounts.csv", "subscriptions.csv", "fx_rates.csv")


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "example_generator", REPO / "examples/generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


def _write(out: Path, *args: str) -> Path:
    exit_code = generator.main([*COMMITTED_ARGS, "--out", str(out), *args])
    assert exit_code == 0
    return out


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def con(exports) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    for name in ("accounts", "subscriptions", "fx_rates"):
        path = exports / f"{name}.csv"
        connection.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}')")
    return connection


def _scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def test_same_seed_same_bytes(exports, tmp_path):
    again = _write(tmp_path / "again")
    for name in FILES:
        assert (again / name).read_bytes() == (exports / name).read_bytes(), name


def test_different_seed_different_bytes(exports, tmp_path):
    other = _write(tmp_path / "other", "--seed", "8")
    assert (other / "subscriptions.csv").read_bytes() != (
        exports / "subscriptions.csv"
    ).read_bytes()
    assert (other / "accounts.csv").read_bytes() != (exports / "accounts.csv").read_bytes()


# examples/generate_plays.py appends the rows of the plays' effects to the committed
# subscriptions, with ids starting with this prefix, after the generator's rows.
PLAY_EFFECT_PREFIX = b"SUB-PLAY-"


def test_committed_data_matches_generator(exports):
    # examples/data is the generator's output for COMMITTED_ARGS, so a change to either
    # side must regenerate it (and then rerun examples/generate_plays.py).
    for name in FILES:
        committed = (REPO / "examples" / "data" / name).read_bytes()
        lines = committed.splitlines(keepends=True)
        generated = b"".join(line for line in lines if not line.startswith(PLAY_EFFECT_PREFIX))
        assert generated == (exports / name).read_bytes(), name


def test_play_rows_follow_generated_rows():
    lines = (REPO / "examples" / "data" / "subscriptions.csv").read_bytes().splitlines()
    is_play = [line.startswith(PLAY_EFFECT_PREFIX) for line in lines]
    first_play = is_play.index(True) if True in is_play else len(lines)
    assert all(is_play[first_play:])


def test_committed_data_is_small():
    total = sum((REPO / "examples" / "data" / name).stat().st_size for name in FILES)
    assert total < 1_000_000


def test_parquet_same_seed_same_bytes(tmp_path):
    first = _write(tmp_path / "first", "--format", "parquet")
    second = _write(tmp_path / "second", "--format", "parquet")
    for name in ("accounts", "subscriptions", "fx_rates"):
        path = f"{name}.parquet"
        assert (first / path).read_bytes() == (second / path).read_bytes(), path


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]


def _required(table: str) -> set[str]:
    return {column for column, (_, required) in CANONICAL_TABLES[table].items() if required}


def test_columns_follow_contract(con):
    subscription_columns = _columns(con, "subscriptions")
    account_columns = _columns(con, "accounts")
    fx_columns = _columns(con, "fx_rates")
    assert _required("subscriptions") <= set(subscription_columns)
    assert set(subscription_columns) <= set(CANONICAL_TABLES["subscriptions"])
    assert _required("fx_rates") <= set(fx_columns)
    # Every canonical account column, and industry as the one extra attribute, which the
    # engine keeps as a dimension.
    assert account_columns == [*CANONICAL_TABLES["accounts"], "industry"]


def test_row_counts(con):
    assert _scalar(con, "SELECT count(*) FROM accounts") == 400
    # Four currencies over 36 months.
    assert _scalar(con, "SELECT count(*) FROM fx_rates") == 4 * 36


def test_every_subscription_has_account(con):
    orphans = _scalar(
        con,
        "SELECT count(*) FROM subscriptions s ANTI JOIN accounts a USING (account_id)",
    )
    assert orphans == 0


def test_every_account_has_subscription(con):
    idle = _scalar(
        con, "SELECT count(*) FROM accounts a ANTI JOIN subscriptions s USING (account_id)"
    )
    assert idle == 0


def test_keys_are_unique(con):
    subscriptions = _scalar(
        con, "SELECT count(*) - count(DISTINCT subscription_id) FROM subscriptions"
    )
    accounts = _scalar(con, "SELECT count(*) - count(DISTINCT account_id) FROM accounts")
    rates = _scalar(con, "SELECT count(*) - count(DISTINCT (month, currency)) FROM fx_rates")
    assert subscriptions == 0
    assert accounts == 0
    assert rates == 0


def test_every_month_in_service_has_rate(con):
    # Each month a subscription is in service on the last day, from its start to its end
    # or to the export date (2026-11-30), needs a rate for its currency.
    missing = _scalar(
        con,
        """
        WITH in_service AS (
            SELECT s.currency, m.month
            FROM subscriptions s,
                generate_series(date '2023-12-01', date '2026-11-01', INTERVAL 1 MONTH) m(month)
            WHERE s.start_date <= last_day(m.month)
              AND (s.end_date IS NULL OR s.end_date > last_day(m.month))
        )
        SELECT count(*) FROM in_service i ANTI JOIN fx_rates f USING (currency, month)
        """,
    )
    assert missing == 0


def test_rates_cover_every_month(con):
    # 2023-12 to 2026-11 is 36 months, and each of the four currencies has a rate in each.
    per_currency = con.execute(
        "SELECT currency, count(DISTINCT month), min(month), max(month) FROM fx_rates "
        "GROUP BY currency ORDER BY currency"
    ).fetchall()
    expected = [
        (currency, 36, date(2023, 12, 1), date(2026, 11, 1))
        for currency in ("EUR", "GBP", "JPY", "USD")
    ]
    assert per_currency == expected


def test_usd_rate_is_one(con):
    assert _scalar(con, "SELECT count(*) FROM fx_rates WHERE currency = 'USD' AND rate <> 1") == 0


def test_rates_move_gently(con):
    # A monthly step above 10% would be a six-sigma move at 1.5% volatility.
    steepest = _scalar(
        con,
        """
        SELECT max(abs(step)) FROM (
            SELECT rate / lag(rate) OVER (PARTITION BY currency ORDER BY month) - 1 AS step
            FROM fx_rates
        )
        """,
    )
    assert 0 < steepest < 0.1


def test_values_are_in_allowed_sets(con):
    segments = {row[0] for row in con.execute("SELECT DISTINCT segment FROM accounts").fetchall()}
    regions = {row[0] for row in con.execute("SELECT DISTINCT region FROM accounts").fetchall()}
    periods = {
        row[0]
        for row in con.execute("SELECT DISTINCT billing_period FROM subscriptions").fetchall()
    }
    statuses = {
        row[0] for row in con.execute("SELECT DISTINCT status FROM subscriptions").fetchall()
    }
    assert segments == {"Enterprise", "Mid-Market", "SMB"}
    assert regions == {"NA", "EMEA", "APAC", "LATAM"}
    assert periods == {"monthly", "quarterly", "annual", "24"}
    assert statuses == {"active", "trial", "canceled"}


def test_dates_are_consistent(con):
    backwards = _scalar(con, "SELECT count(*) FROM subscriptions WHERE end_date <= start_date")
    after_export = _scalar(
        con,
        "SELECT count(*) FROM subscriptions "
        "WHERE start_date > date '2026-11-30' OR end_date > date '2026-11-30'",
    )
    active_with_end = _scalar(
        con, "SELECT count(*) FROM subscriptions WHERE status = 'active' AND end_date IS NOT NULL"
    )
    canceled_open = _scalar(
        con, "SELECT count(*) FROM subscriptions WHERE status = 'canceled' AND end_date IS NULL"
    )
    assert backwards == 0
    assert after_export == 0
    assert active_with_end == 0
    assert canceled_open == 0


def test_amount_prices_one_billing_period(con):
    # A Growth seat is 29 USD a month; an annual plan is 12 months less 10%.
    # For example 10 seats annual: 29 * 10 * 12 * 0.9 = 3132.00.
    mispriced = _scalar(
        con,
        """
        SELECT count(*) FROM subscriptions
        WHERE currency = 'USD' AND plan = 'Growth' AND billing_period = 'annual'
          AND amount <> round(29 * quantity * 12 * 0.9, 2)
        """,
    )
    priced = _scalar(
        con,
        "SELECT count(*) FROM subscriptions "
        "WHERE currency = 'USD' AND plan = 'Growth' AND billing_period = 'annual'",
    )
    assert priced > 0
    assert mispriced == 0


def test_some_parents_one_level_deep(con):
    children = _scalar(con, "SELECT count(*) FROM accounts WHERE parent_account_id IS NOT NULL")
    grandchildren = _scalar(
        con,
        """
        SELECT count(*) FROM accounts c JOIN accounts p ON c.parent_account_id = p.account_id
        WHERE p.parent_account_id IS NOT NULL
        """,
    )
    unknown_parents = _scalar(
        con,
        "SELECT count(*) FROM accounts c WHERE parent_account_id IS NOT NULL "
        "AND parent_account_id NOT IN (SELECT account_id FROM accounts)",
    )
    assert children > 0
    assert grandchildren == 0
    assert unknown_parents == 0


# Consecutive paid subscriptions of one account, to find the behaviours below.
PAIRS = """
    WITH paid AS (
        SELECT *, lag(end_date) OVER (PARTITION BY account_id ORDER BY start_date) AS previous_end
        FROM subscriptions WHERE status <> 'trial'
    )
    SELECT count(*) FROM paid WHERE {condition}
"""


def test_upgrades_cancel_and_create(con):
    # The old subscription ends on the day the new one starts.
    assert _scalar(con, PAIRS.format(condition="previous_end = start_date")) > 0


def test_reactivations_after_gap(con):
    # A gap of at least a month between one paid subscription and the next.
    gaps = _scalar(con, PAIRS.format(condition="start_date >= previous_end + INTERVAL 1 MONTH"))
    assert gaps > 0


def test_trials_precede_paid_plans(con):
    converted = _scalar(
        con,
        """
        SELECT count(*) FROM subscriptions t JOIN subscriptions p
            ON p.account_id = t.account_id AND p.start_date = t.end_date
        WHERE t.status = 'trial' AND p.status <> 'trial'
        """,
    )
    never_converted = _scalar(
        con,
        """
        SELECT count(*) FROM (
            SELECT account_id FROM subscriptions GROUP BY account_id
            HAVING bool_and(status = 'trial') AND bool_and(end_date IS NOT NULL)
        )
        """,
    )
    assert converted > 0
    assert never_converted > 0


def test_churn_and_mid_month_starts(con):
    churned = _scalar(
        con,
        """
        SELECT count(*) FROM (
            SELECT account_id FROM subscriptions WHERE status <> 'trial' GROUP BY account_id
            HAVING bool_and(end_date IS NOT NULL)
        )
        """,
    )
    mid_month = _scalar(con, "SELECT count(*) FROM subscriptions WHERE day(start_date) <> 1")
    assert churned > 0
    assert mid_month > 0


def test_new_accounts_every_month(con):
    months_with_arrivals = _scalar(
        con,
        """
        SELECT count(DISTINCT date_trunc('month', first_start)) FROM (
            SELECT min(start_date) AS first_start FROM subscriptions GROUP BY account_id
        )
        """,
    )
    assert months_with_arrivals == 36


def test_with_project_loads(tmp_path):
    out = _write(tmp_path / "bench", "--format", "parquet", "--with-project")
    project = load_project(out)
    paths = sorted(source.path for source in project.sources)
    assert paths == ["accounts.parquet", "fx_rates.parquet", "subscriptions.parquet"]
    for path in paths:
        assert (project.data_dir / path).is_file(), path


def test_parquet_types(tmp_path):
    out = _write(tmp_path / "typed", "--format", "parquet")
    schema = pl.read_parquet_schema(out / "subscriptions.parquet")
    assert schema["start_date"] == pl.Date
    assert schema["end_date"] == pl.Date
    assert schema["amount"] == pl.Decimal(18, 2)


@pytest.mark.parametrize(
    "args",
    [["--end", "2026-13"], ["--end", "November"], ["--accounts", "0"], ["--months", "0"]],
)
def test_invalid_arguments_exit_2(tmp_path, args, capsys):
    with pytest.raises(SystemExit) as raised:
        generator.main([*COMMITTED_ARGS, "--out", str(tmp_path), *args])
    assert raised.value.code == 2
    assert "must" in capsys.readouterr().err
