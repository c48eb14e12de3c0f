"""Slices: cutting the analytic tables by dimension, with ``(all)`` rows for every subset.

A ``column`` dimension reads an accounts column. Each distinct combination of those
values gets a row in ``analytics_slices``, so that the large tables carry a small integer
``slice_id`` instead of strings. An ``arr_bands`` dimension is the
band of 12 × MRR at a base month that each stage chooses, so it is computed in the
stage's own query.

Stages aggregate in two steps: first into cells per key (month, lookback, ...), slice_id
and ARR band, which shrinks millions of account-months to a few thousand rows; then the
cells are joined to ``analytics_slices`` and summed over ``GROUPING SETS`` of every subset
of the dimensions. A row that sums over a dimension carries the literal ``(all)`` in its
column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from nrrgov.errors import Location, UserError
from nrrgov.spec.taxonomy import DimensionSpec

ALL = "(all)"
SLICES_TABLE = "analytics_slices"


def quote(name: str) -> str:
    """Return ``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def string_literal(value: str) -> str:
    """Return ``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def number_literal(value: float) -> str:
    """Return ``value`` as a SQL numeric literal without exponent notation.

    >>> number_literal(1e-05)
    '0.00001'
    """
    return format(Decimal(repr(value)), "f")


def attribute(dimension: DimensionSpec, accounts_alias: str) -> str:
    """Return SQL for an account's value of a ``column`` dimension, missing ones replaced."""
    column = f"{accounts_alias}.{quote(dimension.source_column)}"
    missing = string_literal(dimension.missing_value)
    return f"COALESCE(NULLIF(CAST({column} AS VARCHAR), ''), {missing})"


def arr_band(dimension: DimensionSpec, mrr: str) -> str:
    """Return SQL for the band of ARR (12 × ``mrr``) that an ``arr_bands`` dimension names.

    >>> from nrrgov.spec.taxonomy import ArrBandSpec
    >>> bands = (ArrBandSpec(name="small", min_arr=0), ArrBandSpec(name="big", min_arr=1000))
    >>> arr_band(DimensionSpec(name="band", kind="arr_bands", bands=bands), "f.mrr")
    "CASE WHEN 12 * f.mrr >= 1000.0 THEN 'big' ELSE 'small' END"
    """
    whens = [
        f"WHEN 12 * {mrr} >= {number_literal(band.min_arr)} THEN {string_literal(band.name)}"
        for band in reversed(dimension.bands[1:])
    ]
    first = string_literal(dimension.bands[0].name)
    return f"CASE {' '.join(whens)} ELSE {first} END"


def dimensions_by_name(
    taxonomy: Iterable[DimensionSpec],
    names: Iterable[str],
    *,
    code: str,
    subject: str,
    where: Location,
) -> tuple[DimensionSpec, ...]:
    """Look up taxonomy dimensions by name, in the order given.

    Args:
        taxonomy: the dimensions the taxonomy defines.
        names: the names to look up.
        code: the error code of an unknown name.
        subject: the start of the error message, such as ``metric 'nrr' names``.
        where: the location the error points at.

    Raises:
        UserError: a name is not a dimension of the taxonomy.
    """
    known = {dimension.name: dimension for dimension in taxonomy}
    found = []
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UserError(
                code,
                f"{subject} unknown dimension {name!r}",
                where=where,
                hint=f"{hint}taxonomy dimensions: {', '.join(known) or '(none defined)'}",
            )
        found.append(known[name])
    return tuple(found)


@dataclass(frozen=True)
class Slicing:
    """The dimensions one aggregation is cut by, and how to write its SQL.

    The cells query has alias ``f`` for the account-month table; the outer query joins
    the cells (alias ``c``) to ``analytics_slices`` (alias ``s``).

    Attributes:
        dimensions: the dimensions, in output column order.
    """

    dimensions: tuple[DimensionSpec, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dimension.name for dimension in self.dimensions)

    def cell_columns(self, band_mrr: str) -> list[str]:
        """Return the cells query's columns besides its keys: slice_id and each ARR band."""
        columns = ["f.slice_id"]
        for dimension in self.dimensions:
            if dimension.kind == "arr_bands":
                columns.append(f"{arr_band(dimension, band_mrr)} AS {quote(dimension.name)}")
        return columns

    def cell_group_by(self, band_mrr: str) -> list[str]:
        """Return the cells query's GROUP BY terms besides its keys."""
        terms = ["f.slice_id"]
        for dimension in self.dimensions:
            if dimension.kind == "arr_bands":
                terms.append(arr_band(dimension, band_mrr))
        return terms

    def reference(self, dimension: DimensionSpec) -> str:
        """Return the outer query's reference to a dimension's value."""
        table = "c" if dimension.kind == "arr_bands" else "s"
        return f"{table}.{quote(dimension.name)}"

    def labelled_columns(self) -> list[str]:
        """Return the outer SELECT columns: each dimension's value, or ``(all)`` if summed over."""
        columns = []
        for dimension in self.dimensions:
            reference = self.reference(dimension)
            columns.append(
                f"CASE WHEN GROUPING({reference}) = 1 THEN {string_literal(ALL)} "
                f"ELSE {reference} END AS {quote(dimension.name)}"
            )
        return columns

    def grouping(self, keys: Sequence[str]) -> str:
        """Return the outer GROUP BY: ``keys`` with every subset of the dimensions."""
        if not self.dimensions:
            return f"GROUP BY {', '.join(keys)}"
        references = [self.reference(dimension) for dimension in self.dimensions]
        sets = []
        for size in range(len(references), -1, -1):
            for subset in combinations(references, size):
                sets.append(f"({', '.join([*keys, *subset])})")
        return f"GROUP BY GROUPING SETS ({', '.join(sets)})"

    def join_slices(self) -> str:
        """Return the outer query's join of the cells to ``analytics_slices``."""
        return f"JOIN {SLICES_TABLE} AS s ON s.slice_id = c.slice_id"


def filter_condition(
    filters: Mapping[str, Sequence[str]],
    dimensions: Mapping[str, DimensionSpec],
    band_mrr: str,
) -> str:
    """Return a WHERE condition on the account-month alias ``f`` that keeps filtered values.

    Args:
        filters: dimension name -> values kept.
        dimensions: every dimension a filter may name, by name.
        band_mrr: SQL of the MRR that ARR bands are computed from in this stage.
    """
    conditions = []
    for name, values in filters.items():
        dimension = dimensions[name]
        listed = ", ".join(string_literal(value) for value in values)
        if dimension.kind == "arr_bands":
            conditions.append(f"{arr_band(dimension, band_mrr)} IN ({listed})")
        else:
            conditions.append(
                f"f.slice_id IN (SELECT slice_id FROM {SLICES_TABLE} "
                f"WHERE {quote(name)} IN ({listed}))"
            )
    return " AND ".join(conditions) or "TRUE"
