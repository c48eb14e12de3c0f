"""Retention over a lookback of k months, from snapshots of the base accounts at M-k and M.

For as-of month M the base is every account with MRR > 0 at M-k. With ``start`` its MRR
at M-k and ``end`` its MRR at M, both valued per the fx mode:

- starting_mrr = Σ start, ending_mrr = Σ end
- expansion_mrr = Σ (end - start) where end > start
- contraction_mrr = Σ (start - end) where 0 < end < start
- churned_mrr = Σ start where end = 0
- retained_mrr = Σ min(start, end), so GRR = retained / starting is never above 1
- starting_logos, retained_logos (end > 0), churned_logos (end = 0)

An account that churns and returns inside the window counts with its MRR at M: the
snapshots do not see the dip. ARR bands are taken at M-k; ``column`` dimensions use the
account's current attributes, the only ones the input carries.

>>> start, end = 100, 130
>>> (end - start, min(start, end))
(30, 100)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nrrgov.engine.fx import Valuation
from nrrgov.engine.slices import Slicing
from nrrgov.engine.types import MONEY, RATIO

MONEY_MEASURES = (
    "starting_mrr",
    "ending_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "retained_mrr",
)
COUNT_MEASURES = ("starting_logos", "retained_logos", "churned_logos")


def _cell_sums(start: str, end: str) -> list[str]:
    return [
        f"SUM({start}) AS starting_mrr",
        f"SUM({end}) AS ending_mrr",
        f"SUM(CASE WHEN {end} > {start} THEN {end} - {start} ELSE 0 END) AS expansion_mrr",
        f"SUM(CASE WHEN {end} > 0 AND {end} < {start} THEN {start} - {end} ELSE 0 END) "
        "AS contraction_mrr",
        f"SUM(CASE WHEN {end} <= 0 THEN {start} ELSE 0 END) AS churned_mrr",
        f"SUM(CASE WHEN {end} < {start} THEN {end} ELSE {start} END) AS retained_mrr",
        "COUNT(*) AS starting_logos",
        f"COUNT(CASE WHEN {end} > 0 THEN 1 END) AS retained_logos",
        f"COUNT(CASE WHEN {end} <= 0 THEN 1 END) AS churned_logos",
    ]


def retention_cells(
    slicing: Slicing,
    valuations: Sequence[Valuation],
    condition: Callable[[str], str],
    source: str,
) -> str:
    """Return SQL summing base accounts per lookback, as-of month, slice_id and ARR band.

    Args:
        slicing: the dimensions of the result.
        valuations: one per lookback; each names its start and end columns.
        condition: builds the extra WHERE condition on the account-month alias ``f``
            from the SQL of the MRR that ARR bands read (the start column).
        source: the account-month table, with a column for every valuation's start.
    """
    parts = []
    for valuation in valuations:
        start = f"f.{valuation.start_column}"
        end = f"COALESCE(f.{valuation.end_column}, 0)"
        columns = [
            f"{valuation.lookback_months} AS lookback_months",
            "f.month_index",
            *slicing.cell_columns(start),
            *_cell_sums(start, end),
        ]
        group_by = ["f.month_index", *slicing.cell_group_by(start)]
        parts.append(
            f"SELECT {', '.join(columns)} FROM {source} AS f "
            f"WHERE {start} > 0 AND {condition(start)} "
            f"GROUP BY {', '.join(group_by)}"
        )
    return "\nUNION ALL\n".join(parts)


def _ratio(numerator: str, denominator: str) -> str:
    return f"CAST({numerator} AS {RATIO}) / NULLIF(CAST({denominator} AS {RATIO}), 0)"


def retention_cube(slicing: Slicing, cells: str, months_table: str) -> str:
    """Return SQL of the retention table (with ``(all)`` rows) from ``cells``.

    Args:
        slicing: the dimensions of the result.
        cells: SQL from :func:`retention_cells`.
        months_table: the table numbering the calendar months.
    """
    measures = [f"CAST(SUM(c.{name}) AS {MONEY}) AS {name}" for name in MONEY_MEASURES]
    measures += [f"CAST(SUM(c.{name}) AS BIGINT) AS {name}" for name in COUNT_MEASURES]
    ratios = [
        f"{_ratio('SUM(c.ending_mrr)', 'SUM(c.starting_mrr)')} AS nrr",
        f"{_ratio('SUM(c.retained_mrr)', 'SUM(c.starting_mrr)')} AS grr",
        f"{_ratio('SUM(c.retained_logos)', 'SUM(c.starting_logos)')} AS logo_retention",
    ]
    columns = [
        "m.month AS as_of",
        "c.lookback_months",
        *slicing.labelled_columns(),
        *measures,
        *ratios,
    ]
    return f"""
        SELECT {", ".join(columns)}
        FROM ({cells}) AS c
        {slicing.join_slices()}
        JOIN {months_table} AS m ON m.month_index = c.month_index
        {slicing.grouping(["c.lookback_months", "c.month_index", "m.month"])}
    """
