"""Account MRR: every account and month in the reporting currency, and the lags later stages read.

Statements added, in order:

- ``analytics_months(month, month_index)``: the calendar numbered from 1, so that month
  arithmetic is integer arithmetic in every SQL dialect.
- ``analytics_fx``: per currency and month, the month's rate and the rates that value
  the month's native amounts later: next month (opening MRR at the next month's rates),
  k months on (``constant_currency`` retention), the as-of month, and the fixed month.
- ``analytics_accounts``: one row per account with revenue up to the as-of month. It
  gives the account an integer key, its first and last revenue months, whether it bills
  in several currencies, its ``column`` dimension values and a ``slice_id`` per distinct
  combination of them. ``analytics_slices`` lists the combinations.
- ``analytics_account_months``: one row per account and month from the account's first
  revenue month to the as-of month, zero where it has no revenue. Each row carries the
  previous month's MRR at its own and at this month's rates, the initial MRR, the MRR k
  months back for each retention lookback and, when a reactivation limit is in force,
  the months at zero before a restart. One window pass over the account's months
  computes all of these.
- ``analytics_account_mrr`` and the view ``account_mrr``, added by
  :func:`add_public_account_mrr`: the public table (account_id, month, mrr,
  mrr_constant_currency, movement, movement_mrr). The table is keyed by the integer
  account key and month index, and the view joins the account id and month back in.

Revenue holds positive amounts only, so an account's first revenue month is its first
month with MRR: that month is its cohort and its MRR then is its initial MRR.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from nrrgov.engine.fx import Valuation, convert
from nrrgov.engine.movements import movement_amount, movement_kind
from nrrgov.engine.slices import SLICES_TABLE, attribute, quote
from nrrgov.engine.sql import Pipeline
from nrrgov.engine.types import MONEY
from nrrgov.spec.taxonomy import DimensionSpec

MONTHS_TABLE = "analytics_months"
FX_TABLE = "analytics_fx"
ACCOUNTS_TABLE = "analytics_accounts"
ACCOUNT_MONTHS_TABLE = "analytics_account_months"
ACCOUNT_MRR_TABLE = "analytics_account_mrr"

_WINDOW = "PARTITION BY account_key ORDER BY month_index"


def add_account_mrr(
    pipeline: Pipeline,
    *,
    as_of: date,
    attributes: Sequence[DimensionSpec],
    valuations: Sequence[Valuation],
    fixed_rate_month: date | None,
    gaps: bool,
) -> None:
    """Add the statements that create the account-month tables.

    Args:
        pipeline: the pipeline to extend.
        as_of: first day of the last month computed.
        attributes: the ``column`` dimensions any later stage slices or filters by.
        valuations: the retention start columns ``analytics_account_months`` must hold.
        fixed_rate_month: the month whose rates ``fixed_rate`` retention uses, if any
            valuation needs it.
        gaps: whether any stage limits reactivations, so that the account-month table
            must hold ``gap_months``, the months at zero before each restart.
    """
    constant_lookbacks = sorted(
        {v.lookback_months for v in valuations if v.fx_mode == "constant_currency"}
    )
    offsets = sorted({1, *constant_lookbacks})
    fixed = fixed_rate_month if any(v.fx_mode == "fixed_rate" for v in valuations) else None

    pipeline.add(MONTHS_TABLE, _months(), "the calendar with an integer index per month")
    pipeline.add(FX_TABLE, _fx(offsets, as_of, fixed), "rates per currency and month")
    pipeline.add(ACCOUNTS_TABLE, _accounts(attributes), "accounts with revenue, keyed")
    pipeline.add(SLICES_TABLE, _slices(attributes), "distinct dimension values of accounts")
    pipeline.add(
        ACCOUNT_MONTHS_TABLE,
        _account_months(valuations, offsets, fixed is not None, gaps),
        "every account and month from its first revenue month, with lags",
    )


def add_public_account_mrr(pipeline: Pipeline, max_gap_months: int | None) -> None:
    """Add the statements that create ``account_mrr`` from the account-month table.

    ``account_mrr`` is a view. At a million accounts, an account id and a month on each
    row instead of two integer keys take about 0.2 GiB more until the tables are written.
    Joining them back costs a fraction of a second per read.

    Args:
        pipeline: the pipeline to extend, after :func:`add_account_mrr`.
        max_gap_months: months at zero after which MRR counts as ``new`` rather than
            ``reactivation``; None for no limit.
    """
    pipeline.add(ACCOUNT_MRR_TABLE, _account_mrr(max_gap_months), "MRR per account and month")
    pipeline.add(
        "account_mrr",
        f"""
        SELECT k.account_id, m.month, f.mrr, f.mrr_constant_currency, f.movement,
               f.movement_mrr
        FROM {ACCOUNT_MRR_TABLE} AS f
        JOIN {ACCOUNTS_TABLE} AS k ON k.account_key = f.account_key
        JOIN {MONTHS_TABLE} AS m ON m.month_index = f.month_index
        """,
        "MRR per account and month, by account id and month",
        view=True,
    )


def _months() -> str:
    return (
        "SELECT month, CAST(row_number() OVER (ORDER BY month) AS INTEGER) AS month_index "
        "FROM calendar"
    )


def _date(value: date) -> str:
    return f"CAST('{value.isoformat()}' AS DATE)"


def _fx(offsets: Sequence[int], as_of: date, fixed: date | None) -> str:
    # A rate k months on is missing past the as-of month, where no revenue needs it.
    columns = ["f.currency", "f.month", "m.month_index", "f.rate"]
    joins = [f"JOIN {MONTHS_TABLE} AS m ON m.month = f.month"]
    for k in offsets:
        columns.append(f"r{k}.rate AS rate_plus_{k}")
        joins.append(
            f"LEFT JOIN {MONTHS_TABLE} AS m{k} ON m{k}.month_index = m.month_index + {k} "
            f"LEFT JOIN fx_rates AS r{k} ON r{k}.currency = f.currency AND r{k}.month = m{k}.month"
        )
    columns.append("a.rate AS rate_as_of")
    joins.append(f"LEFT JOIN fx_rates AS a ON a.currency = f.currency AND a.month = {_date(as_of)}")
    if fixed is not None:
        columns.append("x.rate AS rate_fixed")
        joins.append(
            f"LEFT JOIN fx_rates AS x ON x.currency = f.currency AND x.month = {_date(fixed)}"
        )
    return f"SELECT {', '.join(columns)} FROM fx_rates AS f {' '.join(joins)}"


def _accounts(attributes: Sequence[DimensionSpec]) -> str:
    names = [quote(d.name) for d in attributes]
    values = [f"{attribute(d, 'a')} AS {quote(d.name)}" for d in attributes]
    slice_id = f"dense_rank() OVER (ORDER BY {', '.join(names)})" if attributes else "1"
    selected = ", ".join(
        [
            "b.account_id",
            "CAST(row_number() OVER (ORDER BY b.account_id) AS INTEGER) AS account_key",
            "b.first_index",
            "b.last_index",
            "b.multi_currency",
            # An account in one currency with revenue in every month from its first to its
            # last is contiguous, so its grid is its revenue rows and zeros after them.
            # This relies on revenue having one row per account, currency and month.
            "b.multi_currency OR b.revenue_rows <> b.last_index - b.first_index + 1 AS gappy",
            *values,
        ]
    )
    # NOTE: min <> max of the currency is a cheap test for "more than one currency".
    inner = f"""
        SELECT {selected}
        FROM (
            SELECT r.account_id, min(m.month_index) AS first_index,
                   max(m.month_index) AS last_index, count(*) AS revenue_rows,
                   min(r.currency) <> max(r.currency) AS multi_currency
            FROM revenue AS r JOIN {MONTHS_TABLE} AS m ON m.month = r.month
            GROUP BY r.account_id
        ) AS b
        LEFT JOIN accounts AS a ON a.account_id = b.account_id
    """
    return f"SELECT d.*, CAST({slice_id} AS INTEGER) AS slice_id FROM ({inner}) AS d"


def _slices(attributes: Sequence[DimensionSpec]) -> str:
    names = ", ".join(["slice_id", *(quote(d.name) for d in attributes)])
    return f"SELECT DISTINCT {names} FROM {ACCOUNTS_TABLE}"


def _converted_columns(offsets: Sequence[int], fixed: bool) -> dict[str, str]:
    """Return SQL, per name, of each converted amount the grid carries.

    The SQL reads a revenue row (alias ``r``) and the rates of its currency and month
    (alias ``x``).
    """
    columns = {
        "mrr": convert("r.mrr_native", "x.rate"),
        "mrr_constant_currency": convert("r.mrr_native", "x.rate_as_of"),
    }
    for k in offsets:
        columns[f"mrr_at_rate_plus_{k}"] = convert("r.mrr_native", f"x.rate_plus_{k}")
    if fixed:
        columns["mrr_fixed_rate"] = convert("r.mrr_native", "x.rate_fixed")
    return columns


def _account_values(converted: dict[str, str]) -> str:
    """Return SQL of converted MRR per account and month with revenue, summed over currencies."""
    keys = "k.account_key, k.slice_id, k.first_index, k.gappy, x.month_index"
    source = f"""
        FROM revenue AS r
        JOIN {ACCOUNTS_TABLE} AS k ON k.account_id = r.account_id
        JOIN {FX_TABLE} AS x ON x.currency = r.currency AND x.month = r.month
    """
    single = ", ".join(f"{sql} AS {name}" for name, sql in converted.items())
    summed = ", ".join(f"CAST(SUM({sql}) AS {MONEY}) AS {name}" for name, sql in converted.items())
    # Most accounts bill in one currency: their rows are already one per month, and
    # skipping the GROUP BY for them saves a hash aggregation over every revenue row.
    return f"""
        SELECT {keys}, {single} {source} WHERE NOT k.multi_currency
        UNION ALL
        SELECT {keys}, {summed} {source} WHERE k.multi_currency GROUP BY {keys}
    """


def _grid(account_values: str, values: Sequence[str]) -> str:
    """Return SQL of every account and month from its first revenue month to the as-of month.

    A contiguous account's revenue rows pass through as they are, followed by zero rows up
    to the as-of month. Only gappy accounts are matched month by month, which keeps the
    hash join small.

    ``account_values`` is the SQL of converted MRR per account and month with revenue,
    and ``values`` names its amount columns. It appears twice, inline rather than as a common
    table expression: DuckDB materializes such an expression read twice, which at a
    million accounts takes about half a GiB more at once and saves no time.
    """
    keys = "k.account_key, k.slice_id, k.first_index, m.month_index"
    as_they_are = ", ".join(values)
    zeros = ", ".join(f"CAST(0 AS {MONEY}) AS {name}" for name in values)
    matched = ", ".join(f"COALESCE(v.{name}, 0) AS {name}" for name in values)
    return f"""
        SELECT account_key, slice_id, first_index, month_index, {as_they_are}
        FROM ({account_values}) AS v WHERE NOT gappy
        UNION ALL
        SELECT {keys}, {zeros}
        FROM {ACCOUNTS_TABLE} AS k JOIN {MONTHS_TABLE} AS m ON m.month_index > k.last_index
        WHERE NOT k.gappy
        UNION ALL
        SELECT {keys}, {matched}
        FROM {ACCOUNTS_TABLE} AS k
        JOIN {MONTHS_TABLE} AS m ON m.month_index >= k.first_index
        LEFT JOIN (SELECT * FROM ({account_values}) AS g WHERE gappy) AS v
            ON v.account_key = k.account_key AND v.month_index = m.month_index
        WHERE k.gappy
    """


def _account_months(
    valuations: Sequence[Valuation], offsets: Sequence[int], fixed: bool, gaps: bool
) -> str:
    converted = _converted_columns(offsets, fixed)
    windowed = [
        f"COALESCE(lag(mrr) OVER ({_WINDOW}), 0) AS opening_mrr",
        f"COALESCE(lag(mrr_at_rate_plus_1) OVER ({_WINDOW}), 0) AS opening_mrr_at_month_rate",
        f"first_value(mrr) OVER ({_WINDOW}) AS initial_mrr",
        *(_start_column(v) for v in valuations if not v.start_column.startswith("opening_")),
    ]
    if gaps:
        # Months at zero before this one when MRR restarts; NULL when it never had MRR.
        windowed.append(
            f"""CASE WHEN mrr > 0 AND COALESCE(lag(mrr) OVER ({_WINDOW}), 0) = 0
            THEN month_index - 1 - max(CASE WHEN mrr > 0 THEN month_index END) OVER (
                {_WINDOW} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
            END AS gap_months"""
        )
    stored = ["mrr", "mrr_constant_currency", *(["mrr_fixed_rate"] if fixed else [])]
    return f"""
        SELECT account_key, slice_id, month_index, first_index AS cohort_index,
               {", ".join([*stored, *windowed])}
        FROM ({_grid(_account_values(converted), list(converted))}) AS grid
    """


def _start_column(valuation: Valuation) -> str:
    k = valuation.lookback_months
    source = {
        "month_rate": "mrr",
        "constant_currency": f"mrr_at_rate_plus_{k}",
        "fixed_rate": "mrr_fixed_rate",
    }[valuation.fx_mode]
    return f"lag({source}, {k}) OVER ({_WINDOW}) AS {valuation.start_column}"


def _account_mrr(max_gap_months: int | None) -> str:
    return f"""
        SELECT f.account_key, f.month_index, f.mrr, f.mrr_constant_currency, f.movement,
               CAST({movement_amount("f", "f.movement")} AS {MONEY}) AS movement_mrr
        FROM (
            SELECT f.account_key, f.month_index, f.mrr, f.mrr_constant_currency,
                   f.opening_mrr_at_month_rate, {movement_kind("f", max_gap_months)} AS movement
            FROM {ACCOUNT_MONTHS_TABLE} AS f
        ) AS f
    """
