"""The portable SELECTs that turn the canonical input into account-currency-month MRR.

Every statement is DuckDB SQL that sqlglot transpiles to Spark, Snowflake and BigQuery.
It uses only functions those engines share: LAST_DAY, EXTRACT, MAKE_DATE and
GENERATE_SERIES over integers, which sqlglot rewrites to SEQUENCE, ARRAY_GENERATE_RANGE or
GENERATE_ARRAY. Months are counted with integer arithmetic, because adding an interval of
a column's months to a date does not transpile to every dialect (sqlglot 30).

Months are handled as month indexes, ``year * 12 + month - 1``, so that a series of
integers becomes a series of months with MAKE_DATE.
"""

from __future__ import annotations

from datetime import date

from nrrgov.engine.types import MONEY

OPEN_END = "DATE '9999-12-31'"
_WIDE_MONEY = "DECIMAL(38, 6)"
# Days are never NULL, so the NULLS clause changes nothing. NULLS FIRST is spelled out
# because it is BigQuery's default: sqlglot 30 then omits it, where it cannot translate
# DuckDB's default NULLS LAST in a BigQuery SUM window and logs a warning.
_BY_DAY = "PARTITION BY account_id, currency ORDER BY day NULLS FIRST"


def month_index(month: date) -> int:
    """Return ``year * 12 + month - 1``, the integer the SQL counts months with.

    >>> month_index(date(2024, 1, 1)) - month_index(date(2023, 12, 1))
    1
    """
    return month.year * 12 + month.month - 1


def monthly_amount(amount: str, months: str) -> str:
    """Return SQL for ``amount`` over ``months``, rounded half away from zero to MONEY.

    Dividing a DECIMAL in DuckDB gives a DOUBLE, which is off by millionths for amounts
    of 10^9 and more and can land on the wrong side of a half millionth. The DOUBLE
    quotient is therefore only an estimate. The remainder ``|amount| - estimate *
    months`` is exact decimal arithmetic, and the millionths to add to the estimate
    follow from it.

    >>> import duckdb
    >>> sql = monthly_amount("CAST(0.0000015 AS DECIMAL(38, 10))", "3")  # 0.0000005
    >>> duckdb.connect().execute(f"SELECT {sql}").fetchone()[0]
    Decimal('0.000001')
    """
    magnitude = f"abs({amount})"
    # Wide, so that an estimate just past MONEY's range, or its product with months,
    # does not overflow before the correction brings it back.
    estimate = f"CAST({magnitude} / {months} AS {_WIDE_MONEY})"
    remainder = f"({magnitude} - {estimate} * {months})"
    # The remainder in millionths has at most 4 decimals and is a small multiple of
    # months, so DOUBLE is close enough for floor() to count the millionths to add.
    # A tie makes the sum an exact multiple of months, which DOUBLE keeps exact too.
    steps = f"floor((CAST({remainder} * 1000000 AS DOUBLE) + {months} / 2.0) / {months})"
    rounded = f"({estimate} + CAST({steps} AS BIGINT) * CAST(0.000001 AS {_WIDE_MONEY}))"
    return f"CAST(CASE WHEN {amount} < 0 THEN -{rounded} ELSE {rounded} END AS {MONEY})"


def _month_index_sql(column: str) -> str:
    return f"(EXTRACT(YEAR FROM {column}) * 12 + EXTRACT(MONTH FROM {column}) - 1)"


def subscription_mrr(grain: str, no_revenue_statuses: tuple[str, ...]) -> str:
    """Select each subscription that carries MRR, with its MRR in its own currency.

    Trials (the no-revenue statuses, compared ignoring case) and zero amounts carry
    none. MRR is the amount over the months one invoice covers.
    """
    account = "s.account_id"
    join = ""
    if grain == "parent_account":
        account = "COALESCE(a.parent_account_id, s.account_id)"
        join = "LEFT JOIN accounts AS a ON a.account_id = s.account_id"

    conditions = ["s.amount <> 0", "s.period_months > 0"]
    if no_revenue_statuses:
        statuses = ", ".join(_literal(status.lower()) for status in no_revenue_statuses)
        conditions.append(f"(s.status IS NULL OR LOWER(s.status) NOT IN ({statuses}))")
    return f"""
SELECT
  {account} AS account_id,
  s.currency AS currency,
  s.start_date AS start_date,
  COALESCE(s.end_date, {OPEN_END}) AS end_date,
  {monthly_amount("s.amount", "s.period_months")} AS mrr
FROM subscriptions AS s
{join}
WHERE {" AND ".join(conditions)}
"""


def first_month_of_subscriptions() -> str:
    """Select the month index of the earliest start of a subscription carrying MRR."""
    first = _month_index_sql("start_date")
    return f"SELECT MIN({first}) AS first_index FROM normalize_subscription_mrr"


def first_month_of_mrr_input() -> str:
    """Select the month index of the earliest month of the MRR input."""
    return f"SELECT MIN({_month_index_sql('month')}) AS first_index FROM mrr_input"


def months(as_of: date, snapshot: str) -> str:
    """Select every month from the first month index to ``as_of`` with its snapshot day.

    The snapshot day is the day a subscription must be in service on to count in the
    month: the month's last day (``month_end``) or its first (``month_start``).
    """
    first_day = "MAKE_DATE(CAST(s.k // 12 AS INTEGER), CAST(s.k % 12 + 1 AS INTEGER), 1)"
    snapshot_day = f"LAST_DAY({first_day})" if snapshot == "month_end" else first_day
    # The series starts at 0 so that both bounds are literals, because sqlglot 30
    # misqualifies a scalar subquery inside UNNEST for Snowflake. The join keeps the
    # months in range.
    return f"""
SELECT {first_day} AS month, {snapshot_day} AS snapshot_day
FROM UNNEST(GENERATE_SERIES(0, {month_index(as_of)})) AS s(k)
CROSS JOIN normalize_bounds AS b
WHERE s.k >= b.first_index
"""


def subscription_segments() -> str:
    """Select, per account and currency, the date ranges over which MRR is constant.

    Each subscription adds its MRR on its start date and removes it on its end date, so
    the running sum of these changes, in date order, is the MRR in force from one change
    to the next. Segments do not overlap, so joining them to the months yields at most one
    row per account, currency and month, with no aggregation over account-months.
    """
    return f"""
WITH changes AS (
  SELECT account_id, currency, start_date AS day, mrr AS delta
  FROM normalize_subscription_mrr
  UNION ALL
  SELECT account_id, currency, end_date AS day, -mrr AS delta
  FROM normalize_subscription_mrr
  WHERE end_date < {OPEN_END}
),
daily AS (
  SELECT account_id, currency, day, SUM(delta) AS delta
  FROM changes
  GROUP BY account_id, currency, day
)
SELECT
  account_id,
  currency,
  day AS segment_start,
  LEAD(day, 1, {OPEN_END}) OVER ({_BY_DAY}) AS segment_end,
  SUM(delta) OVER ({_BY_DAY} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS mrr
FROM daily
"""


def segment_months(condition: str) -> str:
    """Select account-currency-months whose MRR meets ``condition`` (``mrr > 0``, ...).

    A month takes the MRR of the segment its snapshot day falls in: segment_start <= day
    < segment_end, which is the subscriptions' own rule start_date <= day < end_date.
    """
    return f"""
SELECT s.account_id AS account_id, s.currency AS currency, m.month AS month, s.mrr AS mrr
FROM normalize_segments AS s
JOIN normalize_months AS m
  ON s.segment_start <= m.snapshot_day AND m.snapshot_day < s.segment_end
WHERE s.{condition}
"""


def mrr_input_account_months(grain: str, reporting_currency: str, as_of: date) -> str:
    """Sum the MRR input per account (at the grain) and month, in the reporting currency."""
    account = "i.account_id"
    join = ""
    if grain == "parent_account":
        account = "COALESCE(a.parent_account_id, i.account_id)"
        join = "LEFT JOIN accounts AS a ON a.account_id = i.account_id"
    return f"""
SELECT {account} AS account_id, {_literal(reporting_currency)} AS currency, i.month AS month,
  SUM(i.mrr) AS mrr
FROM mrr_input AS i
{join}
WHERE i.month <= {_date(as_of)}
GROUP BY {account}, i.month
"""


def negative_mrr_quarantine(account_months: str, source: str, policy: str) -> str:
    """Select a quarantine row for each account, currency and month with negative MRR.

    ``account_months`` is a SELECT of account_id, currency, month and mrr sums.
    """
    action = "floored at 0" if policy == "floor" else "rejected (negative_mrr: error)"
    reason = (
        "'negative MRR of account ' || account_id || ' in ' || currency || ' for month ' "
        f"|| CAST(month AS VARCHAR) || ' {action}'"
    )
    return f"""
SELECT
  {_literal(source)} AS source,
  CAST(NULL AS VARCHAR) AS file,
  CAST(NULL AS BIGINT) AS "row",
  'mrr' AS "column",
  CAST(mrr AS VARCHAR) AS value,
  {reason} AS reason
FROM ({account_months}) AS sums
WHERE mrr < 0
"""


def revenue(account_months: str) -> str:
    """Select the account-currency-months with positive MRR.

    ``account_months`` is a SELECT of account_id, currency, month and mrr sums.

    NOTE: the negative-MRR floor applies per account, currency and month, after the
    account's subscriptions in that currency are summed: a discount row offsets its own
    account's price, and a negative sum becomes no row, that is MRR 0.
    """
    return f"""
SELECT account_id, currency, month, CAST(mrr AS {MONEY}) AS mrr_native
FROM ({account_months}) AS sums
WHERE mrr > 0
"""


def calendar() -> str:
    """Select every month from the first month with revenue to the as-of month."""
    return """
SELECT month
FROM normalize_months
WHERE month >= (SELECT MIN(month) FROM revenue)
"""


def quarantine() -> str:
    """Select the rows set aside by ingest and by normalize."""
    return """
SELECT source, file, "row", "column", value, reason FROM quarantine_ingest
UNION ALL
SELECT source, file, "row", "column", value, reason FROM quarantine_normalize
"""


def _date(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
