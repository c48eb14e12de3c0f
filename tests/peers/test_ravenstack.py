"""``nrrgov compute`` end to end on the RavenStack sample, checked by hand.

Subscriptions come from one public copy of the data set (CRLF, ISO dates) and accounts
from another (UTF-8 byte order mark, CRLF, DD-MM-YYYY sign-up dates). ``mrr_amount`` is
a monthly amount, trials carry none, and an account's overlapping rows add up. The
default snapshot counts a row in a month when it is in service on the month's last day,
with ``end_date`` the first day out of service.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest
from peer_tables import account_month, open_tables

from nrrgov.engine.run import compute

pytestmark = pytest.mark.peer

REPO = Path(__file__).resolve().parents[2]
PEER_DATA = REPO / ".." / "shared" / "data" / "peer_data"
SUBSCRIPTIONS = (
    PEER_DATA / "Monish-2305_SaaS---Cohort-Retention-Analysis" / "ravenstack_subscriptions.csv"
)
ACCOUNTS = (
    PEER_DATA
    / "dineshbarri_saas-subscription-revenue-churn-intelligence"
    / "ravenstack_accounts.csv"
)
PROJECT = REPO / "examples" / "peers" / "ravenstack"
# The last subscriptions start on 2024-12-31, the export's last day.
AS_OF = date(2024, 12, 1)


def _require_exports() -> None:
    for path in (SUBSCRIPTIONS, ACCOUNTS):
        assert path.is_file(), (
            f"peer sample data not found at {path.resolve()}: the peer tests need the sample "
            "exports in shared/data/peer_data beside the repository checkout"
        )


def _read_csv(path: Path) -> list[dict[str, str]]:
    # utf-8-sig drops the byte order mark of the accounts file; csv handles CRLF.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Path:
    _require_exports()
    out = tmp_path_factory.mktemp("ravenstack") / "target"
    compute(PROJECT, data_dir=None, as_of=AS_OF, out_dir=out)
    return out / "tables"


@pytest.fixture(scope="module")
def con(tables) -> duckdb.DuckDBPyConnection:
    return open_tables(tables, ("account_mrr", "movements", "quarantine"))


def test_every_subscription_account_is_known():
    # Checked on the raw rows: all 500 account ids of the subscriptions file appear in
    # the accounts file, and every account there has at least one subscription.
    _require_exports()
    subscribed = {row["account_id"] for row in _read_csv(SUBSCRIPTIONS)}
    known = {row["account_id"] for row in _read_csv(ACCOUNTS)}
    assert len(subscribed) == 500
    assert len(known) == 500
    assert subscribed - known == set()
    assert known - subscribed == set()


# Account A-ef84cf (accounts row: Company_274, EdTech, US, signed up 01-03-2024,
# Enterprise). Its subscription rows, by start date:
#   S-62fb8e 2024-03-12 (open)        Enterprise  8 seats     0  is_trial True
#   S-d5ac8c 2024-05-22 (open)        Enterprise 34 seats  6766
#   S-9333c5 2024-06-06 to 2024-08-13 Basic       8 seats   152
#   S-763d33 2024-07-25 (open)        Basic      23 seats   437
#   S-1ffdd8 2024-08-08 (open)        Basic       8 seats   152
# Month-end MRR:
#   2024-03, 2024-04  0                  (only the trial)
#   2024-05  6766                        new 6766
#   2024-06  6766 + 152 = 6918           expansion 152
#   2024-07  6918 + 437 = 7355           expansion 437
#   2024-08  6766 + 437 + 152 = 7355     S-9333c5 ended on 08-13 and S-1ffdd8 started on
#                                        08-08 at the same 152, so no movement
#   2024-12  7355                        unchanged to the end of the export
ACCOUNT_EF84CF = [
    ("2024-03", 0, None, None),
    ("2024-04", 0, None, None),
    ("2024-05", 6766, "new", 6766),
    ("2024-06", 6918, "expansion", 152),
    ("2024-07", 7355, "expansion", 437),
    ("2024-08", 7355, None, None),
    ("2024-12", 7355, None, None),
]

# Account A-1e50e0 (Company_415, Cybersecurity, DE, signed up 21-02-2023). Its rows:
#   S-1d15a7 2023-03-23 (open)        Enterprise 19 seats  3781
#   S-de543d 2023-04-25 to 2024-01-13 Enterprise 19 seats     0  is_trial True
#   S-9b5676 2024-03-02 (open)        Pro        98 seats  4802
#   S-127d0b 2024-05-04 (open)        Pro        19 seats   931
#   S-f9c661 2024-09-05 (open)        Enterprise 19 seats  3781
# Month-end MRR:
#   2023-03  3781                        new 3781
#   2023-04  3781                        the overlapping trial adds nothing
#   2024-01  3781                        the trial's end changes nothing either
#   2024-03  3781 + 4802 = 8583          expansion 4802
#   2024-05  8583 + 931 = 9514           expansion 931
#   2024-09  9514 + 3781 = 13295         expansion 3781
#   2024-12  13295
ACCOUNT_1E50E0 = [
    ("2023-02", 0, None, None),
    ("2023-03", 3781, "new", 3781),
    ("2023-04", 3781, None, None),
    ("2024-01", 3781, None, None),
    ("2024-02", 3781, None, None),
    ("2024-03", 8583, "expansion", 4802),
    ("2024-04", 8583, None, None),
    ("2024-05", 9514, "expansion", 931),
    ("2024-09", 13295, "expansion", 3781),
    ("2024-12", 13295, None, None),
]


@pytest.mark.parametrize(
    ("account", "expected"),
    [("A-ef84cf", ACCOUNT_EF84CF), ("A-1e50e0", ACCOUNT_1E50E0)],
    ids=["A-ef84cf", "A-1e50e0"],
)
def test_month_end_mrr_by_hand(con, account, expected):
    for month, mrr, _, _ in expected:
        assert account_month(con, account, month)[0] == mrr, month


@pytest.mark.parametrize(
    ("account", "expected"),
    [("A-ef84cf", ACCOUNT_EF84CF), ("A-1e50e0", ACCOUNT_1E50E0)],
    ids=["A-ef84cf", "A-1e50e0"],
)
def test_movements_by_hand(con, account, expected):
    for month, _, movement, amount in expected:
        _, found, found_amount = account_month(con, account, month)
        assert found == movement, month
        if amount is not None:
            # Movement amounts are magnitudes; the kind gives the direction.
            assert abs(found_amount) == amount, month


def test_slices_come_from_accounts_file(con):
    # plan_tier, industry and country are columns of the accounts file only, so values in
    # these slices prove the accounts were read and joined (BOM and CRLF included).
    for column, values in (
        ("plan_tier", {"Basic", "Pro", "Enterprise"}),
        ("industry", {"Cybersecurity", "DevTools", "EdTech", "FinTech", "HealthTech"}),
        ("country", {"AU", "CA", "DE", "FR", "IN", "UK", "US"}),
    ):
        found = {
            row[0] for row in con.execute(f"SELECT DISTINCT {column} FROM movements").fetchall()
        }
        assert found - {"(all)"} == values, column


def test_bridge_closes_every_month(con):
    broken = con.execute(
        """
        SELECT count(*) FROM movements
        WHERE opening_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr
              - churned_mrr + fx_impact <> closing_mrr
        """
    ).fetchone()[0]
    assert broken == 0


def test_zero_length_rows_quarantined(con):
    # With exclusive end dates a row whose end_date equals its start_date is never in
    # service, so it is set aside with its row number (data rows count from 1).
    expected = {
        number
        for number, row in enumerate(_read_csv(SUBSCRIPTIONS), start=1)
        if row["end_date"] == row["start_date"]
    }
    found = {
        row[0]
        for row in con.execute(
            "SELECT row FROM quarantine WHERE source = 'subscriptions'"
        ).fetchall()
    }
    assert len(expected) == 13
    assert found == expected
