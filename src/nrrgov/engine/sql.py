"""One place where the portable SQL of the pipeline is collected, run and transpiled.

Stages add named ``SELECT`` statements in DuckDB's dialect; :meth:`Pipeline.run` creates a
table per statement, and :meth:`Pipeline.compile` emits the same statements for another
sqlglot dialect (Spark, Snowflake, BigQuery, ...). Only functions that those dialects
share are used, and no Python UDFs, so that the pipeline can move to a warehouse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import duckdb
import sqlglot
from sqlglot import exp

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Statement:
    """A table the pipeline creates: its name and the SELECT that fills it."""

    table: str
    select: str
    description: str = ""


@dataclass
class Pipeline:
    """An ordered list of table-creating statements."""

    statements: list[Statement] = field(default_factory=list)

    def add(self, table: str, select: str, description: str = "") -> None:
        """Append a statement that creates (or replaces) ``table`` from ``select``."""
        self.statements.append(Statement(table, select.strip(), description))

    def run(
        self,
        con: duckdb.DuckDBPyConnection,
        on_step: Callable[[Statement], None] | None = None,
        release: Collection[str] = (),
    ) -> None:
        """Execute every statement in order on ``con``.

        Each table named in ``release`` is dropped right after the last statement that
        reads it (or before the first statement, when none does), so that the memory it
        held serves the statements still to run.
        """
        last_reader = self._last_readers(release)
        self._drop(con, [table for table in release if table not in last_reader])
        for index, statement in enumerate(self.statements):
            logger.debug("creating table %s", statement.table)
            con.execute(f"CREATE OR REPLACE TABLE {statement.table} AS {statement.select}")
            if on_step is not None:
                on_step(statement)
            self._drop(con, [table for table, last in last_reader.items() if last == index])

    def _last_readers(self, tables: Collection[str]) -> dict[str, int]:
        """Return, for each of ``tables`` that a statement reads, the last such statement."""
        last = {}
        for index, statement in enumerate(self.statements):
            parsed = sqlglot.parse_one(statement.select, read="duckdb")
            read = {table.name for table in parsed.find_all(exp.Table)}
            last.update({table: index for table in tables if table in read})
        return last

    @staticmethod
    def _drop(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
        for table in tables:
            logger.debug("dropping table %s", table)
            con.execute(f"DROP TABLE IF EXISTS {table}")

    def compile(self, dialect: str) -> str:
        """Return the pipeline as SQL text in ``dialect``, one CREATE TABLE per statement."""
        parts = []
        for statement in self.statements:
            create = f"CREATE TABLE {statement.table} AS {statement.select}"
            sql = sqlglot.transpile(create, read="duckdb", write=dialect, pretty=True)[0]
            header = f"-- {statement.description}\n" if statement.description else ""
            parts.append(f"{header}{sql};")
        return "\n\n".join(parts) + "\n"
