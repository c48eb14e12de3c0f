"""Currency conversion in SQL, and the ways retention values MRR under each fx mode.

Every product of a native amount and a rate is rounded to MONEY's 6 decimal places right
away, so that sums of converted amounts are exact decimals and the MRR bridge closes to
the last digit.
"""

from __future__ import annotations

from dataclasses import dataclass

from nrrgov.engine.types import MONEY
from nrrgov.spec.options import FxMode

# Wide enough that an amount of DECIMAL(18, 6) times a rate of DECIMAL(18, 10) cannot
# overflow before the product is rounded back to MONEY.
_WIDE_MONEY = "DECIMAL(38, 6)"
# The DOUBLE shortcut is taken below this many millionths of the reporting currency
# (100,000 units), where its error stays under 1e-4 millionths.
_SHORTCUT_LIMIT = "100000000000"
# How close to half a millionth a DOUBLE product may fall before the exact product
# decides the rounding: ten times the shortcut's largest error.
_TIE_MARGIN = "0.001"


def convert(amount: str, rate: str) -> str:
    """Return SQL for ``amount`` (native MONEY) times ``rate``, rounded half away from zero.

    Rounding the exact wide-decimal product costs several times more than the rest of the
    conversion, so most rows take a shortcut through DOUBLE. The product in millionths,
    computed in DOUBLE, is off by less than 1e-15 of itself (a few rounding steps of
    2**-53 each). Below 100,000 units that error is under 1e-4 millionths, so unless the
    product lies within 0.001 of a half millionth, rounding it to the nearest millionth
    gives the same result as rounding the exact product. Larger products, and those near
    a half, are rounded exactly. Amounts at rate 1 (the reporting currency) pass unchanged.

    >>> import duckdb
    >>> amount, rate = "CAST(2.000003 AS DECIMAL(18, 6))", "CAST(0.5 AS DECIMAL(18, 10))"
    >>> duckdb.connect().execute(f"SELECT {convert(amount, rate)}").fetchone()[0]  # 1.0000015
    Decimal('1.000002')
    """
    millionths = f"(CAST({amount} AS DOUBLE) * CAST({rate} AS DOUBLE) * 1000000)"
    # DuckDB casts DOUBLE to DECIMAL by rounding, so a whole number of millionths divided
    # by a million comes back as exactly that number.
    shortcut = f"CAST(round({millionths}) / 1000000 AS {MONEY})"
    exact = f"CAST(ROUND(CAST({amount} AS {_WIDE_MONEY}) * {rate}, 6) AS {MONEY})"
    return (
        f"CASE WHEN {rate} = 1 THEN {amount} "
        f"WHEN abs({millionths}) < {_SHORTCUT_LIMIT} "
        f"AND abs({millionths} - floor({millionths}) - 0.5) > {_TIE_MARGIN} THEN {shortcut} "
        f"ELSE {exact} END"
    )


_OPENING_COLUMNS = {
    "month_rate": "opening_mrr",
    "constant_currency": "opening_mrr_at_month_rate",
}


@dataclass(frozen=True, order=True)
class Valuation:
    """The valuation of an account's MRR at M-k and at M for retention over one lookback.

    ``month_rate`` converts each month at its own rate. ``constant_currency`` converts the
    native amounts of both months at month M's rates. ``fixed_rate`` converts every month
    at the rates of one fixed month.

    Attributes:
        fx_mode: one of the fx modes of :class:`nrrgov.spec.options.OptionsSpec`.
        lookback_months: the lookback k in months.
    """

    fx_mode: FxMode
    lookback_months: int

    @property
    def start_column(self) -> str:
        """Column of the account-month table holding the MRR at M-k, valued for month M.

        Over one month, two of them are the opening MRR that movements use already.
        """
        if self.lookback_months == 1 and self.fx_mode in _OPENING_COLUMNS:
            return _OPENING_COLUMNS[self.fx_mode]
        return f"start_{self.fx_mode}_{self.lookback_months}"

    @property
    def end_column(self) -> str:
        """Column of the account-month table holding the MRR at M."""
        return "mrr_fixed_rate" if self.fx_mode == "fixed_rate" else "mrr"
