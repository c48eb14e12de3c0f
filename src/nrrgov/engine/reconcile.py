"""Input totals reconciled against normalized totals, for the data-quality report.

The as-of month's MRR is computed a second time straight from the accepted input rows.
The snapshot day is worked out in Python and applied as one filter over
``subscriptions`` (or one month of ``mrr_input``), without ``calendar``, ``revenue`` or
any ``normalize_`` table. A bug in the month generation, the snapshot rule, the grain or
the floor then shows as a nonzero difference.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

import duckdb

from nrrgov.engine.context import EngineContext
from nrrgov.engine.normalize_sql import monthly_amount


def reconcile(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> dict:
    """Compare input and normalized totals after normalize has run.

    Returns:
        A dict with these keys:

        - ``as_of``: the month, as YYYY-MM.
        - ``sources``: rows read, accepted and quarantined per source.
        - ``accounts``: distinct accounts in the input against accounts with revenue in
          any month.
        - ``normalize_quarantined``: account-months set aside for negative MRR.
        - ``mrr``: the as-of month's MRR implied by the input against the normalized MRR,
          per currency and in total. ``difference`` is normalized - (input + floored),
          0 when nothing was lost.

        Money is a float in the reporting currency, or in the native currency for the
        ``*_native`` keys of ``by_currency``.
    """
    by_currency = _mrr_by_currency(con, ctx)
    return {
        "as_of": ctx.as_of.strftime("%Y-%m"),
        "sources": _sources(con),
        "accounts": _accounts(con, ctx),
        "normalize_quarantined": con.execute(
            "SELECT count(*) FROM quarantine_normalize"
        ).fetchone()[0],
        "mrr": {
            "reporting_currency": ctx.reporting_currency,
            "by_currency": [_floats(row) for row in by_currency],
            **_mrr_totals(by_currency),
        },
    }


def _sources(con: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = con.execute(
        "SELECT source, table_name, files, rows_read, rows_accepted, rows_quarantined "
        "FROM ingest_summary"
    ).fetchall()
    return [
        {
            "source": source,
            "table": table,
            "files": list(files),
            "rows_read": read,
            "rows_accepted": accepted,
            "rows_quarantined": quarantined,
            "balanced": read == accepted + quarantined,
        }
        for source, table, files, read, accepted, quarantined in rows
    ]


def _accounts(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> dict:
    input_rows = _revenue_input(con)
    account = _grain_account(ctx, "i")
    in_input = con.execute(
        f"SELECT count(DISTINCT {account}) FROM {input_rows} AS i "
        "LEFT JOIN accounts AS a ON a.account_id = i.account_id"
    ).fetchone()[0]
    with_revenue = con.execute("SELECT count(DISTINCT account_id) FROM revenue").fetchone()[0]
    return {
        "in_input": in_input,
        "with_revenue": with_revenue,
        "without_revenue": in_input - with_revenue,
    }


def _mrr_by_currency(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> list[dict]:
    account_sums = _input_account_sums(con, ctx)
    rows = con.execute(
        f"""
        WITH input AS (
            SELECT currency, SUM(mrr) AS input_mrr,
                SUM(CASE WHEN mrr < 0 THEN -mrr ELSE 0 END) AS floored_mrr
            FROM ({account_sums}) GROUP BY currency
        ),
        normalized AS (
            SELECT currency, SUM(mrr_native) AS normalized_mrr
            FROM revenue WHERE month = ? GROUP BY currency
        ),
        both_sides AS (
            SELECT COALESCE(i.currency, n.currency) AS currency,
                COALESCE(i.input_mrr, 0) AS input_mrr,
                COALESCE(i.floored_mrr, 0) AS floored_mrr,
                COALESCE(n.normalized_mrr, 0) AS normalized_mrr
            FROM input AS i FULL JOIN normalized AS n ON n.currency = i.currency
        )
        SELECT b.currency, f.rate, b.input_mrr, b.floored_mrr, b.normalized_mrr
        FROM both_sides AS b
        LEFT JOIN fx_rates AS f ON f.currency = b.currency AND f.month = ?
        ORDER BY b.currency
        """,
        [ctx.as_of, ctx.as_of],
    ).fetchall()
    return [_currency_row(*row) for row in rows]


def _currency_row(
    currency: str, rate: Decimal | None, input_mrr, floored_mrr, normalized_mrr
) -> dict:
    difference = normalized_mrr - (input_mrr + floored_mrr)
    return {
        "currency": currency,
        "rate": rate,
        "input_mrr_native": input_mrr,
        "floored_mrr_native": floored_mrr,
        "normalized_mrr_native": normalized_mrr,
        "difference_native": difference,
        "input_mrr": _convert(input_mrr, rate),
        "floored_mrr": _convert(floored_mrr, rate),
        "normalized_mrr": _convert(normalized_mrr, rate),
        # Converted from the native difference so that rounding cannot make it nonzero.
        "difference": _convert(difference, rate),
    }


def _input_account_sums(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> str:
    """SELECT of the as-of month's input MRR per account (at the grain) and currency."""
    account = _grain_account(ctx, "i")
    join = "LEFT JOIN accounts AS a ON a.account_id = i.account_id"
    if _revenue_input(con) == "mrr_input":
        return (
            f"SELECT {account} AS account_id, '{ctx.reporting_currency}' AS currency, "
            f"SUM(i.mrr) AS mrr FROM mrr_input AS i {join} "
            f"WHERE i.month = DATE '{ctx.as_of.isoformat()}' GROUP BY ALL"
        )

    day = _snapshot_day(ctx.as_of, ctx.options.snapshot).isoformat()
    conditions = [
        f"i.start_date <= DATE '{day}'",
        f"(i.end_date IS NULL OR DATE '{day}' < i.end_date)",
        "i.amount <> 0",
    ]
    statuses = [status.lower().replace("'", "''") for status in ctx.options.no_revenue_statuses]
    if statuses:
        listed = ", ".join(f"'{status}'" for status in statuses)
        conditions.append(f"COALESCE(lower(i.status), '') NOT IN ({listed})")
    return (
        f"SELECT {account} AS account_id, i.currency AS currency, "
        f"SUM({monthly_amount('i.amount', 'i.period_months')}) AS mrr "
        f"FROM subscriptions AS i {join} WHERE {' AND '.join(conditions)} GROUP BY ALL"
    )


def _snapshot_day(as_of: date, snapshot: str) -> date:
    """Return the day a subscription must be in service on to count in ``as_of``'s month.

    >>> _snapshot_day(date(2024, 2, 1), "month_end")
    datetime.date(2024, 2, 29)
    >>> _snapshot_day(date(2024, 2, 1), "month_start")
    datetime.date(2024, 2, 1)
    """
    if snapshot == "month_start":
        return as_of
    return as_of.replace(day=calendar.monthrange(as_of.year, as_of.month)[1])


def _grain_account(ctx: EngineContext, alias: str) -> str:
    if ctx.options.grain == "parent_account":
        return f"COALESCE(a.parent_account_id, {alias}.account_id)"
    return f"{alias}.account_id"


def _revenue_input(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute(
        "SELECT table_name FROM ingest_summary WHERE source IN ('subscriptions', 'mrr')"
    ).fetchone()[0]


def _convert(amount: Decimal, rate: Decimal | None) -> Decimal | None:
    if rate is None:
        return None
    return (amount * rate).quantize(Decimal("0.000001"))


def _mrr_totals(by_currency: list[dict]) -> dict:
    totals = {}
    for name in ("input_mrr", "floored_mrr", "normalized_mrr", "difference"):
        values = [row[name] for row in by_currency]
        total = None if None in values else sum(values, Decimal(0))
        totals[name] = None if total is None else float(total)
    return totals


def _floats(row: dict) -> dict:
    return {
        key: float(value) if isinstance(value, Decimal) else value for key, value in row.items()
    }
