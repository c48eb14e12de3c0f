"""Cohorts by first month with MRR: cells by hand, the horizon, and the average rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

JAN, FEB, MAR, APR = (date(2024, m, 1) for m in range(1, 5))


def four_accounts(analytics, average: str = "weighted"):
    """Four months to April 2024.

    a: 100, 120, nothing, 100 (cohort January). b: 50 every month (cohort January).
    c: 200, 150, 250 from February (cohort February). d: 80 in April (cohort April).
    """
    analytics.revenue = [
        ("a", "USD", "2024-01", "100"),
        ("a", "USD", "2024-02", "120"),
        ("a", "USD", "2024-04", "100"),
        *(("b", "USD", m, "50") for m in ("2024-01", "2024-02", "2024-03", "2024-04")),
        ("c", "USD", "2024-02", "200"),
        ("c", "USD", "2024-03", "150"),
        ("c", "USD", "2024-04", "250"),
        ("d", "USD", "2024-04", "80"),
    ]
    analytics.as_of = "2024-04"
    analytics.options = {"cohort_average": average}
    analytics.run()


def cell(analytics, cohort: date | None, age: int) -> dict:
    where = "cohort IS NULL" if cohort is None else "cohort = ?"
    parameters = [] if cohort is None else [cohort]
    return analytics.one(
        f"SELECT * FROM cohorts WHERE {where} AND age_months = ?", *parameters, age
    )


def test_january_cohort_by_hand(analytics):
    four_accounts(analytics)

    start = cell(analytics, JAN, 0)
    assert (start["initial_mrr"], start["initial_logos"]) == (Decimal("150"), 2)
    one = cell(analytics, JAN, 1)
    assert one["mrr"] == Decimal("170")  # 120 + 50
    assert one["retained_mrr"] == Decimal("150")  # min(120, 100) + 50
    assert one["net_mrr_retention"] == pytest.approx(170 / 150)
    assert one["gross_mrr_retention"] == pytest.approx(1.0)
    two = cell(analytics, JAN, 2)
    assert (two["mrr"], two["logos"]) == (Decimal("50"), 1)  # a has no MRR in March
    assert two["logo_retention"] == pytest.approx(0.5)


def test_february_cohort_caps_retained_mrr(analytics):
    four_accounts(analytics)
    two = cell(analytics, FEB, 2)

    assert two["mrr"] == Decimal("250")
    assert two["retained_mrr"] == Decimal("200")  # capped at the initial 200
    assert two["net_mrr_retention"] == pytest.approx(1.25)


def test_cells_past_the_horizon_do_not_exist(analytics):
    four_accounts(analytics)
    ages = analytics.rows(
        "SELECT cohort, max(age_months) AS oldest FROM cohorts WHERE cohort IS NOT NULL "
        "GROUP BY cohort ORDER BY cohort"
    )

    # January reaches age 3 in April, February age 2, April age 0; March has no cohort.
    assert [(row["cohort"], row["oldest"]) for row in ages] == [(JAN, 3), (FEB, 2), (APR, 0)]


def test_weighted_average_over_cohorts_reaching_each_age(analytics):
    four_accounts(analytics)

    one = cell(analytics, None, 1)
    assert one["initial_mrr"] == Decimal("350")  # January 150 + February 200
    assert one["net_mrr_retention"] == pytest.approx(320 / 350)  # (170 + 150) / 350
    assert one["gross_mrr_retention"] == pytest.approx(300 / 350)  # (150 + 150) / 350
    two = cell(analytics, None, 2)
    assert two["net_mrr_retention"] == pytest.approx(300 / 350)  # (50 + 250) / 350
    assert two["logo_retention"] == pytest.approx(2 / 3)  # (1 + 1) / (2 + 1)
    three = cell(analytics, None, 3)
    assert three["net_mrr_retention"] == pytest.approx(1.0)  # January only: 150 / 150


def test_simple_average_is_the_mean_of_cohort_ratios(analytics):
    four_accounts(analytics, average="simple")

    one = cell(analytics, None, 1)
    assert one["net_mrr_retention"] == pytest.approx((170 / 150 + 150 / 200) / 2)
    two = cell(analytics, None, 2)
    assert two["net_mrr_retention"] == pytest.approx((50 / 150 + 250 / 200) / 2)


def test_arr_band_is_taken_at_the_first_month(analytics):
    # ARR 12,000 at the start (10k-50k); the account shrinks to 700 a month afterwards.
    analytics.revenue = [("a", "USD", "2024-01", "1000"), ("a", "USD", "2024-02", "700")]
    analytics.dimensions = ("arr_band",)
    analytics.as_of = "2024-02"
    analytics.run()
    bands = analytics.rows(
        "SELECT DISTINCT arr_band FROM cohorts WHERE cohort = ? AND arr_band <> '(all)'", JAN
    )

    assert bands == [{"arr_band": "10k-50k"}]
