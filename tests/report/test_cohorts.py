"""The cohort triangle and its average row."""

from __future__ import annotations

from datetime import date

import pytest

from nrrgov.report.cohorts import cohort_data
from nrrgov.report.tables import ALL

JAN, FEB, MAR, APR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


def cell(cohort, age, initial_mrr, mrr, initial_logos, logos, **extra):
    """A cohort cell whose ratios follow from its amounts, as the engine defines them."""
    return {
        "cohort": cohort,
        "age_months": age,
        "initial_mrr": initial_mrr,
        "mrr": mrr,
        "retained_mrr": min(mrr, initial_mrr),
        "initial_logos": initial_logos,
        "logos": logos,
        "net_mrr_retention": mrr / initial_mrr,
        "gross_mrr_retention": min(mrr, initial_mrr) / initial_mrr,
        "logo_retention": logos / initial_logos,
        **extra,
    }


# January: 100 of MRR and 10 logos, then 90 (9 logos), then 80 (8 logos).
# February: 300 of MRR and 2 logos, then 330 (1 logo). March: 50 and 1 logo.
CELLS = [
    cell(JAN, 0, 100, 100, 10, 10),
    cell(JAN, 1, 100, 90, 10, 9),
    cell(JAN, 2, 100, 80, 10, 8),
    cell(FEB, 0, 300, 300, 2, 2),
    cell(FEB, 1, 300, 330, 2, 1),
    cell(MAR, 0, 50, 50, 1, 1),
    # After the as-of month.
    cell(APR, 0, 70, 70, 1, 1),
]


def all_slice(data: dict) -> dict:
    return next(entry for entry in data["slices"] if entry["key"] == [ALL, ALL])


@pytest.fixture
def cohorts_table(run_writer):
    run_writer.table("cohorts", CELLS)
    return run_writer


def test_cohort_rows_end_at_horizon(cohorts_table):
    with cohorts_table.open() as tables:
        data = cohort_data(tables, "2026-03")
    net = all_slice(data)["rows"]["net"]
    # April is after the as-of month; each row stops at the last age it reached.
    assert data["cohorts"] == ["2026-01", "2026-02", "2026-03"]
    assert net[0] == [1.0, 0.9, 0.8]
    assert net[1] == [1.0, 1.1]
    assert net[2] == [1.0]


def test_cohort_gross_capped(cohorts_table):
    with cohorts_table.open() as tables:
        data = cohort_data(tables, "2026-03")
    # February grew to 330 but its gross retention is capped at its initial 300.
    assert all_slice(data)["rows"]["gross"][1] == [1.0, 1.0]


def test_weighted_average_by_initial_mrr(cohorts_table):
    with cohorts_table.open() as tables:
        average = all_slice(cohort_data(tables, "2026-03", "weighted"))["average"]
    # Age 1: (90 + 330) / (100 + 300) = 1.05; age 2 only January reached: 80 / 100.
    assert average["net"][1] == pytest.approx(1.05)
    assert average["net"][2] == pytest.approx(0.8)
    # Age 0: (100 + 300 + 50) / (100 + 300 + 50) = 1.
    assert average["net"][0] == pytest.approx(1.0)


def test_weighted_average_logos_by_initial_logos(cohorts_table):
    with cohorts_table.open() as tables:
        average = all_slice(cohort_data(tables, "2026-03", "weighted"))["average"]
    # Age 1: (9 + 1) / (10 + 2) = 0.8333, to four decimals.
    assert average["logos"][1] == 0.8333


def test_simple_average(cohorts_table):
    with cohorts_table.open() as tables:
        average = all_slice(cohort_data(tables, "2026-03", "simple"))["average"]
    # Age 1: (0.9 + 1.1) / 2 = 1.0; logos (0.9 + 0.5) / 2 = 0.7.
    assert average["net"][1] == pytest.approx(1.0)
    assert average["logos"][1] == pytest.approx(0.7)


def test_null_cells_past_horizon_dropped(run_writer):
    past = cell(FEB, 2, 300, 300, 2, 2) | {
        "net_mrr_retention": None,
        "gross_mrr_retention": None,
        "logo_retention": None,
    }
    run_writer.table("cohorts", [*CELLS[:5], past])
    with run_writer.open() as tables:
        net = all_slice(cohort_data(tables, "2026-03"))["rows"]["net"]
    # February's age-2 row has NULL ratios: the row ends at age 1, no zero is shown.
    assert net[1] == [1.0, 1.1]


def test_stored_average_rows_used(run_writer):
    stored = {
        "cohort": None,
        "age_months": 1,
        "net_mrr_retention": 0.5,
        "gross_mrr_retention": 0.4,
        "logo_retention": 0.3,
    }
    run_writer.table("cohorts", [*CELLS, stored])
    with run_writer.open() as tables:
        data = cohort_data(tables, "2026-03")
    average = all_slice(data)["average"]
    # The run's own average rows win over the report's recomputation (1.05 at age 1).
    assert average["net"] == [None, 0.5]
    assert len(data["cohorts"]) == 3


def test_triangle_keeps_last_cohorts(run_writer):
    # Forty monthly cohorts, 2022-12 .. 2026-03, each only at age 0.
    months = [date(2022 + (11 + i) // 12, (11 + i) % 12 + 1, 1) for i in range(40)]
    run_writer.table("cohorts", [cell(month, 0, 10, 10, 1, 1) for month in months])
    with run_writer.open() as tables:
        data = cohort_data(tables, "2026-03")
    # The last 36 are 2023-04 .. 2026-03; the count still reports all forty.
    assert data["cohorts"][0] == "2023-04"
    assert len(data["cohorts"]) == 36
    assert data["cohorts_total"] == 40


def test_slice_without_cohort_is_none(run_writer):
    run_writer.table(
        "cohorts",
        [*CELLS[:3], cell(FEB, 0, 20, 20, 1, 1, segment="SMB", region=ALL)],
    )
    with run_writer.open() as tables:
        data = cohort_data(tables, "2026-03")
    smb = next(entry for entry in data["slices"] if entry["key"] == ["SMB", ALL])
    # SMB has no January accounts: its January row is None, not a row of zeros.
    assert smb["rows"]["net"] == [None, [1.0]]
