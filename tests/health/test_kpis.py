"""Operating KPIs, rep attainment and targets against actuals, as of January 2026.

Five SMB accounts in NA, MRR by month:

- C1 (Ann): 100 from 2025-01, 150 from 2025-12 (expansion of 50 in December);
- C2 (Ann): 200 from 2025-01 to 2025-05, churned in June;
- C3 (Bo): 300 from 2025-01, 240 from 2025-10 (contraction);
- C4 (Bo): new in 2025-07 at 50;
- C5 (Bo): new in 2025-08 at 80, 100 from 2025-10 (expansion of 20).

The 12-month base at 2025-01 is C1, C2 and C3: starting MRR 600, ending MRR at
2026-01 150 + 0 + 240 = 390.
"""

from __future__ import annotations

from datetime import date

import pytest

from health.health_project import ACCOUNTS_HEADER, make_project, one, rows, run_health

ACCOUNTS = f"""
{ACCOUNTS_HEADER}
C1,One,SMB,NA,Ann,,
C2,Two,SMB,NA,Ann,,
C3,Three,SMB,NA,Bo,,
C4,Four,SMB,NA,Bo,,
C5,Five,SMB,NA,Bo,,
"""


def _months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}-01")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _mrr() -> str:
    spans = [
        ("C1", "2025-01", "2025-11", 100),
        ("C1", "2025-12", "2026-01", 150),
        ("C2", "2025-01", "2025-05", 200),
        ("C3", "2025-01", "2025-09", 300),
        ("C3", "2025-10", "2026-01", 240),
        ("C4", "2025-07", "2026-01", 50),
        ("C5", "2025-08", "2025-09", 80),
        ("C5", "2025-10", "2026-01", 100),
    ]
    lines = ["account_id,month,mrr"]
    for account, first, last, mrr in spans:
        lines.extend(f"{account},{month},{mrr}" for month in _months(first, last))
    return "\n".join(lines) + "\n"


SIGNALS = """
account_id,month,signal,value
C3,2025-05-01,usage,0.1
C4,2025-07-01,usage,0.2
C4,2025-09-01,usage,0.6
C5,2025-10-01,usage,0.3
C1,2026-01-01,usage,0.7
"""

FORECASTS = """
account_id,month,forecast_mrr
C1,2026-01-01,120
C3,2026-01-01,300
C2,2026-01-01,10
"""

ACTIVITIES = """
account_id,play,occurred_at,kind
C1,,2025-11-20,expansion_opportunity
C3,,2025-06-10,expansion_opportunity
C4,,2026-01-05,expansion_opportunity
C5,,2025-09-15,call
"""

DECISIONS = """
decision_id,decision,body,raised_on,decided_on,outcome
D1,budget_shift,revenue_council,2025-12-01,2025-12-11,approved
D2,budget_shift,revenue_council,2026-01-02,2026-01-22,approved
D3,play_approval,playbook_pmo,2026-01-10,,
D4,play_approval,playbook_pmo,2026-01-20,2026-02-03,approved
"""

TARGETS = """
targets:
  - {name: nrr_jan, metric: nrr, start: 2026-01, end: 2026-01, value: 1.0, at_risk: 0.9}
  - name: churn_winter
    metric: churn_pct
    start: 2025-12
    end: 2026-01
    value: 0.3
    at_risk: 0.4
    direction: lower_is_better
  - name: nrr_enterprise
    metric: nrr
    slice: {segment: Enterprise}
    start: 2026-01
    end: 2026-01
    value: 1.0
    at_risk: 0.9
kpis:
  lookback_months: 12
  activation: {signal: usage, min_value: 0.5}
  opportunity: {kind: expansion_opportunity, won_within_months: 3}
  decision_sla_days: {budget_shift: 14}
"""

INCENTIVES = """
plan:
  name: csm
  weights: {nrr: 0.5, grr: 0.3, bookings: 0.2}
  quotas: {nrr: 1.0, grr: 0.9, bookings: 100}
  lookback_months: 12
adoption_verification: {signal: usage, min_value: 0.5, within_days: 60}
"""


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    root = make_project(
        tmp_path_factory.mktemp("kpis"),
        {
            "accounts.csv": ACCOUNTS,
            "mrr.csv": _mrr(),
            "health_signals.csv": SIGNALS,
            "forecasts.csv": FORECASTS,
            "activities.csv": ACTIVITIES,
            "decisions.csv": DECISIONS,
        },
        {"definitions/targets.yml": TARGETS, "definitions/incentives.yml": INCENTIVES},
    )
    return run_health(root, date(2026, 1, 1))


def kpi(con, name: str, **cut) -> tuple:
    columns = {"segment": "(all)", "region": "(all)", "csm_owner": "(all)"}
    columns |= {"body": "(all)", "decision": "(all)"} | cut
    where = " AND ".join(f"{column} = '{value}'" for column, value in columns.items())
    return one(
        con,
        f"SELECT value, numerator, denominator FROM kpis WHERE kpi = '{name}' "
        f"AND as_of = DATE '2026-01-01' AND {where}",
    )


def test_forecast_accuracy(con) -> None:
    # |120 - 150| + |300 - 240| + |10 - 0| = 30 + 60 + 10 = 100 over actual 390:
    # 1 - 100 / 390.
    value, numerator, denominator = kpi(con, "forecast_accuracy")
    assert numerator == pytest.approx(100)
    assert denominator == pytest.approx(390)
    assert value == pytest.approx(1 - 100 / 390)


def test_forecast_bias(con) -> None:
    # (120 - 150) + (300 - 240) + (10 - 0) = 40 over 390: over-forecast.
    assert kpi(con, "forecast_bias")[0] == pytest.approx(40 / 390)


def test_net_dollars_retained_total(con) -> None:
    # 390 / 600.
    assert kpi(con, "net_dollars_retained")[0] == pytest.approx(0.65)


def test_net_dollars_retained_per_rep(con) -> None:
    # Ann: (150 + 0) / (100 + 200) = 0.5; Bo: 240 / 300 = 0.8.
    assert kpi(con, "net_dollars_retained", csm_owner="Ann")[0] == pytest.approx(0.5)
    assert kpi(con, "net_dollars_retained", csm_owner="Bo")[0] == pytest.approx(0.8)


def test_expansion_and_churn_pct(con) -> None:
    # Expansion of the base: C1's 50 over 600; churn: C2's 200 over 600.
    assert kpi(con, "expansion_pct")[0] == pytest.approx(50 / 600)
    assert kpi(con, "churn_pct")[0] == pytest.approx(200 / 600)


def test_time_to_value(con) -> None:
    # Signals start 2025-05, so C4 (first MRR 2025-07) and C5 (2025-08) are measured.
    # C4 activates 2025-09: 62 days (31 in July, 31 in August); C5 never does.
    value, numerator, denominator = kpi(con, "time_to_value_days")
    assert value == pytest.approx(62)
    assert denominator == 1


def test_activation_rate(con) -> None:
    # One of C4 and C5 activated.
    assert kpi(con, "activation_rate")[0] == pytest.approx(0.5)


def test_win_rate(con) -> None:
    # C1 (2025-11) won by December's expansion; C3 (2025-06) lost, its window closed in
    # 2025-09 without one; C4 (2026-01) still open, left out. 1 of 2.
    value, numerator, denominator = kpi(con, "win_rate")
    assert numerator == 1
    assert denominator == 2
    assert value == pytest.approx(0.5)


def test_decision_cycle_time(con) -> None:
    # D1 10 days, D2 20 days; D3 is open and D4 decided after January: mean 15.
    value, numerator, denominator = kpi(con, "decision_cycle_days")
    assert value == pytest.approx(15)
    assert denominator == 2


def test_decision_cycle_by_body(con) -> None:
    found = kpi(con, "decision_cycle_days", body="revenue_council", decision="budget_shift")[0]
    assert found == pytest.approx(15)


def test_decision_sla_met(con) -> None:
    # SLA 14 days: D1 (10) met, D2 (20) missed.
    assert kpi(con, "decision_sla_met")[0] == pytest.approx(0.5)


def attainment(con, rep: str) -> dict:
    cursor = con.execute(f"SELECT * FROM attainment WHERE csm_owner = '{rep}'")
    names = [column[0] for column in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_attainment_ann(con) -> None:
    # nrr 150 / 300 = 0.5; grr (min(150, 100) + min(0, 200)) / 300 = 1/3; bookings: C1's
    # 50 in December, verified by usage 0.7 in January (within 60 days).
    # 0.5 * 0.5 / 1.0 + 0.3 * (1/3) / 0.9 + 0.2 * 50 / 100 = 0.25 + 0.1111 + 0.1.
    row = attainment(con, "Ann")
    assert row["nrr"] == pytest.approx(0.5)
    assert row["grr"] == pytest.approx(1 / 3)
    assert row["bookings_mrr"] == 50
    assert row["attainment"] == pytest.approx(0.25 + 0.1 / 0.9 + 0.1)


def test_attainment_unverified_expansion(con) -> None:
    # C5's expansion of 20 has no usage at 0.5 or more, so it is not credited.
    # 0.5 * 0.8 + 0.3 * 0.8 / 0.9 + 0 = 0.4 + 0.2667.
    row = attainment(con, "Bo")
    assert row["unverified_expansion_mrr"] == 20
    assert row["bookings_mrr"] == 0
    assert row["attainment"] == pytest.approx(0.4 + 0.24 / 0.9)


def target(con, name: str, month: str) -> tuple:
    return one(
        con,
        "SELECT actual, gap, status FROM targets_vs_actuals "
        f"WHERE target = '{name}' AND as_of = DATE '{month}'",
    )


def test_target_off_track(con) -> None:
    # NRR 0.65 is below the at-risk threshold 0.9; gap 0.65 - 1.0.
    actual, gap, status = target(con, "nrr_jan", "2026-01-01")
    assert actual == pytest.approx(0.65)
    assert gap == pytest.approx(-0.35)
    assert status == "off_track"


def test_target_lower_is_better_at_risk(con) -> None:
    # churn 1/3 is above the target 0.3 but within the at-risk 0.4.
    assert target(con, "churn_winter", "2026-01-01")[2] == "at_risk"


def test_target_month_without_actual(con) -> None:
    # KPIs are computed at the as-of month only, so December has no actual.
    assert target(con, "churn_winter", "2025-12-01")[2] == "no_data"


def test_target_slice_without_rows(con) -> None:
    assert target(con, "nrr_enterprise", "2026-01-01")[2] == "no_data"


def test_health_tables_empty_without_file(con) -> None:
    assert rows(con, "SELECT * FROM health_scores") == []
    assert rows(con, "SELECT * FROM at_risk") == []
