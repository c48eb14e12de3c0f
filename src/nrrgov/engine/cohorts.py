"""Cohorts: accounts grouped by their first month with MRR, followed month by month.

For each cohort, age in months and slice: initial_mrr and initial_logos (the cohort at
age 0), mrr, retained_mrr (each account capped at its initial MRR), logos (accounts with
MRR > 0) and their shares of the initial figures. A cohort has rows up to the as-of
month only: cells past the data horizon do not exist, rather than being zero.

Average rows have ``cohort`` NULL, one per age and slice, over the cohorts that reach
that age. Their money and logo columns are sums over those cohorts. With
``cohort_average: weighted`` their ratios are the ratios of those sums, so net and gross
retention are weighted by initial MRR and logo retention by initial logos. With
``simple`` they are the plain means of the cohorts' ratios.

ARR bands are taken at the cohort's first month.

>>> initial, now = 100, 130
>>> (now / initial, min(now, initial) / initial)
(1.3, 1.0)
"""

from __future__ import annotations

from nrrgov.engine.slices import Slicing, quote
from nrrgov.engine.types import MONEY, RATIO
from nrrgov.spec.options import CohortAverage

# Measures in column order; the money ones are cast back to MONEY after summing.
_MEASURES = ("initial_mrr", "initial_logos", "mrr", "retained_mrr", "logos")
_MONEY_MEASURES = ("initial_mrr", "mrr", "retained_mrr")
_RATIOS = {
    "net_mrr_retention": ("mrr", "initial_mrr"),
    "gross_mrr_retention": ("retained_mrr", "initial_mrr"),
    "logo_retention": ("logos", "initial_logos"),
}


def _summed(column: str, name: str) -> str:
    sql_type = MONEY if name in _MONEY_MEASURES else "BIGINT"
    return f"CAST(SUM({column}) AS {sql_type}) AS {name}"


def _ratio(numerator: str, denominator: str) -> str:
    return f"CAST({numerator} AS {RATIO}) / NULLIF(CAST({denominator} AS {RATIO}), 0)"


def _cells(slicing: Slicing, source: str) -> str:
    band_mrr = "f.initial_mrr"
    sums = [
        "SUM(f.initial_mrr) AS initial_mrr",
        "COUNT(*) AS initial_logos",
        "SUM(f.mrr) AS mrr",
        "SUM(CASE WHEN f.mrr < f.initial_mrr THEN f.mrr ELSE f.initial_mrr END) AS retained_mrr",
        "COUNT(CASE WHEN f.mrr > 0 THEN 1 END) AS logos",
    ]
    columns = [
        "f.cohort_index",
        "f.month_index - f.cohort_index AS age_months",
        *slicing.cell_columns(band_mrr),
        *sums,
    ]
    group_by = ["f.cohort_index", "f.month_index", *slicing.cell_group_by(band_mrr)]
    # Every account has a row for each month from its cohort month to the as-of month,
    # so summing initial_mrr over an age's rows sums it over the cohort's accounts.
    return f"SELECT {', '.join(columns)} FROM {source} AS f GROUP BY {', '.join(group_by)}"


def _cube(slicing: Slicing, source: str, months_table: str) -> str:
    measures = [_summed(f"c.{name}", name) for name in _MEASURES]
    columns = ["m.month AS cohort", "c.age_months", *slicing.labelled_columns(), *measures]
    return f"""
        SELECT {", ".join(columns)}
        FROM ({_cells(slicing, source)}) AS c
        {slicing.join_slices()}
        JOIN {months_table} AS m ON m.month_index = c.cohort_index
        {slicing.grouping(["c.cohort_index", "c.age_months", "m.month"])}
    """


def cohorts_select(slicing: Slicing, source: str, months_table: str, average: CohortAverage) -> str:
    """Return SQL of the cohorts table, average rows (``cohort`` NULL) included.

    Args:
        slicing: the dimensions of the result.
        source: the account-month table.
        months_table: the table numbering the calendar months.
        average: ``weighted`` or ``simple`` averages of the cohorts' ratios.
    """
    dimensions = [quote(name) for name in slicing.names]
    cohort_ratios = [f"{_ratio(n, d)} AS {name}" for name, (n, d) in _RATIOS.items()]

    if average == "weighted":
        average_ratios = [
            f"{_ratio(f'SUM({n})', f'SUM({d})')} AS {name}" for name, (n, d) in _RATIOS.items()
        ]
    else:
        average_ratios = [f"AVG({_ratio(n, d)}) AS {name}" for name, (n, d) in _RATIOS.items()]
    sums = [_summed(name, name) for name in _MEASURES]

    return f"""
        WITH cells AS ({_cube(slicing, source, months_table)})
        SELECT cohort, age_months, {", ".join([*dimensions, *_MEASURES, *cohort_ratios])}
        FROM cells
        UNION ALL
        SELECT CAST(NULL AS DATE) AS cohort, age_months,
               {", ".join([*dimensions, *sums, *average_ratios])}
        FROM cells
        GROUP BY {", ".join(["age_months", *dimensions])}
    """
