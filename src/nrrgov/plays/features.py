"""Account features that entry criteria read, computed for one month.

An entry criterion may name an ``accounts`` column, a taxonomy dimension or one of the
computed features in :data:`COMPUTED_FEATURES`. Money is in the reporting currency.
:func:`create_features` writes one row per account for a month into a DuckDB table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb

from nrrgov.engine.slices import arr_band, attribute, quote
from nrrgov.spec.sources import CANONICAL_TABLES
from nrrgov.spec.taxonomy import DimensionSpec

FEATURES_TABLE = "plays_features"
# Months of the ``mrr_change_<k>m`` features.
CHANGE_MONTHS = (1, 3, 6, 12)

COMPUTED_FEATURES: dict[str, str] = {
    "mrr": "MRR in the month (0 when the account has none)",
    "arr": "12 × mrr",
    **{
        f"mrr_change_{k}m": f"mrr minus the MRR {k} month{'s' if k > 1 else ''} earlier "
        "(0 when there was none); negative when the account contracted or is churning"
        for k in CHANGE_MONTHS
    },
    "months_to_renewal": "whole months from the month to the next term end of the "
    "account's subscriptions in service (the end date when one is set); NULL from an "
    "mrr input",
    "tenure_months": "months since the first month with MRR; NULL before any",
    "health_band": "the account's health band in the month, such as 'red'; NULL until "
    "health scores are computed",
}


def feature_names(dimensions: Iterable[DimensionSpec]) -> list[str]:
    """Return every name an entry criterion may use: account columns, dimensions, features."""
    names = [*CANONICAL_TABLES["accounts"], *(d.name for d in dimensions), *COMPUTED_FEATURES]
    return list(dict.fromkeys(names))


def create_features(
    con: duckdb.DuckDBPyConnection,
    month: date,
    dimensions: Iterable[DimensionSpec],
    table: str = FEATURES_TABLE,
) -> None:
    """Create ``table`` with one row per account and every feature for ``month``.

    Reads ``accounts`` and ``account_mrr`` (from the analytics stage), and
    ``subscriptions`` and ``health_scores`` when they exist.
    """
    existing = _tables(con)
    account_columns = _columns(con, "accounts")
    extra = _dimension_columns(tuple(dimensions), account_columns)
    renewal = _renewal_sql(month) if "subscriptions" in existing else _no_renewal()
    health = _health_sql(month) if "health_scores" in existing else _no_health()
    # An accounts column named like a computed feature would clash with it, so the
    # feature wins.
    kept = ", ".join(
        f"a.{quote(c)}"
        for c in account_columns
        if not c.startswith("_") and c not in COMPUTED_FEATURES
    )
    sql = f"""
        CREATE OR REPLACE TABLE {table} AS
        SELECT {kept}, f.mrr, f.arr, {_change_columns()}, r.months_to_renewal,
               f.tenure_months, h.health_band{extra}
        FROM accounts AS a
        LEFT JOIN ({_mrr_sql(month)}) AS f ON f.account_id = a.account_id
        LEFT JOIN ({renewal}) AS r ON r.account_id = a.account_id
        LEFT JOIN ({health}) AS h ON h.account_id = a.account_id
    """
    con.execute(sql)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    return {row[0] for row in rows}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [row[0] for row in rows]


def _date(value: date) -> str:
    return f"DATE '{value.isoformat()}'"


def _mrr_sql(month: date) -> str:
    """MRR now and k months before, and tenure, from ``account_mrr`` up to ``month``."""
    at = _date(month)
    before = ", ".join(
        f"COALESCE(sum(CASE WHEN month = {at} - INTERVAL {k} MONTH THEN mrr END), 0) "
        f"AS mrr_{k}m_ago"
        for k in CHANGE_MONTHS
    )
    return f"""
        SELECT account_id,
               CAST(mrr_now AS DOUBLE) AS mrr, CAST(12 * mrr_now AS DOUBLE) AS arr,
               {", ".join(f"mrr_{k}m_ago" for k in CHANGE_MONTHS)},
               date_diff('month', first_month, {at}) AS tenure_months
        FROM (
            SELECT account_id,
                   COALESCE(sum(CASE WHEN month = {at} THEN mrr END), 0) AS mrr_now,
                   {before},
                   min(CASE WHEN mrr > 0 THEN month END) AS first_month
            FROM account_mrr WHERE month <= {at}
            GROUP BY account_id
        )
    """


def _change_columns() -> str:
    return ", ".join(
        f"CAST(COALESCE(f.mrr, 0) - COALESCE(f.mrr_{k}m_ago, 0) AS DOUBLE) AS mrr_change_{k}m"
        for k in CHANGE_MONTHS
    )


def _renewal_sql(month: date) -> str:
    """Return SQL of the next term end of each account's paying subscriptions.

    A term ends every ``period_months`` after the start date; a set end date comes first.
    NOTE: only ``trial`` counts as carrying no revenue here, not the project's
    ``no_revenue_statuses``.
    """
    month_end = f"(({_date(month)} + INTERVAL 1 MONTH) - INTERVAL 1 DAY)"
    term_end = (
        "s.start_date + to_months(CAST((date_diff('month', s.start_date, "
        f"{month_end}) // s.period_months + 1) * s.period_months AS INTEGER))"
    )
    return f"""
        SELECT s.account_id,
               min(date_diff('month', {_date(month)},
                   CASE WHEN s.end_date IS NULL THEN {term_end}
                        ELSE least(s.end_date, {term_end}) END)) AS months_to_renewal
        FROM subscriptions AS s
        WHERE s.amount > 0 AND s.period_months > 0
          AND (s.status IS NULL OR lower(s.status) <> 'trial')
          AND s.start_date <= {month_end}
          AND (s.end_date IS NULL OR s.end_date > {month_end})
        GROUP BY s.account_id
    """


def _no_renewal() -> str:
    return "SELECT NULL::VARCHAR AS account_id, NULL::BIGINT AS months_to_renewal WHERE false"


def _health_sql(month: date) -> str:
    # health_scores comes from the health stage, which runs before the plays stage.
    return (
        "SELECT account_id, CAST(band AS VARCHAR) AS health_band "
        f"FROM health_scores WHERE month = {_date(month)}"
    )


def _no_health() -> str:
    return "SELECT NULL::VARCHAR AS account_id, NULL::VARCHAR AS health_band WHERE false"


def _dimension_columns(dimensions: tuple[DimensionSpec, ...], account_columns: list[str]) -> str:
    """Add each dimension not already an accounts column: renamed columns and ARR bands."""
    parts = []
    for dimension in dimensions:
        if dimension.name in account_columns:
            continue
        if dimension.kind == "arr_bands":
            parts.append(f"{arr_band(dimension, 'COALESCE(f.mrr, 0)')} AS {quote(dimension.name)}")
        elif dimension.source_column in account_columns:
            parts.append(f"{attribute(dimension, 'a')} AS {quote(dimension.name)}")
        else:
            parts.append(f"CAST(NULL AS VARCHAR) AS {quote(dimension.name)}")
    return "".join(f", {part}" for part in parts)
