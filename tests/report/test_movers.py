"""Top movers: ranking, MRR before and after, account attributes and history."""

from __future__ import annotations

from datetime import date

import pytest

from nrrgov.report.movers import top_movers

FEB, MAR = date(2026, 2, 1), date(2026, 3, 1)


def mrr_row(account, month, mrr, movement=None, movement_mrr=0):
    return {
        "account_id": account,
        "month": month,
        "mrr": mrr,
        "mrr_constant_currency": mrr,
        "movement": movement,
        "movement_mrr": movement_mrr,
    }


ACCOUNT_MRR = [
    mrr_row("NEW1", MAR, 500, "new", 500),
    mrr_row("EXP1", FEB, 100),
    mrr_row("EXP1", MAR, 150, "expansion", 50),
    mrr_row("CON1", FEB, 200),
    # Written with a negative movement: the page shows the sign of the kind either way.
    mrr_row("CON1", MAR, 120, "contraction", -80),
    mrr_row("CHU1", FEB, 300),
    mrr_row("CHU1", MAR, 0, "churn", 300),
    mrr_row("QUIET", MAR, 40),
]


@pytest.fixture
def movers(run_writer):
    run_writer.table("account_mrr", ACCOUNT_MRR)
    run_writer.table(
        "accounts",
        [
            {
                "account_id": "EXP1",
                "account_name": "Expanding Ltd",
                "segment": "SMB",
                "region": "EMEA",
                "csm_owner": "dana",
            }
        ],
    )
    with run_writer.open() as tables:
        return top_movers(tables, "2026-03")


def only(movers: dict, kind: str) -> dict:
    rows = movers["movers"]["2026-03"][kind]
    assert len(rows) == 1, f"expected one {kind} row, found {len(rows)}"
    return rows[0]


def test_movers_months_newest_first(movers):
    assert movers["months"][0] == "2026-03"
    assert movers["months"][-1] == "2025-04"


def test_movers_before_and_after(movers):
    expansion = only(movers, "expansion")
    assert expansion["before"] == 100
    assert expansion["after"] == 150
    assert expansion["change"] == 50


def test_movers_new_has_no_before(movers):
    new = only(movers, "new")
    assert new["before"] == 0
    assert new["after"] == 500


def test_movers_decreases_negative(movers):
    assert only(movers, "contraction")["change"] == -80
    churn = only(movers, "churn")
    assert churn["change"] == -300
    assert churn["before"] == 300
    assert churn["after"] == 0


def test_movers_attributes_from_accounts(movers):
    expansion = only(movers, "expansion")
    assert movers["has_accounts"] is True
    assert expansion["name"] == "Expanding Ltd"
    assert expansion["segment"] == "SMB"
    assert expansion["owner"] == "dana"
    # CHU1 is not in the accounts table.
    assert only(movers, "churn")["name"] is None


def test_movers_history_only_listed(movers):
    history = movers["history"]
    assert "QUIET" not in history["accounts"]
    assert len(history["months"]) == 24
    # Two months of data; the 22 months before are 0.
    assert history["accounts"]["EXP1"][-2:] == [100, 150]
    assert history["accounts"]["EXP1"][0] == 0


def test_movers_without_accounts_table(run_writer):
    run_writer.table("account_mrr", ACCOUNT_MRR)
    with run_writer.open() as tables:
        movers = top_movers(tables, "2026-03")
    assert movers["has_accounts"] is False
    assert only(movers, "expansion")["name"] is None


def test_movers_top_twenty_by_size(run_writer):
    # 25 expansions of 1..25; ties broken by account id.
    rows = [mrr_row(f"E{i:02d}", MAR, 100 + i, "expansion", i) for i in range(1, 26)]
    rows.append(mrr_row("TIE", MAR, 125, "expansion", 25))
    run_writer.table("account_mrr", rows)
    with run_writer.open() as tables:
        listed = top_movers(tables, "2026-03")["movers"]["2026-03"]["expansion"]
    ids = [row["account_id"] for row in listed]
    assert len(ids) == 20
    # E25 and TIE both moved 25: 'E25' sorts before 'TIE'. Then 24 down to 7.
    assert ids[:3] == ["E25", "TIE", "E24"]
    assert ids[-1] == "E07"
