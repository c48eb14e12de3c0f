"""At-risk accounts at March 2026: renewal dates, reasons, coverage and escalation tiers."""

from __future__ import annotations

from datetime import date

import pytest

from health.health_project import (
    ACCOUNTS_HEADER,
    SUBSCRIPTIONS_HEADER,
    make_project,
    one,
    rows,
    run_health,
)
from nrrgov.health.run import health_figures

HEALTH = """
signals: [{name: usage}]
components:
  - name: usage
    signal: usage
    weight: 1
    normalization: thresholds
    thresholds: [{min: 0.5, score: 1}]
bands:
  - {name: green, min_score: 0.5}
  - {name: red, min_score: 0}
at_risk: {renewal_window_days: 90, bands: [red], contraction_lookback_months: 3}
escalation:
  - {tier: account_team}
  - {tier: customer_leadership, min_mrr_at_risk: 500}
  - {tier: revenue_council, min_mrr_at_risk: 500, max_days_to_renewal: 30}
"""

ACCOUNTS = f"""
{ACCOUNTS_HEADER}
B1,One,SMB,NA,Ann,,
B2,Two,SMB,NA,Ann,,
B3,Three,Enterprise,NA,Bo,,
B4,Four,Enterprise,NA,Bo,,
B5,Five,SMB,EMEA,,,
B6,Six,SMB,EMEA,,,
"""

# B1 annual from 2025-05-15; B2 monthly, down from 500 to 300 in February 2026; B3
# annual from 2025-04-10; B4 annual from 2025-09-01; B5 and B6 monthly.
SUBSCRIPTIONS = f"""
{SUBSCRIPTIONS_HEADER}
S1,B1,Scale,USD,annual,12000,1,2025-05-15,,active
S2a,B2,Scale,USD,monthly,500,1,2025-01-01,2026-02-01,canceled
S2b,B2,Growth,USD,monthly,300,1,2026-02-01,,active
S3,B3,Scale,USD,annual,24000,1,2025-04-10,,active
S4,B4,Scale,USD,annual,6000,1,2025-09-01,,active
S5,B5,Growth,USD,monthly,200,1,2025-01-01,,active
S6,B6,Growth,USD,monthly,100,1,2025-01-01,,active
"""

SIGNALS = """
account_id,month,signal,value
B1,2026-03-01,usage,0.1
B2,2026-03-01,usage,0.9
B3,2026-03-01,usage,0.2
B4,2026-03-01,usage,0.2
B5,2026-03-01,usage,0.8
B6,2026-03-01,usage,0.3
"""

ENROLLMENTS = """
account_id,play,enrolled_on,group
B3,rescue,2026-03-05,treatment
B6,rescue,2026-03-05,holdout
B1,rescue,2026-04-02,treatment
"""


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    root = make_project(
        tmp_path_factory.mktemp("risk"),
        {
            "accounts.csv": ACCOUNTS,
            "subscriptions.csv": SUBSCRIPTIONS,
            "health_signals.csv": SIGNALS,
            "play_enrollments.csv": ENROLLMENTS,
        },
        {"definitions/health.yml": HEALTH},
    )
    return run_health(root, date(2026, 3, 1))


def at_risk(con, account: str) -> dict:
    cursor = con.execute(f"SELECT * FROM at_risk WHERE account_id = '{account}'")
    names = [column[0] for column in cursor.description]
    found = cursor.fetchall()
    assert len(found) == 1, f"expected one at_risk row for {account}, got {found}"
    return dict(zip(names, found[0], strict=True))


def test_at_risk_accounts(con) -> None:
    # B4 renews 2026-09-01, 154 days out, beyond the 90-day window; B5 is green and flat.
    found = [row[0] for row in rows(con, "SELECT account_id FROM at_risk ORDER BY 1")]
    assert found == ["B1", "B2", "B3", "B6"]


def test_annual_renewal_next_anniversary(con) -> None:
    # From 2025-05-15 every 12 months: next after 2026-03-31 is 2026-05-15,
    # 30 days of April + 15 of May = 45 days.
    row = at_risk(con, "B1")
    assert row["renewal_date"] == date(2026, 5, 15)
    assert row["days_to_renewal"] == 45


def test_band_reason_and_tier(con) -> None:
    # MRR 12000 / 12 = 1000 >= 500 but 45 days > 30: customer_leadership.
    row = at_risk(con, "B1")
    assert row["reason"] == "band"
    assert row["mrr_at_risk"] == 1000
    assert row["tier"] == "customer_leadership"


def test_enrollment_after_reference_day_does_not_cover(con) -> None:
    # B1 enrolls on 2026-04-02, after the reference day 2026-03-31.
    assert at_risk(con, "B1")["covered"] is False


def test_contracting_monthly_account(con) -> None:
    # MRR 500 at 2025-12 and 300 at 2026-03: contracting by 200. Monthly renewal at the
    # end of April, 2026-04-30, 30 days out. 300 < 500: account_team.
    row = at_risk(con, "B2")
    assert row["reason"] == "contraction"
    assert row["contraction_mrr"] == 200
    assert row["renewal_date"] == date(2026, 4, 30)
    assert row["days_to_renewal"] == 30
    assert row["tier"] == "account_team"


def test_near_renewal_escalates_to_council(con) -> None:
    # Annual from 2025-04-10: renews 2026-04-10, 10 days out; MRR 2000 >= 500 and
    # 10 <= 30: revenue_council.
    row = at_risk(con, "B3")
    assert row["days_to_renewal"] == 10
    assert row["tier"] == "revenue_council"


def test_treatment_enrollment_covers(con) -> None:
    row = at_risk(con, "B3")
    assert row["covered"] is True
    assert row["covering_plays"] == "rescue"


def test_holdout_enrollment_does_not_cover(con) -> None:
    assert at_risk(con, "B6")["covered"] is False


def test_owner_defaults_to_unassigned(con) -> None:
    assert at_risk(con, "B6")["csm_owner"] == "(unassigned)"


def test_covered_mrr_total(con) -> None:
    # At risk: 1000 + 300 + 2000 + 100 = 3400, of which B3's 2000 is covered.
    total, covered = one(
        con,
        "SELECT sum(mrr_at_risk), sum(CASE WHEN covered THEN mrr_at_risk ELSE 0 END) FROM at_risk",
    )
    assert total == 3400
    assert covered == 2000


def test_health_figures(con) -> None:
    # Four accounts at risk with 3,400 MRR, 2,000 covered; six accounts scored in March.
    assert health_figures(con) == {
        "at_risk_accounts": 4,
        "at_risk_mrr": 3400.0,
        "covered_mrr": 2000.0,
        "accounts_scored": 6,
    }
