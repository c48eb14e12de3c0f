"""One place where the portable SQL of the pipeline is collected, run and transpiled.

Stages add named ``SELECT`` statements in DuckDB's dialect; :meth:`Pipeline.run` creates a
table per statement, and :meth:`Pipeline.compile` emits the same statements for another
sqlglot dialect (Spark, Snowflake, BigQuery, ...). Only functions that those dialects
share are used, and no Python UDFs, so that the pipeline can move to a warehouse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import sqlglot

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
    ) -> None:
        """Execute every statement in order on ``con``."""
        for statement in self.statements:
            logger.debug("creating table %s", statement.table)
            con.execute(f"CREATE OR REPLACE TABLE {statement.table} AS {statement.select}")
            if on_step is not None:
                on_step(statement)

    def compile(self, dialect: str) -> str:
        """Return the pipeline as SQL text in ``dialect``, one CREATE TABLE per statement."""
        parts = []
        for statement in self.statements:
            create = f"CREATE TABLE {statement.table} AS {statement.select}"
            sql = sqlglot.transpile(create, read="duckdb", write=dialect, pretty=True)[0]
            header = f"-- {statement.description}\n" if statement.description else ""
            parts.append(f"{header}{sql};")
        return "\n\n".join(parts) + "\n"
