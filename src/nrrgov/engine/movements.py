"""MRR movements: each account's month-over-month change, classified, and the bridge per slice.

Movements are classified on constant-currency amounts: the previous month's native
amounts valued at this month's rates (``opening_mrr_at_month_rate``) against this
month's MRR. The difference between that and the previous month's MRR at its own rates
is the account's ``fx_impact``. Every amount is a difference of the same three columns,
so for every month and slice, exactly:

    opening_mrr + new + reactivation + expansion - contraction - churn + fx_impact
        = closing_mrr

A month whose opening and closing MRR are both zero has no movement. ARR bands are taken
at the opening month, or at the month itself for an account with zero opening MRR.
"""

from __future__ import annotations

from collections.abc import Callable

from nrrgov.engine.slices import ALL, Slicing, quote, string_literal
from nrrgov.engine.types import MONEY

# SQL of each movement kind's amount, positive in the kind's direction: the bridge adds
# new, reactivation and expansion, and subtracts contraction and churn.
_SIGNED_AMOUNTS = {
    "new": "{f}.mrr - {f}.opening_mrr_at_month_rate",
    "reactivation": "{f}.mrr - {f}.opening_mrr_at_month_rate",
    "expansion": "{f}.mrr - {f}.opening_mrr_at_month_rate",
    "contraction": "{f}.opening_mrr_at_month_rate - {f}.mrr",
    "churn": "{f}.opening_mrr_at_month_rate - {f}.mrr",
}
# The movements table's columns: each kind's amount and its count of accounts.
_AMOUNT_COLUMNS = {
    "new": "new_mrr",
    "reactivation": "reactivation_mrr",
    "expansion": "expansion_mrr",
    "contraction": "contraction_mrr",
    "churn": "churned_mrr",
}
_LOGO_COLUMNS = {
    "new": "new_logos",
    "reactivation": "reactivated_logos",
    "expansion": "expanded_logos",
    "contraction": "contracted_logos",
    "churn": "churned_logos",
}
MONEY_MEASURES = (
    "opening_mrr",
    *_AMOUNT_COLUMNS.values(),
    "fx_impact",
    "closing_mrr",
)
COUNT_MEASURES = (*_LOGO_COLUMNS.values(), "active_logos")


def movement_kind(alias: str, max_gap_months: int | None) -> str:
    """Return SQL for the movement kind of an account-month row, or NULL for none.

    Args:
        alias: the alias of ``analytics_account_months`` in the query.
        max_gap_months: MRR after more months at zero than this is ``new`` again;
            None for no limit. With a limit the table must hold ``gap_months``.
    """
    f = alias
    restart = f"{f}.mrr > 0 AND {f}.opening_mrr <= 0"
    if max_gap_months is None:
        # The first revenue month is the first month with MRR, so any later restart
        # follows earlier MRR.
        first_time = f"{f}.month_index = {f}.cohort_index"
    else:
        first_time = f"{f}.gap_months IS NULL OR {f}.gap_months > {int(max_gap_months)}"
    return (
        f"CASE WHEN {restart} THEN (CASE WHEN {first_time} THEN 'new' ELSE 'reactivation' END) "
        f"WHEN {f}.mrr <= 0 AND {f}.opening_mrr > 0 THEN 'churn' "
        f"WHEN {f}.mrr > 0 AND {f}.mrr > {f}.opening_mrr_at_month_rate THEN 'expansion' "
        f"WHEN {f}.mrr > 0 AND {f}.mrr < {f}.opening_mrr_at_month_rate THEN 'contraction' END"
    )


def movement_amount(alias: str, kind: str) -> str:
    """Return SQL for the positive amount of the movement whose kind is the SQL ``kind``."""
    whens = " ".join(
        f"WHEN '{name}' THEN {amount.format(f=alias)}" for name, amount in _SIGNED_AMOUNTS.items()
    )
    return f"CASE {kind} {whens} END"


def movement_cells(
    slicing: Slicing,
    max_gap_months: int | None,
    condition: Callable[[str], str],
    source: str,
) -> str:
    """Return SQL summing account-month movements per month, slice_id and ARR band.

    Args:
        slicing: the dimensions of the result.
        max_gap_months: the reactivation limit in force.
        condition: builds the extra WHERE condition on the account-month alias ``f``
            from the SQL of the MRR that ARR bands read.
        source: the account-month table.
    """
    band_mrr = "CASE WHEN f.opening_mrr > 0 THEN f.opening_mrr ELSE f.mrr END"
    sums = ["SUM(f.opening_mrr) AS opening_mrr"]
    for kind, column in _AMOUNT_COLUMNS.items():
        amount = _SIGNED_AMOUNTS[kind].format(f="f")
        sums.append(f"SUM(CASE WHEN f.movement = '{kind}' THEN {amount} ELSE 0 END) AS {column}")
    sums += [
        "SUM(f.opening_mrr_at_month_rate - f.opening_mrr) AS fx_impact",
        "SUM(f.mrr) AS closing_mrr",
    ]
    sums += [
        f"COUNT(CASE WHEN f.movement = '{k}' THEN 1 END) AS {c}" for k, c in _LOGO_COLUMNS.items()
    ]
    sums.append("COUNT(CASE WHEN f.mrr > 0 THEN 1 END) AS active_logos")
    # Rows at zero in both months add nothing; dropping them first shrinks the aggregation.
    return f"""
        SELECT f.month_index, {", ".join([*slicing.cell_columns(band_mrr), *sums])}
        FROM (
            SELECT f.*, {movement_kind("f", max_gap_months)} AS movement
            FROM {source} AS f
            WHERE (f.opening_mrr <> 0 OR f.mrr <> 0 OR f.opening_mrr_at_month_rate <> 0)
              AND {condition(band_mrr)}
        ) AS f
        GROUP BY f.month_index, {", ".join(slicing.cell_group_by(band_mrr))}
    """


def movement_cube(slicing: Slicing, cells: str, months_table: str) -> str:
    """Return SQL of the movements per month and slice, with ``(all)`` rows, from ``cells``.

    A calendar month in which no account has MRR or a movement still gets its total row,
    all zeros, so that the monthly series has no holes.

    Args:
        slicing: the dimensions of the result.
        cells: SQL from :func:`movement_cells`.
        months_table: the table numbering the calendar months.
    """
    measures = [f"CAST(SUM(c.{name}) AS {MONEY}) AS {name}" for name in MONEY_MEASURES]
    measures += [f"CAST(SUM(c.{name}) AS BIGINT) AS {name}" for name in COUNT_MEASURES]
    columns = ["m.month", *slicing.labelled_columns(), *measures]
    totals = [f"{string_literal(ALL)} AS {quote(name)}" for name in slicing.names]
    zeros = [f"CAST(0 AS {MONEY}) AS {name}" for name in MONEY_MEASURES]
    zeros += [f"CAST(0 AS BIGINT) AS {name}" for name in COUNT_MEASURES]
    return f"""
        WITH sliced AS (
            SELECT {", ".join(columns)}
            FROM ({cells}) AS c
            {slicing.join_slices()}
            JOIN {months_table} AS m ON m.month_index = c.month_index
            {slicing.grouping(["c.month_index", "m.month"])}
        )
        SELECT * FROM sliced
        UNION ALL
        SELECT {", ".join(["m.month", *totals, *zeros])}
        FROM {months_table} AS m
        WHERE m.month NOT IN (SELECT month FROM sliced)
    """


def movement_window(monthly: str, dimensions: list[str], lookback: int, months_table: str) -> str:
    """Return SQL of movement measures over the ``lookback`` months ending at each month.

    Flows and logo counts are summed over the window. ``opening_mrr`` is the opening of
    its first month, and ``closing_mrr`` and ``active_logos`` are those of its last month.
    A month gets a row once a whole window lies inside the calendar.

    Args:
        monthly: SQL with a ``month`` column, the dimension columns and every movement
            measure, one row per month and slice.
        dimensions: quoted dimension columns of ``monthly``.
        lookback: the window length in months.
        months_table: the table numbering the calendar months.
    """
    first = f"e.month_index - {lookback - 1}"
    at_start = f"CASE WHEN b.month_index = {first} THEN b.{{}} ELSE 0 END"
    at_end = "CASE WHEN b.month_index = e.month_index THEN b.{} ELSE 0 END"
    sources = {name: f"b.{name}" for name in (*MONEY_MEASURES, *COUNT_MEASURES)}
    sources["opening_mrr"] = at_start.format("opening_mrr")
    sources["closing_mrr"] = at_end.format("closing_mrr")
    sources["active_logos"] = at_end.format("active_logos")
    measures = [
        f"CAST(SUM({sql}) AS {MONEY if name in MONEY_MEASURES else 'BIGINT'}) AS {name}"
        for name, sql in sources.items()
    ]
    group_by = ", ".join(["e.month", *(f"b.{name}" for name in dimensions)])
    return f"""
        SELECT e.month AS as_of, {", ".join([*(f"b.{d}" for d in dimensions), *measures])}
        FROM {months_table} AS e
        JOIN (
            SELECT v.*, m.month_index
            FROM ({monthly}) AS v JOIN {months_table} AS m ON m.month = v.month
        ) AS b ON b.month_index BETWEEN {first} AND e.month_index
        WHERE e.month_index >= {lookback}
        GROUP BY {group_by}
    """
