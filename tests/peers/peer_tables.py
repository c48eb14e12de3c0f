"""Read the tables of a peer project's compute run, for the hand-worked checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb


def open_tables(tables: Path, names: tuple[str, ...]) -> duckdb.DuckDBPyConnection:
    """Return a connection with a view over ``tables/<name>.parquet`` for each name."""
    connection = duckdb.connect()
    for name in names:
        path = tables / f"{name}.parquet"
        connection.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    return connection


def month_start(text: str) -> date:
    """Return the first day of a ``YYYY-MM`` month."""
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def account_month(con, account: str, month: str) -> tuple[Decimal, str | None, Decimal | None]:
    """Return an account's (mrr, movement, movement_mrr) in a month; no row reads as zero."""
    row = con.execute(
        "SELECT mrr, movement, movement_mrr FROM account_mrr WHERE account_id = ? AND month = ?",
        [account, month_start(month)],
    ).fetchone()
    if row is None:
        return Decimal(0), None, None
    return row
