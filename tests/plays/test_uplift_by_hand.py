"""A four-account play worked out by hand: NRR per group, uplift, interval, return, SLA."""

from __future__ import annotations

import pytest

from play_projects import play_yaml, row, run_plays, write_project

ACCOUNTS = [
    "T1,Tee One,SMB,NA,csm1,2024-10-01,",
    "T2,Tee Two,SMB,NA,csm2,2024-10-01,",
    "H1,Aitch One,SMB,NA,csm1,2024-10-01,",
    "H2,Aitch Two,SMB,NA,csm2,2024-10-01,",
]
SUBSCRIPTIONS = [
    "S1,T1,base,USD,monthly,100,1,2024-10-01,,active",
    "S2,T1,addon,USD,monthly,20,1,2025-02-10,,active",
    "S3,T2,base,USD,monthly,200,1,2024-10-01,,active",
    "S4,H1,base,USD,monthly,100,1,2024-10-01,2025-02-15,canceled",
    "S5,H1,base,USD,monthly,90,1,2025-02-15,,active",
    "S6,H2,base,USD,monthly,100,1,2024-10-01,,active",
]
# Enrolled on Friday 2025-01-10: base month 2024-12, outcome month 2025-03 (3-month window).
ENROLLMENTS = [
    "T1,pilot,2025-01-10,treatment",
    "T2,pilot,2025-01-10,treatment",
    "H1,pilot,2025-01-10,holdout",
    "H2,pilot,2025-01-10,holdout",
]
ACTIVITIES = [
    "T1,pilot,2025-01-13,call",  # Monday: 1 business day, within the 3-day SLA
    "T2,pilot,2025-01-20,call",  # the Monday after: 6 business days, a breach
]
COST = {"fte": 1, "loaded_monthly_cost_per_fte": 10}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    root = write_project(
        tmp_path_factory.mktemp("hand") / "project",
        ACCOUNTS,
        SUBSCRIPTIONS,
        {"pilot": play_yaml("pilot", cost=COST)},
        ENROLLMENTS,
        ACTIVITIES,
    )
    return run_plays(root)


@pytest.fixture(scope="module")
def holdout(con):
    return row(con, "SELECT * FROM holdouts WHERE play = 'pilot'")


@pytest.fixture(scope="module")
def council(con):
    return row(con, "SELECT * FROM council WHERE play = 'pilot'")


def test_group_sizes(holdout):
    assert holdout["treatment_size"] == 2
    assert holdout["holdout_size"] == 2


def test_treatment_nrr(holdout):
    # (T1 100 -> 120, T2 200 -> 200): 320 / 300
    assert holdout["treatment_nrr"] == pytest.approx(320 / 300)


def test_holdout_nrr(holdout):
    # (H1 100 -> 90, H2 100 -> 100): 190 / 200
    assert holdout["holdout_nrr"] == pytest.approx(0.95)


def test_uplift(holdout):
    # 1.066667 - 0.95
    assert holdout["uplift"] == pytest.approx(320 / 300 - 0.95)


def test_expansion_rates(holdout):
    # treatment: T1 grew by 20 over a base of 300; holdout: no account grew
    assert holdout["treatment_expansion_rate"] == pytest.approx(20 / 300)
    assert holdout["holdout_expansion_rate"] == pytest.approx(0.0)


def test_interval_bounds(holdout):
    # Resampled treatment NRR is 1.0 (T2 twice), 1.0667 or 1.2 (T1 twice); holdout 0.9
    # (H1 twice), 0.95 or 1.0. Each extreme pair has probability 1/16 > 2.5%, so the
    # quantiles are the extremes: 1.0 - 1.0 = 0 and 1.2 - 0.9 = 0.3.
    assert holdout["ci_low"] == pytest.approx(0.0, abs=1e-12)
    assert holdout["ci_high"] == pytest.approx(0.3)


def test_srm_even_split(holdout):
    # 2 and 2 against a 0.5 share: chi-square 0, p-value erfc(0) = 1
    assert holdout["srm_p_value"] == pytest.approx(1.0)


def test_return(council):
    # incremental ARR 12 * 0.116667 * 300 = 420; annual cost 12 * 1 FTE * 10 = 120
    assert council["incremental_arr"] == pytest.approx(420)
    assert council["annual_cost"] == pytest.approx(120)
    assert council["roi"] == pytest.approx(3.5)


def test_recommendation_spans_zero(council):
    # ci_low is 0, not above it, so only the last rule holds
    assert council["recommendation"] == "iterate"
    assert council["rule"] == "iterate_otherwise"


def test_sla_compliance(council):
    # one of the two treatment enrollments was touched in time
    assert council["sla_compliance"] == pytest.approx(0.5)


def test_sla_breach_by_owner(con):
    breaches = con.execute(
        "SELECT csm_owner, breaches FROM play_sla WHERE play = 'pilot' ORDER BY csm_owner"
    ).fetchall()
    assert breaches == [("csm1", 0), ("csm2", 1)]


def test_eligible_and_enrolled(council):
    # every account has MRR in 2025-06, and all four are enrolled
    assert council["eligible"] == 4
    assert council["enrolled"] == 4
