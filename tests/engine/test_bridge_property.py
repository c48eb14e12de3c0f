"""Random account histories in random currencies: the bridge and retention identities hold.

Each example draws accounts with revenue in any of USD, EUR and JPY in any month, and a
random rate for every currency and month. The expected values come from Python's
``Decimal``: each native amount times its rate, rounded half away from zero to 6 places.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CURRENCIES = ("USD", "EUR", "JPY")
SEGMENTS = ("SMB", "Enterprise", None)
BRIDGE = (
    "opening_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr "
    "- churned_mrr + fx_impact"
)
SIGN = {"new": 1, "reactivation": 1, "expansion": 1, "contraction": -1, "churn": -1}

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000"), places=2)
rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("20"), places=10)


@st.composite
def histories(draw):
    """(months, rates, revenue rows, segments) of up to 5 accounts over up to 7 months."""
    months = [f"2024-{m:02d}" for m in range(1, draw(st.integers(1, 7)) + 1)]
    drawn_rates = {(c, m): draw(rates) for c in CURRENCIES[1:] for m in months}
    accounts = [f"a{i}" for i in range(draw(st.integers(1, 5)))]
    revenue = [
        (a, c, m, draw(amounts))
        for a in accounts
        for m in months
        for c in CURRENCIES
        if draw(st.integers(0, 3)) == 0
    ]
    if not revenue:
        revenue = [(accounts[0], "EUR", months[0], draw(amounts))]
    segments = {a: draw(st.sampled_from(SEGMENTS)) for a in accounts}
    return months, drawn_rates, revenue, segments


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


class Reference:
    """Account MRR and fx impact computed in Python from the drawn inputs."""

    def __init__(self, months, drawn_rates, revenue):
        self.months = months
        self.rates = drawn_rates
        self.native = {(a, c, m): amount for a, c, m, amount in revenue}

    def rate(self, currency: str, month: str) -> Decimal:
        return Decimal(1) if currency == "USD" else self.rates[currency, month]

    def value(self, account: str, amounts_month: str, rate_month: str) -> Decimal:
        """The native amounts of one month converted at another month's rates."""
        total = Decimal(0)
        for currency in CURRENCIES:
            amount = self.native.get((account, currency, amounts_month))
            if amount is not None:
                total += _round(amount * self.rate(currency, rate_month))
        return total

    def mrr(self, account: str, month: str) -> Decimal:
        return self.value(account, month, month)

    def fx_impact(self, account: str, index: int) -> Decimal:
        """Opening MRR at month ``index``'s rates minus the same at the previous month's."""
        if index == 0:
            return Decimal(0)
        previous, current = self.months[index - 1], self.months[index]
        return self.value(account, previous, current) - self.value(account, previous, previous)


def _run(new_analytics, months, drawn_rates, revenue, segments):
    analytics = new_analytics()
    analytics.revenue = [(a, c, m, str(v)) for a, c, m, v in revenue]
    analytics.rates = {key: str(rate) for key, rate in drawn_rates.items()}
    analytics.accounts = {a: {"segment": s} for a, s in segments.items()}
    analytics.dimensions = ("segment", "arr_band")
    analytics.lookbacks = (1, 2, 3)
    analytics.as_of = months[-1]
    analytics.run()
    return analytics


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(histories())
def test_bridge_and_retention_identities(new_analytics, history):
    months, drawn_rates, revenue, segments = history
    analytics = _run(new_analytics, months, drawn_rates, revenue, segments)
    reference = Reference(months, drawn_rates, revenue)

    # Every account-month's MRR is the sum of its rounded conversions.
    for row in analytics.rows("SELECT account_id, month, mrr FROM account_mrr"):
        assert row["mrr"] == reference.mrr(row["account_id"], row["month"].strftime("%Y-%m"))

    # The bridge closes exactly in every month and slice.
    assert analytics.rows(f"SELECT * FROM movements WHERE {BRIDGE} <> closing_mrr") == []

    # Snapshot NRR equals the base accounts' summed movements, fx_impact included.
    flows = defaultdict(Decimal)
    for row in analytics.rows("SELECT * FROM account_mrr WHERE movement IS NOT NULL"):
        key = row["account_id"], row["month"].strftime("%Y-%m")
        flows[key] = SIGN[row["movement"]] * row["movement_mrr"]
    accounts = {row[0] for row in revenue}
    for found in analytics.rows(
        "SELECT * FROM retention WHERE segment = '(all)' AND arr_band = '(all)'"
    ):
        end = months.index(found["as_of"].strftime("%Y-%m"))
        start = end - found["lookback_months"]
        base = [a for a in accounts if reference.mrr(a, months[start]) > 0]
        summed = sum(
            (
                flows[a, months[i]] + reference.fx_impact(a, i)
                for a in base
                for i in range(start + 1, end + 1)
            ),
            Decimal(0),
        )
        assert found["ending_mrr"] - found["starting_mrr"] == summed
        assert found["grr"] <= 1


def test_reference_values_by_hand():
    reference = Reference(
        ["2024-01", "2024-02"],
        {("EUR", "2024-01"): Decimal("1.1"), ("EUR", "2024-02"): Decimal("1.2")},
        [("a", "EUR", "2024-01", Decimal("100")), ("a", "USD", "2024-01", Decimal("5"))],
    )

    assert reference.mrr("a", "2024-01") == Decimal("115")  # 100 x 1.1 + 5
    assert reference.fx_impact("a", 1) == Decimal("10")  # 100 x (1.2 - 1.1)
