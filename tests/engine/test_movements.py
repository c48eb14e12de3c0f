"""The movements table: the MRR bridge per month and slice, with (all) rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

FEB = date(2024, 2, 1)
BRIDGE = (
    "opening_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr "
    "- churned_mrr + fx_impact"
)


def four_accounts(analytics):
    """a expands, b is flat in EUR while the rate rises, c is new, d churns."""
    analytics.revenue = [
        ("a", "USD", "2024-01", "100"),
        ("a", "USD", "2024-02", "150"),
        ("b", "EUR", "2024-01", "200"),
        ("b", "EUR", "2024-02", "200"),
        ("c", "USD", "2024-02", "30"),
        ("d", "USD", "2024-01", "40"),
    ]
    analytics.rates = {("EUR", "2024-01"): "1.10", ("EUR", "2024-02"): "1.20"}
    analytics.accounts = {
        "a": {"segment": "SMB", "region": "NA"},
        "b": {"segment": "Enterprise", "region": "EMEA"},
        "c": {"segment": "SMB", "region": None},
        "d": {"segment": "Enterprise", "region": "NA"},
    }
    analytics.dimensions = ("segment", "region")
    analytics.as_of = "2024-02"
    analytics.run()


def february(analytics, segment: str, region: str) -> dict:
    return analytics.one(
        "SELECT * FROM movements WHERE month = ? AND segment = ? AND region = ?",
        FEB,
        segment,
        region,
    )


def test_total_bridge_by_hand(analytics):
    four_accounts(analytics)
    total = february(analytics, "(all)", "(all)")

    assert total["opening_mrr"] == Decimal("360")  # 100 + 200 x 1.10 + 40
    assert total["new_mrr"] == Decimal("30")
    assert total["expansion_mrr"] == Decimal("50")  # 150 - 100
    assert total["churned_mrr"] == Decimal("40")
    assert total["fx_impact"] == Decimal("20")  # 200 x (1.20 - 1.10)
    assert total["contraction_mrr"] == Decimal("0")
    assert total["reactivation_mrr"] == Decimal("0")
    assert total["closing_mrr"] == Decimal("420")  # 150 + 240 + 30


def test_total_logos_by_hand(analytics):
    four_accounts(analytics)
    total = february(analytics, "(all)", "(all)")

    assert total["new_logos"] == 1
    assert total["expanded_logos"] == 1
    assert total["churned_logos"] == 1
    assert total["contracted_logos"] == 0
    assert total["reactivated_logos"] == 0
    assert total["active_logos"] == 3  # a, b, c


def test_slices_by_hand(analytics):
    four_accounts(analytics)

    smb = february(analytics, "SMB", "(all)")
    assert smb["opening_mrr"] == Decimal("100")
    assert smb["closing_mrr"] == Decimal("180")  # a 150 + c 30
    emea = february(analytics, "Enterprise", "EMEA")
    assert emea["fx_impact"] == Decimal("20")
    assert emea["closing_mrr"] == Decimal("240")
    unknown = february(analytics, "(all)", "(unknown)")
    assert unknown["new_mrr"] == Decimal("30")


def test_every_subset_of_dimensions_has_rows(analytics):
    four_accounts(analytics)
    found = analytics.rows("SELECT segment, region FROM movements WHERE month = ?", FEB)

    # Four segment-region pairs, two segments, three regions and the total.
    assert len(found) == 4 + 2 + 3 + 1


def test_bridge_closes_in_every_row(analytics):
    four_accounts(analytics)
    broken = analytics.rows(f"SELECT * FROM movements WHERE {BRIDGE} <> closing_mrr")

    assert broken == []


def test_arr_band_is_taken_at_the_opening_month(analytics):
    # grows goes from 800 (ARR 9,600, band <10k) to 900 (ARR 10,800); it stays in <10k.
    # fresh starts at 1,000 (ARR 12,000): with no opening MRR its band is February's.
    analytics.revenue = [
        ("grows", "USD", "2024-01", "800"),
        ("grows", "USD", "2024-02", "900"),
        ("fresh", "USD", "2024-02", "1000"),
    ]
    analytics.dimensions = ("arr_band",)
    analytics.as_of = "2024-02"
    analytics.run()

    small = analytics.one("SELECT * FROM movements WHERE month = ? AND arr_band = '<10k'", FEB)
    assert small["expansion_mrr"] == Decimal("100")
    assert small["closing_mrr"] == Decimal("900")
    middle = analytics.one("SELECT * FROM movements WHERE month = ? AND arr_band = '10k-50k'", FEB)
    assert middle["new_mrr"] == Decimal("1000")
    assert middle["opening_mrr"] == Decimal("0")


def test_reactivation_in_the_bridge(analytics):
    analytics.revenue = [("a", "USD", "2024-01", "10"), ("a", "USD", "2024-03", "25")]
    analytics.as_of = "2024-03"
    analytics.run()

    march = analytics.one("SELECT * FROM movements WHERE month = DATE '2024-03-01'")
    assert march["reactivation_mrr"] == Decimal("25")
    assert march["reactivated_logos"] == 1
    assert march["new_logos"] == 0
