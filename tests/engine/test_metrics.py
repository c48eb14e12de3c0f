"""Governed metrics: formulas over their basis, slices, filters, overrides and status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from nrrgov.engine.analytics import add_analytics
from nrrgov.engine.context import EngineContext
from nrrgov.engine.metrics import status_case
from nrrgov.engine.sql import Pipeline
from nrrgov.errors import UserError
from nrrgov.loader import load_project
from nrrgov.spec.metrics import MetricSpec, TargetSpec
from nrrgov.spec.options import MetricOptionsSpec
from projects import make_project

JAN_2025 = date(2025, 1, 1)
YEAR = [f"2024-{m:02d}" for m in range(1, 13)]
REFERENCE = {"nrr", "grr", "net_new_mrr"}


def metric(name: str, formula: str, **fields) -> MetricSpec:
    return MetricSpec(name=name, label=name, owner="data_board", formula=formula, **fields)


def three_segments(analytics, metrics):
    """Flat through 2024, then in January 2025: e1 200 -> 230 (Enterprise), m1 100 -> 102
    (Mid-Market), s1 100 -> 50 and s2 100 -> 100 (SMB). Every account is in NA."""
    start = {"e1": "200", "m1": "100", "s1": "100", "s2": "100"}
    end = {"e1": "230", "m1": "102", "s1": "50", "s2": "100"}
    analytics.revenue = [(a, "USD", m, v) for a, v in start.items() for m in YEAR]
    analytics.revenue += [(a, "USD", "2025-01", v) for a, v in end.items()]
    segments = {"e1": "Enterprise", "m1": "Mid-Market", "s1": "SMB", "s2": "SMB"}
    analytics.accounts = {a: {"segment": s, "region": "NA"} for a, s in segments.items()}
    analytics.dimensions = ("segment", "region")
    analytics.as_of = "2025-01"
    analytics.metrics = metrics
    analytics.run()


def value(analytics, name: str, **slices) -> dict:
    query = "SELECT * FROM metrics WHERE metric = ? AND as_of = ?"
    parameters = [name, JAN_2025]
    for dimension in ("segment", "region"):
        query += f" AND {dimension} = ?"
        parameters.append(slices.get(dimension, "(all)"))
    return analytics.one(query, *parameters)


@pytest.fixture
def reference(reference_metrics):
    return [m for m in reference_metrics if m.name in REFERENCE]


def test_reference_nrr_by_segment(analytics, reference):
    three_segments(analytics, reference)

    enterprise = value(analytics, "nrr", segment="Enterprise")
    assert enterprise["value"] == pytest.approx(230 / 200)
    assert (enterprise["target"], enterprise["status"]) == (1.05, "on_track")
    middle = value(analytics, "nrr", segment="Mid-Market")
    assert middle["value"] == pytest.approx(102 / 100)
    assert middle["status"] == "at_risk"  # between the target 1.05 and at_risk 1.0
    smb = value(analytics, "nrr", segment="SMB")
    assert smb["value"] == pytest.approx(150 / 200)
    assert smb["status"] == "off_track"


def test_reference_grr_total(analytics, reference):
    three_segments(analytics, reference)
    total = value(analytics, "grr")

    # retained: 200 + 100 + 50 + 100 = 450 of 500 started.
    assert total["value"] == pytest.approx(450 / 500)
    assert total["status"] == "on_track"  # 0.9 is the target itself


def test_reference_net_new_mrr_in_the_month(analytics, reference):
    three_segments(analytics, reference)
    total = value(analytics, "net_new_mrr")

    assert total["value"] == pytest.approx(30 + 2 - 50)
    assert total["target"] is None
    assert total["status"] is None


def test_metric_rows_cover_its_dimensions_only(analytics):
    by_segment = metric("nrr_by_segment", "ending_mrr / starting_mrr", dimensions=("segment",))
    three_segments(analytics, [by_segment])
    regions = analytics.rows("SELECT DISTINCT region FROM metrics")

    assert regions == [{"region": "(all)"}]
    assert len(analytics.rows("SELECT * FROM metrics")) == 4  # 3 segments and (all)


def test_filters_restrict_the_accounts(analytics):
    smb_only = metric("nrr_smb", "ending_mrr / starting_mrr", filters={"segment": ("SMB",)})
    three_segments(analytics, [smb_only])

    assert value(analytics, "nrr_smb")["value"] == pytest.approx(150 / 200)


def test_metric_dimension_outside_the_project_adds_a_column(analytics):
    by_band = metric("nrr_by_band", "ending_mrr / starting_mrr", dimensions=("arr_band",))
    three_segments(analytics, [by_band])
    found = analytics.rows(
        "SELECT arr_band, value FROM metrics WHERE as_of = ? ORDER BY arr_band", JAN_2025
    )

    # Every account's ARR at the base month is at most 2,400: all in <10k.
    assert found == [
        {"arr_band": "(all)", "value": pytest.approx(482 / 500)},
        {"arr_band": "<10k", "value": pytest.approx(482 / 500)},
    ]


def test_movement_basis_sums_the_lookback_months(analytics):
    # Expansion over the three months to January 2025: only January's 30 + 2.
    # Opening is taken at the window's first month, November 2024.
    expansion = metric(
        "expansion_3m", "expansion_mrr + 0 * opening_mrr", basis="movements", lookback_months=3
    )
    opening = metric("opening_3m", "opening_mrr", basis="movements", lookback_months=3)
    three_segments(analytics, [expansion, opening])

    assert value(analytics, "expansion_3m")["value"] == pytest.approx(32)
    assert value(analytics, "opening_3m")["value"] == pytest.approx(500)


def test_fx_mode_override_gets_its_own_basis(analytics):
    constant = metric(
        "nrr_constant",
        "ending_mrr / starting_mrr",
        options=MetricOptionsSpec(fx_mode="constant_currency"),
    )
    analytics.revenue = [("eu", "EUR", "2024-01", "100"), ("eu", "EUR", "2024-02", "100")]
    analytics.rates = {("EUR", "2024-01"): "1.10", ("EUR", "2024-02"): "1.20"}
    analytics.as_of = "2024-02"
    analytics.lookbacks = (1,)
    analytics.metrics = [
        constant.model_copy(update={"lookback_months": 1}),
        metric("nrr_month_rate", "ending_mrr / starting_mrr", lookback_months=1),
    ]
    analytics.run()

    found = {
        row["metric"]: row["value"]
        for row in analytics.rows(
            "SELECT metric, value FROM metrics WHERE as_of = DATE '2024-02-01'"
        )
    }
    assert found["nrr_constant"] == pytest.approx(1.0)  # 120 / 120
    assert found["nrr_month_rate"] == pytest.approx(120 / 110)


def test_reactivation_limit_override(analytics):
    # Three months at zero between January and May.
    limited = metric(
        "restarts",
        "reactivation_mrr",
        basis="movements",
        lookback_months=1,
        options=MetricOptionsSpec(reactivation_max_gap_months=2),
    )
    unlimited = metric("restarts_any", "reactivation_mrr", basis="movements", lookback_months=1)
    analytics.revenue = [("a", "USD", "2024-01", "10"), ("a", "USD", "2024-05", "10")]
    analytics.as_of = "2024-05"
    analytics.metrics = [limited, unlimited]
    analytics.run()

    found = {
        row["metric"]: row["value"]
        for row in analytics.rows(
            "SELECT metric, value FROM metrics WHERE as_of = DATE '2024-05-01'"
        )
    }
    assert found["restarts"] == pytest.approx(0)  # a gap of 3 > 2 makes it new
    assert found["restarts_any"] == pytest.approx(10)


def test_no_metrics_gives_an_empty_table(analytics):
    three_segments(analytics, [])
    columns = [row[0] for row in analytics.con.execute("DESCRIBE metrics").fetchall()]

    assert columns == ["metric", "as_of", "segment", "region", "value", "target", "status"]
    assert analytics.rows("SELECT * FROM metrics") == []


def test_invalid_formula_names_the_metric_and_file(analytics):
    broken = metric("broken", "ending_mrr / startng_mrr")
    with pytest.raises(UserError) as raised:
        three_segments(analytics, [broken])

    assert "'broken'" in raised.value.message
    assert raised.value.where.path.endswith("metrics.yml")


def test_unknown_filter_dimension_is_rejected(analytics):
    broken = metric("broken", "ending_mrr / starting_mrr", filters={"tier": ("Gold",)})
    with pytest.raises(UserError) as raised:
        three_segments(analytics, [broken])

    assert "'tier'" in raised.value.message


@pytest.mark.parametrize(
    ("target", "found", "expected"),
    [
        (TargetSpec(value=1.05, at_risk=1.0), 1.05, "on_track"),
        (TargetSpec(value=1.05, at_risk=1.0), 1.02, "at_risk"),
        (TargetSpec(value=1.05, at_risk=1.0), 1.0, "at_risk"),
        (TargetSpec(value=1.05, at_risk=1.0), 0.99, "off_track"),
        (TargetSpec(value=1.05), 1.04, "off_track"),
        (TargetSpec(value=0.1, at_risk=0.15, direction="lower_is_better"), 0.08, "on_track"),
        (TargetSpec(value=0.1, at_risk=0.15, direction="lower_is_better"), 0.12, "at_risk"),
        (TargetSpec(value=0.1, at_risk=0.15, direction="lower_is_better"), 0.2, "off_track"),
        (TargetSpec(value=1.05, at_risk=1.0), None, None),
        (None, 1.2, None),
    ],
)
def test_status_against_target(target, found, expected):
    query = f"SELECT {status_case('v', target)} FROM (SELECT CAST(? AS DOUBLE) AS v)"
    assert duckdb.connect().execute(query, [found]).fetchone()[0] == expected


def test_money_measures_stay_exact_under_a_formula(analytics):
    net = metric("net", "ending_mrr - starting_mrr")
    three_segments(analytics, [net])

    # 482 - 500, computed on decimals before the cast to DOUBLE.
    assert Decimal(str(value(analytics, "net")["value"])) == Decimal("-18.0")


def test_invalid_formula_points_at_its_line(tmp_path):
    root = make_project(tmp_path / "project", files={})
    (root / "definitions" / "metrics.yml").write_text(
        "metrics:\n"
        "  - name: broken\n"
        "    label: Broken\n"
        "    owner: data_board\n"
        "    formula: ending_mrr / startng_mrr\n"
    )
    context = EngineContext(load_project(root), root / "data", as_of=JAN_2025)
    with pytest.raises(UserError) as raised:
        add_analytics(Pipeline(), context)

    assert raised.value.where.line == 5  # the formula's line in metrics.yml
