"""Account MRR: conversion, densified months, movement kinds and amounts per account."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nrrgov.engine.fx import convert

JAN, FEB, MAR, APR, MAY = (date(2024, m, 1) for m in range(1, 6))


def account_months(analytics, account: str) -> list[dict]:
    return analytics.rows(
        "SELECT month, mrr, mrr_constant_currency, movement, movement_mrr FROM account_mrr "
        "WHERE account_id = ? ORDER BY month",
        account,
    )


def test_eur_account_converts_at_each_months_rate(analytics):
    analytics.revenue = [("eu", "EUR", "2024-01", "100"), ("eu", "EUR", "2024-02", "100")]
    analytics.rates = {("EUR", "2024-01"): "1.10", ("EUR", "2024-02"): "1.20"}
    analytics.as_of = "2024-02"
    analytics.run()

    jan, feb = account_months(analytics, "eu")
    assert jan["mrr"] == Decimal("110")  # 100 x 1.10
    assert feb["mrr"] == Decimal("120")  # 100 x 1.20
    # At the as-of month's rate both months are 100 x 1.20.
    assert jan["mrr_constant_currency"] == Decimal("120")
    assert feb["mrr_constant_currency"] == Decimal("120")
    # Unchanged in EUR: the rate move is no expansion.
    assert feb["movement"] is None
    assert feb["movement_mrr"] is None


def test_cancel_and_create_in_one_month_is_expansion(analytics):
    # A plan change from 20 to 35 ends one subscription and starts another in the same
    # month; the account's MRR goes from 20 to 35.
    analytics.revenue = [("a", "USD", "2024-01", "20"), ("a", "USD", "2024-02", "35")]
    analytics.as_of = "2024-02"
    analytics.run()

    jan, feb = account_months(analytics, "a")
    assert jan["movement"] == "new"
    assert feb["movement"] == "expansion"
    assert feb["movement_mrr"] == Decimal("15")  # 35 - 20


def test_monthly_to_annual_plan_is_contraction(analytics):
    # 12 a month, then 120 a year, which is 10 a month.
    analytics.revenue = [("a", "USD", "2024-01", "12"), ("a", "USD", "2024-02", "10")]
    analytics.as_of = "2024-02"
    analytics.run()

    feb = account_months(analytics, "a")[1]
    assert feb["movement"] == "contraction"
    assert feb["movement_mrr"] == Decimal("2")  # 12 - 10


def test_churn_is_valued_at_the_churn_months_rate(analytics):
    analytics.revenue = [("eu", "EUR", "2024-01", "100")]
    analytics.rates = {("EUR", "2024-01"): "1.10", ("EUR", "2024-02"): "1.25"}
    analytics.as_of = "2024-02"
    analytics.run()

    feb = account_months(analytics, "eu")[1]
    assert feb["mrr"] == Decimal("0")
    assert feb["movement"] == "churn"
    assert feb["movement_mrr"] == Decimal("125")  # 100 EUR x 1.25, not the 110 of January


def test_missing_month_after_revenue_churns_that_month(analytics):
    analytics.revenue = [("a", "USD", "2024-01", "10"), ("a", "USD", "2024-02", "10")]
    analytics.as_of = "2024-04"
    analytics.run()

    found = account_months(analytics, "a")
    assert [row["month"] for row in found] == [JAN, FEB, MAR, APR]
    assert found[2]["movement"] == "churn"
    assert found[2]["movement_mrr"] == Decimal("10")
    assert found[3]["mrr"] == Decimal("0")
    assert found[3]["movement"] is None


def test_months_inside_a_gap_are_zero_rows(analytics):
    analytics.revenue = [("a", "USD", "2024-01", "10"), ("a", "USD", "2024-03", "10")]
    analytics.as_of = "2024-03"
    analytics.run()

    found = account_months(analytics, "a")
    assert [(row["month"], row["mrr"]) for row in found] == [
        (JAN, Decimal("10")),
        (FEB, Decimal("0")),
        (MAR, Decimal("10")),
    ]
    assert [row["movement"] for row in found] == ["new", "churn", "reactivation"]


def test_account_starts_at_its_first_revenue_month(analytics):
    analytics.revenue = [("early", "USD", "2024-01", "5"), ("late", "USD", "2024-03", "7")]
    analytics.as_of = "2024-03"
    analytics.run()

    assert [row["month"] for row in account_months(analytics, "late")] == [MAR]


def test_no_row_after_the_as_of_month(analytics):
    analytics.revenue = [
        ("a", "USD", "2024-01", "10"),
        ("a", "USD", "2024-02", "10"),
        ("a", "USD", "2024-03", "30"),
        ("later", "USD", "2024-03", "5"),
    ]
    analytics.as_of = "2024-02"
    analytics.run()

    assert analytics.one("SELECT max(month) AS m FROM account_mrr")["m"] == FEB
    assert (
        analytics.one("SELECT count(*) AS n FROM account_mrr WHERE account_id = 'later'")["n"] == 0
    )
    assert analytics.one("SELECT max(month) AS m FROM movements")["m"] == FEB
    assert analytics.one("SELECT max(as_of) AS m FROM retention")["m"] == FEB
    assert analytics.one("SELECT max(cohort) AS m FROM cohorts")["m"] == JAN


def test_currencies_of_one_account_are_summed(analytics):
    # January: 50 USD + 100 EUR x 1.10 = 160. February: 50 USD only.
    # Opening at February's rates: 50 + 100 x 1.20 = 170, so the contraction is 120.
    analytics.revenue = [
        ("a", "USD", "2024-01", "50"),
        ("a", "EUR", "2024-01", "100"),
        ("a", "USD", "2024-02", "50"),
    ]
    analytics.rates = {("EUR", "2024-01"): "1.10", ("EUR", "2024-02"): "1.20"}
    analytics.as_of = "2024-02"
    analytics.run()

    jan, feb = account_months(analytics, "a")
    assert jan["mrr"] == Decimal("160")
    assert feb["mrr"] == Decimal("50")
    assert feb["movement"] == "contraction"
    assert feb["movement_mrr"] == Decimal("120")


@pytest.mark.parametrize(
    ("max_gap", "expected"),
    [(None, "reactivation"), (3, "reactivation"), (2, "new")],
)
def test_restart_after_three_months_at_zero(analytics, max_gap, expected):
    # MRR in January, none in February, March and April, MRR again in May.
    analytics.revenue = [("a", "USD", "2024-01", "10"), ("a", "USD", "2024-05", "10")]
    analytics.as_of = "2024-05"
    analytics.options = {"reactivation_max_gap_months": max_gap}
    analytics.run()

    may = account_months(analytics, "a")[4]
    assert may["movement"] == expected
    assert may["movement_mrr"] == Decimal("10")


SLICES = ["segment", "region"]
CONTRACT = {
    "account_mrr": [
        "account_id",
        "month",
        "mrr",
        "mrr_constant_currency",
        "movement",
        "movement_mrr",
    ],
    "movements": [
        "month",
        *SLICES,
        "opening_mrr",
        "new_mrr",
        "reactivation_mrr",
        "expansion_mrr",
        "contraction_mrr",
        "churned_mrr",
        "fx_impact",
        "closing_mrr",
        "new_logos",
        "reactivated_logos",
        "expanded_logos",
        "contracted_logos",
        "churned_logos",
        "active_logos",
    ],
    "retention": [
        "as_of",
        "lookback_months",
        *SLICES,
        "starting_mrr",
        "ending_mrr",
        "expansion_mrr",
        "contraction_mrr",
        "churned_mrr",
        "retained_mrr",
        "starting_logos",
        "retained_logos",
        "churned_logos",
        "nrr",
        "grr",
        "logo_retention",
    ],
    "cohorts": [
        "cohort",
        "age_months",
        *SLICES,
        "initial_mrr",
        "initial_logos",
        "mrr",
        "retained_mrr",
        "logos",
        "net_mrr_retention",
        "gross_mrr_retention",
        "logo_retention",
    ],
    "metrics": ["metric", "as_of", *SLICES, "value", "target", "status"],
}


@pytest.mark.parametrize("table", sorted(CONTRACT))
def test_output_table_columns(analytics, table):
    analytics.revenue = [("a", "USD", "2024-01", "10")]
    analytics.as_of = "2024-01"
    analytics.dimensions = tuple(SLICES)
    analytics.run()
    found = [row[0] for row in analytics.con.execute(f"DESCRIBE {table}").fetchall()]

    assert found == CONTRACT[table]


def test_pipeline_compiles_for_warehouses(analytics):
    analytics.revenue = [("a", "USD", "2024-01", "10")]
    analytics.as_of = "2024-01"
    analytics.dimensions = ("segment", "arr_band")
    analytics.run()

    for dialect in ("spark", "snowflake", "bigquery"):
        compiled = analytics.pipeline.compile(dialect)
        for table in ("movements", "retention", "cohorts", "metrics"):
            assert f"CREATE TABLE {table} AS" in compiled
        assert "CREATE VIEW account_mrr AS" in compiled


def _exact(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _converted(pairs: list[tuple[Decimal, Decimal]]) -> list[Decimal]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, amount DECIMAL(18, 6), rate DECIMAL(18, 10))")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, a, r) for i, (a, r) in enumerate(pairs)])
    query = f"SELECT {convert('amount', 'rate')} FROM t ORDER BY i"
    return [row[0] for row in con.execute(query).fetchall()]


def test_conversion_rounds_ties_away_from_zero():
    pairs = [
        (Decimal("0.000005"), Decimal("0.1")),  # 0.0000005 -> 0.000001
        (Decimal("1.000001"), Decimal("0.5")),  # 0.5000005 -> 0.500001
        (Decimal("2.000003"), Decimal("0.5")),  # 1.0000015 -> 1.000002
        (Decimal("123456789.123457"), Decimal("7.5")),  # above the DOUBLE shortcut's range
        (Decimal("200000.000001"), Decimal("0.5")),  # 100000.0000005 -> 100000.000001
        (Decimal("99999.999999"), Decimal("1.0000000001")),  # 100000.00000999... at the limit
        (Decimal("-2.000003"), Decimal("0.5")),  # -1.0000015 -> -1.000002
        (Decimal("3"), Decimal("1")),
    ]
    assert _converted(pairs) == [_exact(a, r) for a, r in pairs]


amounts = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("100000000"), places=6)
rates = st.decimals(min_value=Decimal("0.0000000001"), max_value=Decimal("1000"), places=10)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(amounts, rates), min_size=1, max_size=200))
def test_conversion_equals_exact_rounding(pairs):
    assert _converted(pairs) == [_exact(a, r) for a, r in pairs]
