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
# One unit of MONEY's last decimal place, half of it, and the largest error of a guess
# that one step of correction fixes.
_UNIT = "0.000001"
_HALF_UNIT = "0.0000005"
_MAX_ERROR = "0.0000015"


def convert(amount: str, rate: str) -> str:
    """Return SQL for ``amount`` (native MONEY) times ``rate``, rounded half away from zero.

    Rounding the exact wide-decimal product costs several times more than the rest of the
    conversion, so most rows take a shortcut. A DOUBLE product cast to MONEY, the guess,
    is within one unit of the last place of the exact result unless the amount is in the
    billions. The exact product minus the guess decides whether to add or subtract that
    unit. Where the difference is larger than one step can fix, or the amount is not
    positive, the exact product is rounded instead, so the result always equals the
    exactly rounded product. Amounts at rate 1 (the reporting currency) pass unchanged.

    >>> import duckdb
    >>> amount, rate = "CAST(2.000003 AS DECIMAL(18, 6))", "CAST(0.5 AS DECIMAL(18, 10))"
    >>> duckdb.connect().execute(f"SELECT {convert(amount, rate)}").fetchone()[0]  # 1.0000015
    Decimal('1.000002')
    """
    exact = f"CAST({amount} AS {_WIDE_MONEY}) * {rate}"
    guess = f"CAST(CAST({amount} AS DOUBLE) * CAST({rate} AS DOUBLE) AS {MONEY})"
    error = f"({exact} - {guess})"
    rounded = f"ROUND({exact}, 6)"
    return (
        f"CAST(CASE WHEN {rate} = 1 THEN {amount} "
        f"WHEN {amount} <= 0 OR {error} >= {_MAX_ERROR} OR {error} <= -{_MAX_ERROR} "
        f"THEN {rounded} "
        f"WHEN {error} >= {_HALF_UNIT} THEN {guess} + {_UNIT} "
        f"WHEN {error} < -{_HALF_UNIT} THEN {guess} - {_UNIT} "
        f"ELSE {guess} END AS {MONEY})"
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
