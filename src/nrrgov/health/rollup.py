"""SQL helpers shared by the health and KPI stages: slice columns and their rollup.

Account-level rows carry each dimension's value as a string column named after the
dimension; :func:`rollup` sums them over every subset of the dimensions, writing the
literal ``(all)`` where a row sums over one, as the movements and retention tables do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import combinations

from nrrgov.engine.slices import ALL, arr_band, attribute, quote, string_literal
from nrrgov.spec.taxonomy import DimensionSpec


def slice_columns(dimensions: Sequence[DimensionSpec], accounts: str, mrr: str) -> list[str]:
    """Return ``<value> AS <dimension>`` for each dimension of an account.

    Args:
        accounts: alias of the ``accounts`` table in the query.
        mrr: SQL of the MRR that ARR bands are computed from.
    """
    columns = []
    for dimension in dimensions:
        value = arr_band(dimension, mrr) if dimension.kind == "arr_bands" else None
        value = value or attribute(dimension, accounts)
        columns.append(f"{value} AS {quote(dimension.name)}")
    return columns


def rollup(source: str, keys: Sequence[str], dimensions: Sequence[str], measures: str) -> str:
    """Return a SELECT of ``measures`` per ``keys`` and every subset of ``dimensions``.

    Args:
        source: a SELECT whose columns include ``keys`` and each dimension by name.
        keys: columns every row is grouped by.
        dimensions: the dimension columns, in output order.
        measures: the aggregate select list, such as ``sum(c.mrr) AS mrr``.
    """
    references = [f"c.{quote(name)}" for name in dimensions]
    labelled = [
        f"CASE WHEN GROUPING({reference}) = 1 THEN {string_literal(ALL)} "
        f"ELSE {reference} END AS {quote(name)}"
        for reference, name in zip(references, dimensions, strict=True)
    ]
    key_columns = [f"c.{quote(key)}" for key in keys]
    sets = [
        f"({', '.join([*key_columns, *subset])})"
        for size in range(len(references), -1, -1)
        for subset in combinations(references, size)
    ]
    select = ", ".join([*key_columns, *labelled, measures])
    return f"SELECT {select} FROM ({source}) AS c GROUP BY GROUPING SETS ({', '.join(sets)})"


def date_literal(value: date) -> str:
    """Return ``value`` as a SQL DATE literal."""
    return f"DATE '{value.isoformat()}'"


def all_columns(names: Sequence[str]) -> list[str]:
    """Return ``'(all)' AS <name>`` for each name."""
    return [f"{string_literal(ALL)} AS {quote(name)}" for name in names]
