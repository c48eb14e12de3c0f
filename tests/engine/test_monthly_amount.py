"""An invoice amount over its billing period, rounded half away from zero to millionths."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nrrgov.engine.normalize_sql import monthly_amount

_CON = duckdb.connect()


def _sql_monthly(amount: Decimal, months: int) -> Decimal:
    query = (
        f"SELECT {monthly_amount('a', 'm')} "
        "FROM (SELECT CAST(? AS DECIMAL(38, 10)) AS a, CAST(? AS INTEGER) AS m)"
    )
    return _CON.execute(query, [str(amount), months]).fetchone()[0]


def _exact(amount: Decimal, months: int) -> Decimal:
    # ROUND_HALF_UP in Python's decimal rounds halves away from zero.
    return (amount / months).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(
    ("amount", "months", "expected"),
    [
        ("4800", 24, "200"),
        ("100", 3, "33.333333"),
        ("200", 3, "66.666667"),
        # Exact halves of a millionth, which DOUBLE division puts on the lower side.
        ("0.0000015", 3, "0.000001"),
        ("-0.0000015", 3, "-0.000001"),
        ("0.01", 32, "0.000313"),
        # Past the 15 or 16 digits a DOUBLE holds.
        ("123456789012.345678", 1, "123456789012.345678"),
        ("9876543210.123457", 3, "3292181070.041152"),
        ("-9876543210.123457", 3, "-3292181070.041152"),
        # An amount past MONEY's range whose monthly share fits it.
        ("1200000000000", 12, "100000000000"),
        # Just under MONEY's limit, where the DOUBLE estimate rounds up to 10^12.
        ("999999999999.999999", 1, "999999999999.999999"),
    ],
)
def test_monthly_amount_by_hand(amount, months, expected):
    assert _sql_monthly(Decimal(amount), months) == Decimal(expected)


@settings(max_examples=400, deadline=None)
@given(
    st.decimals(
        min_value=Decimal("-9999999999999"),
        max_value=Decimal("9999999999999"),
        places=10,
        allow_nan=False,
        allow_infinity=False,
    ),
    st.integers(min_value=1, max_value=120),
)
def test_monthly_amount_matches_decimal(amount, months):
    exact = _exact(amount, months)
    # MONEY stays under 10^12, so larger shares must stop compute instead.
    assume(abs(exact) < Decimal("1E12"))
    assert _sql_monthly(amount, months) == exact
