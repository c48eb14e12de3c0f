"""``nrrgov compute`` end to end on dbt Labs' mrr-playbook sample, checked by hand.

The export ``subscription_periods.csv`` has one row per subscription with a monthly
amount in USD. Dates are first days of months and ``end_date`` is the first month no
longer in service. The default snapshot counts a subscription in a month when it is in
service on the month's last day, so a row from 2018-11-01 to 2019-02-01 counts in
2018-11, 2018-12 and 2019-01.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from peer_tables import account_month, month_start, open_tables

from nrrgov.engine.run import compute

pytestmark = pytest.mark.peer

REPO = Path(__file__).resolve().parents[2]
PEER_DATA = REPO / ".." / "shared" / "data" / "peer_data"
EXPORT = PEER_DATA / "dbt-labs_mrr-playbook" / "subscription_periods.csv"
PROJECT = REPO / "examples" / "peers" / "mrr-playbook"
# The last month with revenue: rows 117, 119, 120 and 121 end on 2020-02-01.
AS_OF = date(2020, 1, 1)


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Path:
    assert EXPORT.is_file(), (
        f"peer sample data not found at {EXPORT.resolve()}: the peer tests need the sample "
        "exports in shared/data/peer_data beside the repository checkout"
    )
    out = tmp_path_factory.mktemp("mrr-playbook") / "target"
    compute(PROJECT, data_dir=None, as_of=AS_OF, out_dir=out)
    return out / "tables"


@pytest.fixture(scope="module")
def con(tables) -> duckdb.DuckDBPyConnection:
    return open_tables(tables, ("account_mrr", "movements", "retention"))


# Customer 1, rows 1-3 of the export:
#   1,1,2018-11-01,2019-02-01,50   in service at the ends of 2018-11, 2018-12, 2019-01
#   2,1,2019-04-01,2019-06-01,50   in service at the ends of 2019-04, 2019-05
#   3,1,2019-06-01,2019-08-01,75   in service at the ends of 2019-06, 2019-07
# MRR by month and the movement from the month before:
#   2018-11  50  new 50            (first month with MRR)
#   2018-12  50  -
#   2019-01  50  -
#   2019-02   0  churn 50          (row 1 ended on 2019-02-01)
#   2019-03   0  -
#   2019-04  50  reactivation 50   (MRR again after two months at zero)
#   2019-05  50  -
#   2019-06  75  expansion 25      (75 - 50)
#   2019-07  75  -
#   2019-08   0  churn 75
CUSTOMER_1 = [
    ("2018-10", 0, None, None),
    ("2018-11", 50, "new", 50),
    ("2018-12", 50, None, None),
    ("2019-01", 50, None, None),
    ("2019-02", 0, "churn", 50),
    ("2019-03", 0, None, None),
    ("2019-04", 50, "reactivation", 50),
    ("2019-05", 50, None, None),
    ("2019-06", 75, "expansion", 25),
    ("2019-07", 75, None, None),
    ("2019-08", 0, "churn", 75),
    ("2019-09", 0, None, None),
]

# Customer 5, rows 7-13:
#   7,5,2018-11-01,2018-12-01,50    2018-11
#   8,5,2018-12-01,2019-03-01,25    2018-12, 2019-01, 2019-02
#   9,5,2019-07-01,2019-08-01,50    2019-07
#  10,5,2019-08-01,2019-09-01,25    2019-08
#  11,5,2019-09-01,2019-10-01,50    2019-09
#  12,5,2019-10-01,2019-12-01,25    2019-10, 2019-11
#  13,5,2019-12-01,2020-01-01,40    2019-12
# MRR and movements:
#   2018-11 50 new 50; 2018-12 25 contraction 25 (50 - 25); 2019-01 and 2019-02 25;
#   2019-03 0 churn 25; 2019-04 to 2019-06 0; 2019-07 50 reactivation 50 (four months at
#   zero); 2019-08 25 contraction 25; 2019-09 50 expansion 25; 2019-10 25 contraction 25;
#   2019-11 25; 2019-12 40 expansion 15 (40 - 25); 2020-01 0 churn 40.
CUSTOMER_5 = [
    ("2018-11", 50, "new", 50),
    ("2018-12", 25, "contraction", 25),
    ("2019-01", 25, None, None),
    ("2019-02", 25, None, None),
    ("2019-03", 0, "churn", 25),
    ("2019-04", 0, None, None),
    ("2019-06", 0, None, None),
    ("2019-07", 50, "reactivation", 50),
    ("2019-08", 25, "contraction", 25),
    ("2019-09", 50, "expansion", 25),
    ("2019-10", 25, "contraction", 25),
    ("2019-11", 25, None, None),
    ("2019-12", 40, "expansion", 15),
    ("2020-01", 0, "churn", 40),
]

# Customer 10, rows 22-29:
#  22,10,2018-04-01,2018-05-01,80   2018-04
#  23,10,2018-09-01,2018-10-01,50   2018-09
#  24,10,2018-10-01,2019-04-01,25   2018-10 to 2019-03
#  25,10,2019-04-01,2019-05-01,50   2019-04
#  26,10,2019-05-01,2019-06-01,25   2019-05
#  27,10,2019-06-01,2019-11-01,50   2019-06 to 2019-10
#  28,10,2019-11-01,2019-12-01,25   2019-11
#  29,10,2019-12-01,2020-01-01,35   2019-12
# MRR and movements:
#   2018-04 80 new 80; 2018-05 0 churn 80; 2018-06 to 2018-08 0; 2018-09 50 reactivation
#   50; 2018-10 25 contraction 25; 2019-03 25; 2019-04 50 expansion 25; 2019-05 25
#   contraction 25; 2019-06 50 expansion 25; 2019-10 50; 2019-11 25 contraction 25;
#   2019-12 35 expansion 10; 2020-01 0 churn 35.
CUSTOMER_10 = [
    ("2018-04", 80, "new", 80),
    ("2018-05", 0, "churn", 80),
    ("2018-08", 0, None, None),
    ("2018-09", 50, "reactivation", 50),
    ("2018-10", 25, "contraction", 25),
    ("2019-03", 25, None, None),
    ("2019-04", 50, "expansion", 25),
    ("2019-05", 25, "contraction", 25),
    ("2019-06", 50, "expansion", 25),
    ("2019-10", 50, None, None),
    ("2019-11", 25, "contraction", 25),
    ("2019-12", 35, "expansion", 10),
    ("2020-01", 0, "churn", 35),
]


@pytest.mark.parametrize(
    ("account", "expected"),
    [("1", CUSTOMER_1), ("5", CUSTOMER_5), ("10", CUSTOMER_10)],
    ids=["customer-1", "customer-5", "customer-10"],
)
def test_monthly_mrr_by_hand(con, account, expected):
    for month, mrr, _, _ in expected:
        assert account_month(con, account, month)[0] == mrr, month


@pytest.mark.parametrize(
    ("account", "expected"),
    [("1", CUSTOMER_1), ("5", CUSTOMER_5), ("10", CUSTOMER_10)],
    ids=["customer-1", "customer-5", "customer-10"],
)
def test_movements_by_hand(con, account, expected):
    for month, _, movement, amount in expected:
        _, found, found_amount = account_month(con, account, month)
        assert found == movement, month
        if amount is not None:
            # Movement amounts are magnitudes; the kind gives the direction.
            assert abs(found_amount) == amount, month


def _bridge(con, month: str) -> dict:
    row = con.execute(
        "SELECT opening_mrr, new_mrr, reactivation_mrr, expansion_mrr, contraction_mrr, "
        "churned_mrr, fx_impact, closing_mrr, active_logos FROM movements WHERE month = ?",
        [month_start(month)],
    ).fetchall()
    assert len(row) == 1, f"expected one unsliced movements row for {month}, found {len(row)}"
    names = ("opening", "new", "reactivation", "expansion", "contraction", "churned", "fx")
    return dict(zip([*names, "closing", "logos"], row[0], strict=True))


# The only rows starting in 2017:
#   4,2,2017-09-01,2017-11-01,25   5,3,2017-09-01,2017-10-01,50   6,4,2017-10-01,2017-11-01,25
# 2017-09: customers 2 and 3 are new: 25 + 50 = 75.
# 2017-10: customer 3 churns (50), customer 4 is new (25): 75 - 50 + 25 = 50.
# 2017-11: customers 2 and 4 both end on 2017-11-01: churn 25 + 25 = 50, closing 0.
FIRST_MONTHS = [
    ("2017-09", {"opening": 0, "new": 75, "churned": 0, "closing": 75, "logos": 2}),
    ("2017-10", {"opening": 75, "new": 25, "churned": 50, "closing": 50, "logos": 2}),
    ("2017-11", {"opening": 50, "new": 0, "churned": 50, "closing": 0, "logos": 0}),
]


@pytest.mark.parametrize(("month", "expected"), FIRST_MONTHS, ids=[m for m, _ in FIRST_MONTHS])
def test_first_months_bridge(con, month, expected):
    bridge = _bridge(con, month)
    for name, value in expected.items():
        assert bridge[name] == value, name


def test_month_without_revenue_has_row(con):
    # 2017-12 lies inside the calendar, but nothing is in service: customers 2 and 4
    # ended on 2017-11-01 and the next row starts on 2018-01-01 (customer 7). The series
    # stays continuous, with a row of zeros, so a chart or a diff reads 0 and not a gap.
    bridge = _bridge(con, "2017-12")
    for name in ("opening", "new", "reactivation", "churned", "closing", "logos"):
        assert bridge[name] == 0, name


def test_last_month_closing(con):
    # In service at the end of 2020-01: rows 117 (customer 51, 50), 119 (53, 50),
    # 120 (54, 25) and 121 (55, 50): 50 + 50 + 25 + 50 = 175 over 4 customers.
    bridge = _bridge(con, "2020-01")
    assert bridge["closing"] == 175
    assert bridge["logos"] == 4


def test_bridge_closes_every_month(con):
    broken = con.execute(
        """
        SELECT count(*) FROM movements
        WHERE opening_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr
              - churned_mrr + fx_impact <> closing_mrr
        """
    ).fetchone()[0]
    assert broken == 0


def test_single_currency_has_no_fx_impact(con):
    assert con.execute("SELECT count(*) FROM movements WHERE fx_impact <> 0").fetchone()[0] == 0


# Twelve-month retention as of 2019-05. The base is every customer with MRR at the end
# of 2018-05:
#   customer 6  row 14 (2018-05-01 to 2018-06-01) 35
#   customer 7  row 17 (2018-02-01 to 2019-12-01) 70
#   customer 9  row 20 (2018-05-01 to 2018-06-01) 85
# (customer 10's row 22 ended on 2018-05-01). starting_mrr = 35 + 70 + 85 = 190.
# At the end of 2019-05: customer 6 row 15 = 65, customer 7 row 17 = 70, customer 9
# row 21 = 75. ending_mrr = 65 + 70 + 75 = 210.
# retained_mrr = min(65, 35) + min(70, 70) + min(75, 85) = 35 + 70 + 75 = 180.
# expansion_mrr = 65 - 35 = 30; contraction_mrr = 85 - 75 = 10; churned_mrr = 0.
# NRR = 210 / 190 = 21/19; GRR = 180 / 190 = 18/19.
def _retention(con, as_of: str, lookback: int) -> dict:
    cursor = con.execute(
        "SELECT * FROM retention WHERE as_of = ? AND lookback_months = ?",
        [month_start(as_of), lookback],
    )
    rows = cursor.fetchall()
    assert len(rows) == 1, f"expected one unsliced retention row, found {len(rows)}"
    return dict(zip([column[0] for column in cursor.description], rows[0], strict=True))


def test_retention_2019_05_by_hand(con):
    row = _retention(con, "2019-05", 12)
    assert row["starting_mrr"] == 190
    assert row["ending_mrr"] == 210
    assert row["retained_mrr"] == 180
    assert row["expansion_mrr"] == 30
    assert row["contraction_mrr"] == 10
    assert row["churned_mrr"] == 0
    assert row["starting_logos"] == 3
    assert row["retained_logos"] == 3
    assert row["nrr"] == pytest.approx(21 / 19)
    assert row["grr"] == pytest.approx(18 / 19)
