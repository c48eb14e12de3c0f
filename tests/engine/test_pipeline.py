"""Pipeline execution: statements run in order and released tables go once read."""

from __future__ import annotations

import duckdb

from nrrgov.engine.sql import Pipeline


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def test_released_table_is_dropped_after_its_last_reader():
    con = duckdb.connect()
    pipeline = Pipeline()
    pipeline.add("a", "SELECT 1 AS x", "first")
    pipeline.add("b", "SELECT x + 1 AS x FROM a", "reads a")
    pipeline.add("c", "SELECT x + 1 AS x FROM b", "reads b only")
    seen = []

    pipeline.run(con, on_step=lambda s: seen.append((s.table, _tables(con))), release=["a"])

    # a is still there while b is created, and gone once b, its last reader, has run.
    assert seen[1] == ("b", {"a", "b"})
    assert seen[2] == ("c", {"b", "c"})
    assert con.execute("SELECT x FROM c").fetchone() == (3,)


def test_released_table_nobody_reads_is_dropped_first():
    con = duckdb.connect()
    con.execute("CREATE TABLE stale AS SELECT 1 AS x")
    pipeline = Pipeline()
    pipeline.add("a", "SELECT 2 AS x", "reads nothing")

    pipeline.run(con, release=["stale"])

    assert _tables(con) == {"a"}


def test_table_a_view_reads_is_kept():
    con = duckdb.connect()
    pipeline = Pipeline()
    pipeline.add("a", "SELECT 1 AS x", "first")
    pipeline.add("v", "SELECT x FROM a", "reads a whenever read", view=True)
    pipeline.add("b", "SELECT x + 1 AS x FROM a", "last statement to read a")

    pipeline.run(con, release=["a"])

    assert "a" in _tables(con)
    assert con.execute("SELECT x FROM v").fetchone() == (1,)


def test_compile_creates_views_as_views():
    pipeline = Pipeline()
    pipeline.add("a", "SELECT 1 AS x")
    pipeline.add("v", "SELECT x FROM a", view=True)

    compiled = pipeline.compile("spark")

    assert "CREATE TABLE a AS" in compiled
    assert "CREATE VIEW v AS" in compiled
