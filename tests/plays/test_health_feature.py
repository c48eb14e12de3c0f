"""Play entry criteria see the health band that the health stage wrote."""

from __future__ import annotations

from datetime import date

import duckdb

from nrrgov.plays.features import create_features


def _tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE accounts AS SELECT * FROM (VALUES ('A1'), ('A2')) AS t(account_id)")
    con.execute(
        "CREATE TABLE account_mrr AS SELECT * FROM (VALUES "
        "('A1', DATE '2026-11-01', 100.0), ('A2', DATE '2026-11-01', 50.0)"
        ") AS t(account_id, month, mrr)"
    )


def test_features_read_health_band():
    con = duckdb.connect()
    _tables(con)
    # The health stage's table: one band per account and month; only November is asked.
    con.execute(
        "CREATE TABLE health_scores AS SELECT * FROM (VALUES "
        "('A1', DATE '2026-11-01', 0.2, 'red'), ('A1', DATE '2026-10-01', 0.9, 'green'), "
        "('A2', DATE '2026-11-01', 0.8, 'green')) AS t(account_id, month, score, band)"
    )

    create_features(con, date(2026, 11, 1), ())

    bands = dict(con.execute("SELECT account_id, health_band FROM plays_features").fetchall())
    assert bands == {"A1": "red", "A2": "green"}


def test_features_without_health_scores():
    con = duckdb.connect()
    _tables(con)

    create_features(con, date(2026, 11, 1), ())

    bands = dict(con.execute("SELECT account_id, health_band FROM plays_features").fetchall())
    assert bands == {"A1": None, "A2": None}
