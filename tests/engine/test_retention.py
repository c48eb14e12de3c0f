"""Retention over lookbacks of 1, 3 and 12 months, from snapshots at M-k and M."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

JAN_2025 = date(2025, 1, 1)
YEAR = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01"]
# EUR rates: 1.10 in January 2024, 1.15 until September, then 1.12, 1.14, 1.16 and 1.20.
EUR_RATES = dict.fromkeys(YEAR, "1.15") | {
    "2024-01": "1.10",
    "2024-10": "1.12",
    "2024-11": "1.14",
    "2024-12": "1.16",
    "2025-01": "1.20",
}


def five_accounts(analytics, **options):
    """Thirteen months, 2024-01 to 2025-01, of five accounts.

    dip: 100 a month, nothing in November 2024, 100 in December, 120 in January 2025.
    churner: 50 in January and February 2024, nothing after.
    eu: 100 EUR every month.
    contracts: 200 a month, then 150 in January 2025.
    newbie: 30 a month from March 2024.
    """
    revenue = [("dip", "USD", m, "100") for m in YEAR[:10]]
    revenue += [("dip", "USD", "2024-12", "100"), ("dip", "USD", "2025-01", "120")]
    revenue += [("churner", "USD", m, "50") for m in YEAR[:2]]
    revenue += [("eu", "EUR", m, "100") for m in YEAR]
    revenue += [("contracts", "USD", m, "200") for m in YEAR[:12]]
    revenue += [("contracts", "USD", "2025-01", "150")]
    revenue += [("newbie", "USD", m, "30") for m in YEAR[2:]]
    analytics.revenue = revenue
    analytics.rates = {("EUR", m): rate for m, rate in EUR_RATES.items()}
    analytics.accounts = {"eu": {"segment": "Enterprise"}, "contracts": {"segment": "Enterprise"}}
    analytics.dimensions = ("segment",)
    analytics.as_of = "2025-01"
    analytics.options = options
    analytics.run()


def retention(analytics, lookback: int, segment: str = "(all)") -> dict:
    return analytics.one(
        "SELECT * FROM retention WHERE as_of = ? AND lookback_months = ? AND segment = ?",
        JAN_2025,
        lookback,
        segment,
    )


def test_twelve_months_by_hand(analytics):
    five_accounts(analytics)
    found = retention(analytics, 12)

    # Base in January 2024: dip 100, churner 50, eu 100 x 1.10, contracts 200.
    assert found["starting_mrr"] == Decimal("460")
    assert found["ending_mrr"] == Decimal("390")  # 120 + 0 + 100 x 1.20 + 150
    assert found["expansion_mrr"] == Decimal("30")  # dip 20 + eu 10
    assert found["contraction_mrr"] == Decimal("50")
    assert found["churned_mrr"] == Decimal("50")
    # The dip in November is inside the window: dip counts fully retained, min(120, 100).
    assert found["retained_mrr"] == Decimal("360")  # 100 + 0 + 110 + 150
    assert (found["starting_logos"], found["retained_logos"], found["churned_logos"]) == (4, 3, 1)
    assert found["nrr"] == pytest.approx(390 / 460)
    assert found["grr"] == pytest.approx(360 / 460)
    assert found["logo_retention"] == pytest.approx(3 / 4)


def test_three_months_by_hand(analytics):
    five_accounts(analytics)
    found = retention(analytics, 3)

    # Base in October 2024: dip 100, eu 100 x 1.12, contracts 200, newbie 30.
    assert found["starting_mrr"] == Decimal("442")
    assert found["ending_mrr"] == Decimal("420")  # 120 + 120 + 150 + 30
    assert found["expansion_mrr"] == Decimal("28")  # dip 20 + eu 8
    assert found["contraction_mrr"] == Decimal("50")
    assert found["churned_mrr"] == Decimal("0")
    assert found["retained_mrr"] == Decimal("392")  # 100 + 112 + 150 + 30
    assert found["grr"] == pytest.approx(392 / 442)


def test_one_month_by_hand(analytics):
    five_accounts(analytics)
    found = retention(analytics, 1)

    # Base in December 2024: dip 100, eu 100 x 1.16, contracts 200, newbie 30.
    assert found["starting_mrr"] == Decimal("446")
    assert found["ending_mrr"] == Decimal("420")
    assert found["expansion_mrr"] == Decimal("24")  # dip 20 + eu 4
    assert found["retained_mrr"] == Decimal("396")  # 100 + 116 + 150 + 30
    assert found["starting_logos"] == 4


def test_snapshot_nrr_equals_summed_movements_of_the_base(analytics):
    five_accounts(analytics)
    found = retention(analytics, 12)
    flows = analytics.one(
        """
        SELECT SUM(CASE WHEN movement IN ('new', 'reactivation', 'expansion')
                        THEN movement_mrr ELSE -movement_mrr END) AS net
        FROM account_mrr
        WHERE movement IS NOT NULL
          AND month > DATE '2024-01-01' AND month <= DATE '2025-01-01'
          AND account_id IN (
              SELECT account_id FROM account_mrr WHERE month = DATE '2024-01-01' AND mrr > 0)
        """
    )["net"]

    # dip: -100 + 100 + 20; churner: -50; contracts: -50. eu has no movement, only
    # fx_impact: 100 EUR x (1.20 - 1.10) = 10 over the window.
    assert flows == Decimal("-80")
    assert found["starting_mrr"] + flows + Decimal("10") == found["ending_mrr"]


def test_summed_flows_count_the_dip_as_lost(analytics):
    five_accounts(analytics)
    churned = analytics.one(
        "SELECT SUM(movement_mrr) AS lost FROM account_mrr "
        "WHERE account_id = 'dip' AND movement = 'churn'"
    )["lost"]

    # Flows see 100 churned in November; snapshots see dip fully retained: the accounts
    # without a segment retain min(120, 100) of dip and nothing of churner.
    assert churned == Decimal("100")
    assert retention(analytics, 12, "(unknown)")["retained_mrr"] == Decimal("100")


def test_grr_is_never_above_one(analytics):
    five_accounts(analytics)
    above = analytics.rows("SELECT * FROM retention WHERE grr > 1")

    assert above == []


def test_first_as_of_per_lookback(analytics):
    five_accounts(analytics)
    first = analytics.rows(
        "SELECT lookback_months, min(as_of) AS first FROM retention "
        "GROUP BY lookback_months ORDER BY lookback_months"
    )

    assert [(row["lookback_months"], row["first"]) for row in first] == [
        (1, date(2024, 2, 1)),
        (3, date(2024, 4, 1)),
        (12, JAN_2025),
    ]


def test_slices_use_the_accounts_attributes(analytics):
    five_accounts(analytics)
    enterprise = retention(analytics, 12, "Enterprise")
    unknown = retention(analytics, 12, "(unknown)")

    assert enterprise["starting_mrr"] == Decimal("310")  # eu 110 + contracts 200
    assert enterprise["ending_mrr"] == Decimal("270")  # 120 + 150
    assert unknown["starting_mrr"] == Decimal("150")  # dip 100 + churner 50


def test_constant_currency_fx_mode(analytics):
    five_accounts(analytics, fx_mode="constant_currency")
    found = retention(analytics, 12)

    # eu is 100 x 1.20 at both ends, so it neither expands nor contracts.
    assert found["starting_mrr"] == Decimal("470")  # 100 + 50 + 120 + 200
    assert found["expansion_mrr"] == Decimal("20")
    assert found["retained_mrr"] == Decimal("370")  # 100 + 0 + 120 + 150


def test_fixed_rate_fx_mode(analytics):
    five_accounts(analytics, fx_mode="fixed_rate", fixed_rate_month="2024-06")
    found = retention(analytics, 12)

    # eu is 100 x 1.15 (June 2024) at both ends.
    assert found["starting_mrr"] == Decimal("465")  # 100 + 50 + 115 + 200
    assert found["ending_mrr"] == Decimal("385")  # 120 + 0 + 115 + 150


def test_arr_band_is_taken_at_the_base_month(analytics):
    # 800 a month is ARR 9,600 (<10k); the account grows to 900 (ARR 10,800) in February.
    analytics.revenue = [("a", "USD", "2024-01", "800"), ("a", "USD", "2024-02", "900")]
    analytics.dimensions = ("arr_band",)
    analytics.as_of = "2024-02"
    analytics.run()
    found = analytics.rows("SELECT arr_band, ending_mrr FROM retention WHERE arr_band <> '(all)'")

    assert found == [{"arr_band": "<10k", "ending_mrr": Decimal("900")}]
