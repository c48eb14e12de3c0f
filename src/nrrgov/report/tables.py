"""Read the output tables of a run for the report: one DuckDB view per Parquet file.

Everything the report shows is aggregated here in SQL, by slice and month; only the
accounts listed as top movers are read one by one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from nrrgov.spec.metrics import MOVEMENT_MEASURES, RETENTION_MEASURES

logger = logging.getLogger(__name__)

# The slice value of a row that aggregates over a dimension.
ALL = "(all)"


# The columns of each sliced output table other than its slice columns.
CONTRACT_COLUMNS = {
    "movements": ("month", *MOVEMENT_MEASURES),
    "retention": ("as_of", "lookback_months", *RETENTION_MEASURES, "nrr", "grr", "logo_retention"),
    "metrics": ("metric", "as_of", "value", "target", "status"),
    "cohorts": (
        "cohort",
        "age_months",
        "initial_mrr",
        "initial_logos",
        "mrr",
        "retained_mrr",
        "logos",
        "net_mrr_retention",
        "gross_mrr_retention",
        "logo_retention",
    ),
}


@dataclass(frozen=True)
class Dimension:
    """A filter of the report: a dimension and the values found in the tables."""

    name: str
    label: str
    values: tuple[str, ...]


class ReportTables:
    """The Parquet tables in ``tables_dir`` as DuckDB views named after their files.

    Args:
        tables_dir: the ``tables`` folder of a run.
        dimensions: the project's dimension names, in the order the filters show them.
    """

    def __init__(self, tables_dir: Path, dimensions: Sequence[str]) -> None:
        self.tables_dir = tables_dir
        self.dimensions = tuple(dimensions)
        # No progress bar: a library writes nothing to the terminal.
        self.con = duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")
        self._columns: dict[str, tuple[str, ...]] = {}
        for path in sorted(tables_dir.glob("*.parquet")):
            if path.stem.isidentifier():
                self._add_view(path.stem, path)

    def __enter__(self) -> ReportTables:
        return self

    def __exit__(self, *_exc) -> None:
        self.con.close()

    def _add_view(self, name: str, path: Path) -> None:
        literal = str(path).replace("'", "''")
        source = f"read_parquet('{literal}')"
        described = self.con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        columns = tuple(row[0] for row in described)

        # A run sliced by a dimension the project no longer lists (``nrrgov report``
        # after an edit of nrrgov.yml) keeps only the rows that sum over it.
        dropped = [
            column
            for column, column_type, *_rest in described
            if name in CONTRACT_COLUMNS
            and column not in CONTRACT_COLUMNS[name]
            and column not in self.dimensions
            and column_type == "VARCHAR"
        ]
        where = " AND ".join(f"\"{column}\" = '{ALL}'" for column in dropped) or "TRUE"
        self.con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM {source} WHERE {where}')
        self._columns[name] = columns

    def has(self, table: str) -> bool:
        """Return whether the run wrote ``table``."""
        return table in self._columns

    def columns(self, table: str) -> tuple[str, ...]:
        """Return the column names of ``table``, or none when it was not written."""
        return self._columns.get(table, ())

    def slice_columns(self, table: str) -> tuple[str, ...]:
        """Return the project's dimensions that ``table`` is sliced by, in project order."""
        present = set(self.columns(table))
        return tuple(name for name in self.dimensions if name in present)

    def query(self, sql: str, parameters: Sequence | None = None) -> list[dict]:
        """Run ``sql`` and return its rows as dicts of plain Python values."""
        cursor = self.con.execute(sql, list(parameters or []))
        names = [description[0] for description in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def scalar(self, sql: str, parameters: Sequence | None = None):
        """Run ``sql`` and return the first column of its first row, or None."""
        row = self.con.execute(sql, list(parameters or [])).fetchone()
        return None if row is None else row[0]

    def slice_key(self, table: str, row: dict) -> tuple[str, ...]:
        """Return the slice of ``row`` over every project dimension, ALL where absent."""
        sliced = set(self.slice_columns(table))
        return tuple(str(row[name]) if name in sliced else ALL for name in self.dimensions)

    def slice_select(self, table: str) -> str:
        """Return the slice columns of ``table`` for a SELECT list, or a NULL constant."""
        columns = self.slice_columns(table)
        return ", ".join(f'"{name}"' for name in columns) if columns else "NULL AS _no_slice"


def filter_dimensions(
    tables: ReportTables, declared: dict[str, tuple[str, tuple[str, ...]]]
) -> list[Dimension]:
    """Build the report's filters: each dimension with the values its tables contain.

    Args:
        tables: the run's tables.
        declared: dimension name -> (label, declared values) from the taxonomy. Values
            found in the data but not declared follow the declared ones, sorted.

    Returns:
        One :class:`Dimension` per project dimension, in project order.
    """
    dimensions = []
    for name in tables.dimensions:
        label, order = declared.get(name, ("", ()))
        found = _values_in_tables(tables, name)
        ranked = [value for value in order if value in found]
        ranked += sorted(found - set(ranked))
        dimensions.append(Dimension(name, label or name.replace("_", " ").title(), tuple(ranked)))
    return dimensions


def _values_in_tables(tables: ReportTables, name: str) -> set[str]:
    found: set[str] = set()
    for table in ("movements", "retention", "metrics", "cohorts"):
        if name not in tables.slice_columns(table):
            continue
        rows = tables.con.execute(
            f'SELECT DISTINCT "{name}" FROM "{table}" WHERE "{name}" IS NOT NULL AND "{name}" <> ?',
            [ALL],
        ).fetchall()
        found.update(str(row[0]) for row in rows)
    return found


def month_text(value: date | str | None) -> str | None:
    """Format a month as ``YYYY-MM``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value[:7]
    return value.strftime("%Y-%m")


def money(value) -> float | None:
    """Round a money amount in the reporting currency to the cent for the page."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 2)


def ratio(value, digits: int = 6) -> float | None:
    """Round a ratio to ``digits`` decimals for the page.

    Six decimals, the default, keep a hundredth of a basis point for headline figures.
    Series drawn as charts use four, a hundredth of a percent, so that pages stay small.
    """
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def count(value) -> int | None:
    """Convert a count of accounts or rows to an int."""
    if value is None:
        return None
    return int(value)


def number(value) -> float | int | None:
    """Convert a measure of unknown kind for the page: exact integers stay ints."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return round(float(value), 6)


def months_between(first: str, last: str) -> list[str]:
    """List every month from ``first`` to ``last`` (``YYYY-MM``), both included.

    >>> months_between("2025-11", "2026-02")
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def shift_month(month: str, offset: int) -> str:
    """Return the month ``offset`` months after ``month`` (before, when negative).

    >>> shift_month("2026-01", -2)
    '2025-11'
    """
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_date(month: str) -> date:
    """Return the first day of a ``YYYY-MM`` month."""
    return date(int(month[:4]), int(month[5:7]), 1)


def aligned(values_by_month: dict[str, object], months: Iterable[str]) -> list:
    """Return the values for ``months`` in order, None where a month has no row."""
    return [values_by_month.get(month) for month in months]
