"""Sample-ratio mismatch, and enrollment or activity rows naming unknown plays or groups."""

from __future__ import annotations

import math

import pytest

from nrrgov.errors import UserError
from nrrgov.plays.uplift import srm_p_value
from play_projects import play_yaml, row, run_plays, write_project


def _accounts(count: int) -> tuple[list[str], list[str]]:
    accounts = [f"A{i:03d},Account {i},SMB,NA,csm1,2024-10-01," for i in range(count)]
    subscriptions = [
        f"S{i:03d},A{i:03d},base,USD,monthly,100,1,2024-10-01,,active" for i in range(count)
    ]
    return accounts, subscriptions


def test_srm_p_value_by_hand():
    # 50/50 of 100 against a 0.2 share: expected 20 holdout and 80 treatment;
    # chi-square = 30**2 / 20 + 30**2 / 80 = 45 + 11.25 = 56.25
    assert srm_p_value(50, 50, 0.2) == pytest.approx(math.erfc(math.sqrt(56.25 / 2)))


def test_srm_p_value_matching_split():
    # 80/20 against 0.2 is exactly as expected: chi-square 0
    assert srm_p_value(80, 20, 0.2) == pytest.approx(1.0)


def test_srm_fires_on_even_split_declared_80_20(tmp_path):
    accounts, subscriptions = _accounts(100)
    enrollments = [
        f"A{i:03d},pilot,2025-01-10,{'holdout' if i % 2 else 'treatment'}" for i in range(100)
    ]
    plays = {"pilot": play_yaml("pilot", holdout_share=0.2)}
    root = write_project(tmp_path / "p", accounts, subscriptions, plays, enrollments)

    con = run_plays(root)

    holdout = row(con, "SELECT srm_p_value, decision FROM holdouts")
    council = row(con, "SELECT recommendation, rule FROM council")
    assert holdout["srm_p_value"] < 0.001
    assert holdout["decision"] == "sample_ratio_mismatch"
    assert council["rule"] == "fix_assignment"
    assert council["recommendation"] == "iterate"


def test_small_sample_inconclusive(tmp_path):
    accounts, subscriptions = _accounts(4)
    enrollments = [
        f"A{i:03d},pilot,2025-01-10,{'holdout' if i < 2 else 'treatment'}" for i in range(4)
    ]
    plays = {"pilot": play_yaml("pilot", min_sample_size=3)}
    root = write_project(tmp_path / "p", accounts, subscriptions, plays, enrollments)

    con = run_plays(root)

    holdout = row(con, "SELECT ci_low, ci_high, decision FROM holdouts")
    assert holdout["decision"] == "inconclusive"
    assert holdout["ci_low"] is None
    assert holdout["ci_high"] is None


def test_enrollment_unknown_play_names_row(tmp_path):
    accounts, subscriptions = _accounts(2)
    enrollments = ["A000,pilot,2025-01-10,treatment", "A001,pilott,2025-01-10,holdout"]
    plays = {"pilot": play_yaml("pilot")}
    root = write_project(tmp_path / "p", accounts, subscriptions, plays, enrollments)

    with pytest.raises(UserError) as raised:
        run_plays(root)

    assert raised.value.code == "NRG441"
    assert raised.value.where.row == 2
    assert raised.value.where.column == "play"
    assert "'pilott'" in raised.value.message


def test_enrollment_invalid_group_names_row(tmp_path):
    accounts, subscriptions = _accounts(2)
    enrollments = ["A000,pilot,2025-01-10,control"]
    plays = {"pilot": play_yaml("pilot")}
    root = write_project(tmp_path / "p", accounts, subscriptions, plays, enrollments)

    with pytest.raises(UserError) as raised:
        run_plays(root)

    assert raised.value.code == "NRG442"
    assert raised.value.where.row == 1
    assert "'control'" in raised.value.message


def test_activity_unknown_play_names_row(tmp_path):
    accounts, subscriptions = _accounts(1)
    activities = ["A000,,2025-01-11,call", "A000,pliot,2025-01-12,call"]
    plays = {"pilot": play_yaml("pilot")}
    root = write_project(tmp_path / "p", accounts, subscriptions, plays, [], activities)

    with pytest.raises(UserError) as raised:
        run_plays(root)

    assert raised.value.code == "NRG441"
    assert raised.value.where.row == 2
    assert "pilot" in raised.value.hint


def test_enrollment_unknown_account_is_error(tmp_path):
    accounts, subscriptions = _accounts(1)
    enrollments = ["A000,pilot,2025-01-10,treatment", "Z999,pilot,2025-01-10,holdout"]
    plays = {"pilot": play_yaml("pilot")}
    root = write_project(tmp_path / "p", accounts, subscriptions, plays, enrollments)

    with pytest.raises(UserError) as raised:
        run_plays(root)

    assert raised.value.where.row == 2


def test_no_plays_gives_empty_tables(tmp_path):
    accounts, subscriptions = _accounts(2)
    root = write_project(tmp_path / "p", accounts, subscriptions, {})

    con = run_plays(root)

    for table in ("holdouts", "play_sla", "council"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
