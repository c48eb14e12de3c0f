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
    """A table the pipeline creates: its name and the SELECT that fills it.

    A view stores no rows. Its SELECT runs each time the view is read.
    """

    table: str
    select: str
    description: str = ""
    view: bool = False

    @property
    def kind(self) -> str:
        """The SQL keyword of what the statement creates: TABLE or VIEW."""
        return "VIEW" if self.view else "TABLE"


@dataclass
class Pipeline:
    """An ordered list of table-creating statements."""

    statements: list[Statement] = field(default_factory=list)

    def add(self, table: str, select: str, description: str = "", view: bool = False) -> None:
        """Append a statement that creates (or replaces) ``table`` from ``select``."""
        self.statements.append(Statement(table, select.strip(), description, view))

    def run(
        self,
        con: duckdb.DuckDBPyConnection,
        on_step: Callable[[Statement], None] | None = None,
        release: Collection[str] = (),
    ) -> None:
        """Execute every statement in order on ``con``.

        Each table named in ``release`` is dropped right after the last statement that
        reads it (or before the first statement, when none does), so that the memory it
        held serves the statements still to run. A table that a view reads is kept, since
        the view reads it again whenever it is read.
        """
        last_reader = self._last_readers(release)
        self._drop(con, [table for table in release if table not in last_reader])
        for index, statement in enumerate(self.statements):
            logger.debug("creating %s %s", statement.kind.lower(), statement.table)
            con.execute(
                f"CREATE OR REPLACE {statement.kind} {statement.table} AS {statement.select}"
            )
            if on_step is not None:
                on_step(statement)
            self._drop(con, [table for table, last in last_reader.items() if last == index])

    def _last_readers(self, tables: Collection[str]) -> dict[str, int | None]:
        """Return, for each of ``tables`` that a statement reads, the last such statement.

        A table that a view reads maps to None: no statement's end releases it.
        """
        last: dict[str, int | None] = {}
        for index, statement in enumerate(self.statements):
            parsed = sqlglot.parse_one(statement.select, read="duckdb")
            read = {table.name for table in parsed.find_all(exp.Table)}
            for table in tables:
                if table in read and last.get(table, 0) is not None:
                    last[table] = None if statement.view else index
        return last

    @staticmethod
    def _drop(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
        for table in tables:
            logger.debug("dropping table %s", table)
            con.execute(f"DROP TABLE IF EXISTS {table}")

    def compile(self, dialect: str) -> str:
        """Return the pipeline as SQL text in ``dialect``, one CREATE per statement."""
        parts = []
        for statement in self.statements:
            create = f"CREATE {statement.kind} {statement.table} AS {statement.select}"
            sql = sqlglot.transpile(create, read="duckdb", write=dialect, pretty=True)[0]
            header = f"-- {statement.description}\n" if statement.description else ""
            parts.append(f"{header}{sql};")
        return "\n\n".join(parts) + "\n"
