"""Health scores, bands and band movement, on four accounts over two months."""

from __future__ import annotations

from datetime import date

import pytest

from health.health_project import ACCOUNTS_HEADER, make_project, one, rows, run_health

HEALTH = """
signals:
  - {name: usage}
  - {name: tickets}
  - {name: nps}
components:
  - {name: usage, signal: usage, weight: 0.5, normalization: min_max, missing: zero}
  - name: tickets
    signal: tickets
    weight: 0.3
    normalization: percentile
    direction: lower_is_better
    missing: neutral
  - name: nps
    signal: nps
    weight: 0.2
    normalization: thresholds
    thresholds: [{min: 0, score: 0.5}, {min: 50, score: 1}]
    missing: exclude
bands:
  - {name: green, min_score: 0.7}
  - {name: yellow, min_score: 0.4}
  - {name: red, min_score: 0}
"""

SIGNALS = """
account_id,month,signal,value
A1,2026-01-01,usage,0.9
A1,2026-01-01,tickets,1
A1,2026-01-01,nps,60
A2,2026-01-01,usage,0.5
A2,2026-01-01,tickets,3
A3,2026-01-01,usage,0.1
A3,2026-01-01,tickets,5
A3,2026-01-01,nps,-10
A4,2026-01-01,tickets,3
A4,2026-01-01,nps,20
A1,2026-02-01,usage,0.2
A1,2026-02-01,tickets,4
A2,2026-02-01,usage,0.8
A2,2026-02-01,tickets,0
A3,2026-02-01,usage,0.5
A3,2026-02-01,tickets,2
"""

MRR = """
account_id,month,mrr
A1,2026-01-01,100
A1,2026-02-01,100
A2,2026-01-01,200
A2,2026-02-01,200
A3,2026-01-01,300
A3,2026-02-01,300
A4,2026-01-01,400
A4,2026-02-01,400
"""

ACCOUNTS = f"""
{ACCOUNTS_HEADER}
A1,One,SMB,NA,Ann,,
A2,Two,SMB,NA,Ann,,
A3,Three,Enterprise,NA,Bo,,
A4,Four,Enterprise,EMEA,Bo,,
"""


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    root = make_project(
        tmp_path_factory.mktemp("scores"),
        {"accounts.csv": ACCOUNTS, "mrr.csv": MRR, "health_signals.csv": SIGNALS},
        {"definitions/health.yml": HEALTH},
    )
    return run_health(root, date(2026, 2, 1))


def score(con, account: str, month: str) -> tuple:
    return one(
        con,
        f"SELECT score, band FROM health_scores WHERE account_id = '{account}' "
        f"AND month = DATE '{month}'",
    )


def test_score_of_all_components_at_top(con) -> None:
    # usage (0.9 - 0.1) / (0.9 - 0.1) = 1; tickets 1 is the fewest: percent rank 0,
    # flipped to 1; nps 60 >= 50 scores 1. (0.5 + 0.3 + 0.2) / 1 = 1.
    found, band = score(con, "A1", "2026-01-01")
    assert found == pytest.approx(1.0)
    assert band == "green"


def test_score_excludes_missing_nps(con) -> None:
    # usage (0.5 - 0.1) / 0.8 = 0.5; tickets 3 ranks 2nd of 4 (ties share rank 2):
    # (2 - 1) / 3 = 1/3, flipped 2/3; nps excluded, so divide by 0.5 + 0.3 = 0.8:
    # (0.5 * 0.5 + 0.3 * 2/3) / 0.8 = 0.45 / 0.8 = 0.5625.
    found, band = score(con, "A2", "2026-01-01")
    assert found == pytest.approx(0.5625)
    assert band == "yellow"


def test_score_of_lowest_values(con) -> None:
    # usage 0.1 is the minimum: 0; tickets 5 ranks last: 1, flipped 0; nps -10 is
    # below the first step: 0. Score 0.
    found, band = score(con, "A3", "2026-01-01")
    assert found == pytest.approx(0.0)
    assert band == "red"


def test_score_with_missing_zero_and_neutral(con) -> None:
    # usage missing with policy zero: 0; tickets 3: 2/3; nps 20 in [0, 50): 0.5.
    # (0.5 * 0 + 0.3 * 2/3 + 0.2 * 0.5) / 1 = 0.2 + 0.1 = 0.3.
    found, band = score(con, "A4", "2026-01-01")
    assert found == pytest.approx(0.3)
    assert band == "red"


def test_component_scores_are_columns(con) -> None:
    usage, tickets, nps = one(
        con,
        "SELECT usage, tickets, nps FROM health_scores "
        "WHERE account_id = 'A2' AND month = DATE '2026-01-01'",
    )
    assert usage == pytest.approx(0.5)
    assert tickets == pytest.approx(2 / 3)
    assert nps is None


def test_second_month_rescales(con) -> None:
    # February: usage min 0.2, max 0.8, so A3's 0.5 scores 0.5; tickets 0, 2, 4 rank
    # A3 2nd of 3: 0.5, flipped 0.5; nps absent for all: excluded.
    # (0.5 * 0.5 + 0.3 * 0.5) / 0.8 = 0.4 / 0.8 = 0.5.
    found, band = score(con, "A3", "2026-02-01")
    assert found == pytest.approx(0.5)
    assert band == "yellow"


def test_unscored_month_has_no_row(con) -> None:
    assert (
        rows(con, "SELECT * FROM health_scores WHERE account_id = 'A4' AND month = '2026-02-01'")
        == []
    )


def band_row(con, month: str, band: str) -> tuple:
    return one(
        con,
        "SELECT accounts, mrr, moved_in, moved_out FROM health_bands "
        f"WHERE month = DATE '{month}' AND band = '{band}' "
        "AND segment = '(all)' AND region = '(all)'",
    )


def test_bands_january_red(con) -> None:
    # A3 (300) and A4 (400) are red; nothing moves in the first month.
    accounts, mrr, moved_in, moved_out = band_row(con, "2026-01-01", "red")
    assert accounts == 2
    assert mrr == 700
    assert moved_in == 0
    assert moved_out == 0


def test_bands_february_moves(con) -> None:
    # A1 green -> red, A2 yellow -> green, A3 red -> yellow; A4 is not scored in
    # February, so it moves neither way. Each band has one account, one in, one out.
    for band in ("green", "yellow", "red"):
        assert band_row(con, "2026-02-01", band)[0] == 1
        assert band_row(con, "2026-02-01", band)[2] == 1
        assert band_row(con, "2026-02-01", band)[3] == 1


def test_bands_by_segment(con) -> None:
    # January SMB: A1 green, A2 yellow; Enterprise: A3 and A4 red.
    enterprise = one(
        con,
        "SELECT accounts FROM health_bands WHERE month = DATE '2026-01-01' AND band = 'red' "
        "AND segment = 'Enterprise' AND region = '(all)'",
    )
    assert enterprise == 2
