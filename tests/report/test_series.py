"""Shaping of the overview, bridge and retention data, on tables small enough to check by hand."""

from __future__ import annotations

from datetime import date

import pytest

from nrrgov.report.series import bridge_data, overview_data, retention_data, retention_targets
from nrrgov.report.tables import ALL, filter_dimensions

ALL_KEY = [ALL, ALL]
SMB_EMEA = ["SMB", "EMEA"]


def slice_of(data: dict, key: list[str]) -> dict:
    matches = [entry for entry in data["slices"] if entry["key"] == key]
    assert len(matches) == 1, f"expected one slice {key}, found {len(matches)}"
    return matches[0]


@pytest.fixture
def overview(run_writer, reference_definitions):
    run_writer.table(
        "metrics",
        [
            {
                "metric": "nrr",
                "as_of": date(2026, 3, 1),
                "value": 1.04,
                "target": 1.05,
                "status": "at_risk",
            },
            {
                "metric": "nrr",
                "as_of": date(2026, 2, 1),
                "value": 1.02,
                "target": 1.05,
                "status": "off_track",
            },
            # Thirteen months before the as-of month: outside the sparkline window.
            {"metric": "nrr", "as_of": date(2025, 2, 1), "value": 0.5},
            {
                "metric": "nrr",
                "as_of": date(2026, 3, 1),
                "segment": "SMB",
                "region": "EMEA",
                "value": 0.98,
                "target": 1.05,
                "status": "off_track",
            },
            {"metric": "net_new_mrr", "as_of": date(2026, 3, 1), "value": 1234.5678},
            {"metric": "not_in_definitions", "as_of": date(2026, 3, 1), "value": 7},
        ],
    )
    run_writer.table(
        "movements",
        [
            {"month": date(2026, 3, 1), "closing_mrr": 1500.25, "active_logos": 12},
            {"month": date(2024, 3, 1), "closing_mrr": 99, "active_logos": 1},
        ],
    )
    run_writer.table(
        "retention",
        [
            {
                "as_of": date(2026, 3, 1),
                "lookback_months": 12,
                "starting_mrr": 1000,
                "ending_mrr": 1100,
                "nrr": 1.1,
                "grr": 0.9,
                "logo_retention": 0.8,
            },
            {"as_of": date(2026, 2, 1), "lookback_months": 12, "nrr": 2.0},
        ],
    )
    with run_writer.open() as tables:
        return overview_data(tables, reference_definitions.metrics, "2026-03")


def test_overview_months_window(overview):
    # Twelve sparkline months plus the month before for the change: 2025-03 .. 2026-03.
    assert overview["months"][0] == "2025-03"
    assert overview["months"][-1] == "2026-03"
    assert len(overview["months"]) == 13


def test_overview_metric_values_aligned(overview):
    values = slice_of(overview, ALL_KEY)["metrics"]["nrr"]["values"]
    assert values[-1] == 1.04
    assert values[-2] == 1.02
    # 2025-03 has no row, and the 2025-02 row lies outside the window.
    assert values[0] is None


def test_overview_target_and_status_at_as_of(overview):
    nrr = slice_of(overview, ALL_KEY)["metrics"]["nrr"]
    assert nrr["target"] == 1.05
    assert nrr["status"] == "at_risk"


def test_overview_slice_has_own_values(overview):
    nrr = slice_of(overview, SMB_EMEA)["metrics"]["nrr"]
    assert nrr["values"][-1] == 0.98
    assert nrr["status"] == "off_track"


def test_overview_currency_metric_to_the_cent(overview):
    # 1234.5678 rounds to 1234.57; the metric has no target, so no status.
    net_new = slice_of(overview, ALL_KEY)["metrics"]["net_new_mrr"]
    assert net_new["values"][-1] == 1234.57
    assert net_new["status"] is None


def test_overview_ignores_unknown_metrics(overview):
    assert "not_in_definitions" not in slice_of(overview, ALL_KEY)["metrics"]


def test_overview_tiles_in_definition_order(overview, reference_definitions):
    names = [metric["name"] for metric in overview["metrics"]]
    assert names == [metric.name for metric in reference_definitions.metrics]


def test_overview_mrr_trend(overview):
    entry = slice_of(overview, ALL_KEY)
    # 24 months ending 2026-03 start at 2024-04, so the 2024-03 row is left out.
    assert overview["mrr_months"][0] == "2024-04"
    assert entry["closing_mrr"][-1] == 1500.25
    assert entry["active_logos"][-1] == 12
    assert 99 not in entry["closing_mrr"]


def test_overview_retention_snapshot(overview):
    snapshot = slice_of(overview, ALL_KEY)["retention"]["12"]
    assert snapshot["nrr"] == 1.1
    assert snapshot["grr"] == 0.9
    assert snapshot["starting_mrr"] == 1000


def test_bridge_months_contiguous(run_writer):
    run_writer.table(
        "movements",
        [
            {"month": date(2026, 1, 1), "opening_mrr": 100, "new_mrr": 10, "closing_mrr": 110},
            # No row for 2026-02 in this slice.
            {"month": date(2026, 3, 1), "opening_mrr": 110, "churned_mrr": 30, "closing_mrr": 80},
            {"month": date(2026, 4, 1), "opening_mrr": 80, "closing_mrr": 80},
        ],
    )
    with run_writer.open() as tables:
        data = bridge_data(tables, "2026-03")
    columns = slice_of(data, ALL_KEY)["columns"]
    # 2026-04 lies after the as-of month; 2026-02 is kept as an empty month.
    assert data["months"] == ["2026-01", "2026-02", "2026-03"]
    assert columns["opening_mrr"] == [100, None, 110]
    assert columns["churned_mrr"] == [0, None, 30]
    assert columns["closing_mrr"] == [110, None, 80]


def test_bridge_steps_signs(run_writer):
    run_writer.table("movements", [{"month": date(2026, 3, 1)}])
    with run_writer.open() as tables:
        steps = bridge_data(tables, "2026-03")["steps"]
    signs = {step["key"]: step["sign"] for step in steps}
    assert [step["key"] for step in steps][0] == "opening_mrr"
    assert [step["key"] for step in steps][-1] == "closing_mrr"
    assert signs["contraction_mrr"] == -1
    assert signs["churned_mrr"] == -1
    assert signs["fx_impact"] == 1


def test_bridge_without_table(run_writer):
    with run_writer.open() as tables:
        data = bridge_data(tables, "2026-03")
    assert data["months"] == []
    assert data["slices"] == []


def test_retention_series_by_lookback(run_writer, reference_definitions):
    run_writer.table(
        "retention",
        [
            {"as_of": date(2026, 2, 1), "lookback_months": 12, "nrr": 1.01, "grr": 0.91},
            {"as_of": date(2026, 3, 1), "lookback_months": 12, "nrr": 1.03, "grr": 0.92},
            {"as_of": date(2026, 3, 1), "lookback_months": 1, "nrr": 1.002, "grr": 0.99},
            {
                "as_of": date(2026, 3, 1),
                "lookback_months": 3,
                "segment": "SMB",
                "region": "EMEA",
                "nrr": 0.97,
            },
        ],
    )
    with run_writer.open() as tables:
        data = retention_data(tables, reference_definitions.metrics, "2026-03")
    series = slice_of(data, ALL_KEY)["series"]
    assert data["lookbacks"] == [1, 3, 12]
    assert data["months"] == ["2026-02", "2026-03"]
    assert series["12"]["nrr"] == [1.01, 1.03]
    assert series["1"]["grr"] == [None, 0.99]
    assert slice_of(data, SMB_EMEA)["series"]["3"]["nrr"] == [None, 0.97]


def test_retention_targets_from_ratio_metrics(reference_definitions):
    targets = {
        (target["measure"], target["lookback"]): target["value"]
        for target in retention_targets(reference_definitions.metrics)
    }
    # nrr, grr and logo_retention are the table's own ratios at 12 months. The churn
    # rate and expansion rate are other formulas, so they draw no line.
    assert targets == {("nrr", 12): 1.05, ("grr", 12): 0.9, ("logo_retention", 12): 0.85}


def test_slice_key_fills_missing_dimension(run_writer, reference_definitions):
    run_writer.raw_table(
        "metrics",
        "SELECT 'nrr' AS metric, DATE '2026-03-01' AS as_of, 'SMB' AS segment, "
        "1.2 AS value, NULL::DOUBLE AS target, NULL::VARCHAR AS status",
    )
    with run_writer.open() as tables:
        data = overview_data(tables, reference_definitions.metrics, "2026-03")
    # The table has no region column, so its rows aggregate over every region.
    assert slice_of(data, ["SMB", ALL])["metrics"]["nrr"]["values"][-1] == 1.2


def test_filter_values_declared_order_first(run_writer):
    run_writer.table(
        "movements",
        [
            {"month": date(2026, 3, 1), "segment": "SMB", "region": "NA"},
            {"month": date(2026, 3, 1), "segment": "Enterprise", "region": "EMEA"},
            {"month": date(2026, 3, 1), "segment": "Partner", "region": ALL},
            {"month": date(2026, 3, 1), "segment": "Agency", "region": ALL},
        ],
    )
    declared = {"segment": ("Segment", ("Enterprise", "Mid-Market", "SMB"))}
    with run_writer.open() as tables:
        dimensions = filter_dimensions(tables, declared)
    # Declared values present in the data keep their order; undeclared ones follow, sorted.
    # Mid-Market has no row, and (all) is never a value.
    assert dimensions[0].values == ("Enterprise", "SMB", "Agency", "Partner")
    assert dimensions[0].label == "Segment"
    assert dimensions[1].values == ("EMEA", "NA")
    assert dimensions[1].label == "Region"


def test_unlisted_dimension_rows_dropped(run_writer):
    run_writer.table(
        "movements",
        [
            {"month": date(2026, 3, 1), "segment": "SMB", "closing_mrr": 30},
            {"month": date(2026, 3, 1), "closing_mrr": 100},
        ],
    )
    # A project sliced by region only: the SMB row must not pass for all segments.
    with run_writer.open(dimensions=("region",)) as tables:
        data = bridge_data(tables, "2026-03")
    assert [entry["key"] for entry in data["slices"]] == [[ALL]]
    assert data["slices"][0]["columns"]["closing_mrr"] == [100]
