"""Shape the cohort triangle and its average row for the cohorts page."""

from __future__ import annotations

from collections import defaultdict

from nrrgov.report.tables import ReportTables, month_date, ratio, shift_month

# Heatmap measures: the key the page switches between, the cohorts column, the label.
COHORT_MEASURES = (
    ("net", "net_mrr_retention", "Net MRR retention"),
    ("gross", "gross_mrr_retention", "Gross MRR retention"),
    ("logos", "logo_retention", "Logo retention"),
)
# The triangle shows the most recent cohorts only, so that it stays readable and the
# page stays small with many slices. The average row still covers every cohort.
MAX_COHORTS = 36
# Decimals of the cells: a hundredth of a percent.
CELL_DIGITS = 4


def cohort_data(tables: ReportTables, as_of: str, average: str = "weighted") -> dict:
    """Shape the cohort triangle per slice, with an average row per measure.

    Cells past the data horizon have no row in the table or a NULL ratio. Either way
    they come out as a shorter row (trailing cells dropped) or a None, never as zero.

    The triangle contains the last :data:`MAX_COHORTS` cohorts up to ``as_of``, so its
    ages stay below that count.

    Args:
        tables: the run's tables.
        as_of: the run's last month, ``YYYY-MM``; later cohorts are left out.
        average: ``weighted`` averages each age over the cohorts that reached it, weighted
            by their initial MRR (initial logos for logo retention); ``simple`` takes the
            plain mean of the cohorts' ratios. Average rows the table already holds
            (``cohort`` NULL) are used as they are.

    Returns:
        ``cohorts`` (months shown, oldest first), ``cohorts_total`` (cohorts in the run
        up to ``as_of``), ``measures`` (key, label) and ``slices``, each
        with ``rows`` (measure -> one list per cohort, indexed by age in months, or None
        when the slice has no account in that cohort) and ``average`` (measure -> values
        by age).
    """
    measures = [{"key": key, "label": label} for key, _column, label in COHORT_MEASURES]
    if not tables.has("cohorts"):
        return {"cohorts": [], "cohorts_total": 0, "measures": measures, "slices": []}

    total = tables.scalar(
        "SELECT count(DISTINCT cohort) FROM cohorts WHERE cohort <= ?", [month_date(as_of)]
    )
    cells = _cells(tables, shift_month(as_of, 1 - MAX_COHORTS), as_of)
    cohorts = sorted({row["cohort"] for row in cells})
    averages = _stored_averages(tables) or _computed_averages(tables, as_of, average)

    slices: dict[tuple, dict] = defaultdict(lambda: {"rows": {}, "average": {}})
    for key, by_measure in _triangles(tables, cells, cohorts).items():
        slices[key]["rows"] = by_measure
    for key, by_measure in averages.items():
        slices[key]["average"] = {
            measure: values[:MAX_COHORTS] if values else values
            for measure, values in by_measure.items()
        }
    return {
        "cohorts": cohorts,
        "cohorts_total": total,
        "measures": measures,
        "slices": [{"key": list(key), **slices[key]} for key in sorted(slices)],
    }


def _cells(tables: ReportTables, first: str, last: str) -> list[dict]:
    columns = ", ".join(column for _key, column, _label in COHORT_MEASURES)
    return tables.query(
        f"SELECT strftime(cohort, '%Y-%m') AS cohort, age_months, "
        f"{tables.slice_select('cohorts')}, {columns} FROM cohorts "
        "WHERE cohort BETWEEN ? AND ? ORDER BY cohort, age_months",
        [month_date(first), month_date(last)],
    )


def _triangles(tables: ReportTables, cells: list[dict], cohorts: list[str]) -> dict:
    by_cell: dict[tuple, dict[str, dict[int, float | None]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for row in cells:
        key = tables.slice_key("cohorts", row)
        for measure, column, _label in COHORT_MEASURES:
            value = ratio(row[column], CELL_DIGITS)
            by_cell[key, measure][row["cohort"]][row["age_months"]] = value

    triangles: dict[tuple, dict[str, list]] = defaultdict(dict)
    for (key, measure), by_cohort in by_cell.items():
        triangles[key][measure] = [_by_age(by_cohort.get(cohort)) for cohort in cohorts]
    return triangles


def _stored_averages(tables: ReportTables) -> dict:
    rows = tables.query(
        f"SELECT age_months, {tables.slice_select('cohorts')}, "
        f"{', '.join(column for _key, column, _label in COHORT_MEASURES)} "
        "FROM cohorts WHERE cohort IS NULL ORDER BY age_months"
    )
    return _average_rows(tables, rows)


def _computed_averages(tables: ReportTables, as_of: str, average: str) -> dict:
    if average == "simple":
        expressions = [f"avg({column}) AS {column}" for _key, column, _label in COHORT_MEASURES]
    else:
        # NOTE: each ratio is recomputed from the summed amounts, which weights a
        # cohort's ratio by its initial MRR (initial logos for logo retention).
        expressions = [
            "sum(mrr) / nullif(sum(initial_mrr), 0) AS net_mrr_retention",
            "sum(retained_mrr) / nullif(sum(initial_mrr), 0) AS gross_mrr_retention",
            "sum(logos) / nullif(sum(initial_logos), 0) AS logo_retention",
        ]
    slice_columns = tables.slice_select("cohorts")
    rows = tables.query(
        f"SELECT age_months, {slice_columns}, {', '.join(expressions)} FROM cohorts "
        "WHERE cohort IS NOT NULL AND cohort <= ? AND net_mrr_retention IS NOT NULL "
        "GROUP BY ALL ORDER BY age_months",
        [month_date(as_of)],
    )
    return _average_rows(tables, rows)


def _average_rows(tables: ReportTables, rows: list[dict]) -> dict:
    by_age: dict[tuple, dict[str, dict[int, float | None]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        key = tables.slice_key("cohorts", row)
        for measure, column, _label in COHORT_MEASURES:
            by_age[key][measure][row["age_months"]] = ratio(row[column], CELL_DIGITS)
    return {
        key: {measure: _by_age(values) for measure, values in by_measure.items()}
        for key, by_measure in by_age.items()
    }


def _by_age(values: dict[int, float | None] | None) -> list | None:
    """Values indexed by age, up to the last age with a value; None for an empty cohort."""
    if not values:
        return None
    known = [age for age, value in values.items() if value is not None]
    if not known:
        return None
    return [values.get(age) for age in range(max(known) + 1)]
