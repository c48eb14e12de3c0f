"""Plays with a built-in uplift (positive, zero, negative) written by the example generator.

The world: 1,500 accounts, 500 in each segment, each with one monthly subscription of
500, 1,000, 1,500 or 2,000 from 2024-01. A third of the accounts add nothing, a third
add 10% and a third 30% on 2025-01-02, before any play's effect starts. One play per
segment enrolls its accounts in January 2025 (eligibility of December 2024); the
generator then scales its treatment accounts' MRR by 1 + effect from 14 days after
enrollment. Over the base month 2024-12 to the outcome month 2025-06 an account's NRR is
1 + growth without the play, and (1 + growth)(1 + effect) with it. Growth has mean
(0 + 0.1 + 0.3) / 3 = 0.4 / 3 and is drawn independently of the amount, so the expected
uplift is effect × (1 + 0.4 / 3).
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from play_projects import play_yaml, row, run_plays, write_project

REPO = Path(__file__).resolve().parents[2]
EFFECTS = {"lift": 0.15, "flat": 0.0, "harm": -0.15}
SEGMENTS = {"lift": "Enterprise", "flat": "Mid-Market", "harm": "SMB"}
ACCOUNTS_PER_SEGMENT = 500
MEAN_GROWTH = 0.4 / 3
# 5 FTE at 14,000 a month: with an uplift near 0.17 on about 400 treated accounts
# averaging 1,250 MRR, the return is about 12 * 85,000 / 840,000, near 1.2.
COST = {"fte": 5, "loaded_monthly_cost_per_fte": 14000}


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "example_play_generator", REPO / "examples" / "generate_plays.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _world(seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    accounts, subscriptions = [], []
    for segment in SEGMENTS.values():
        for _ in range(ACCOUNTS_PER_SEGMENT):
            number = len(accounts) + 1
            account = f"A{number:05d}"
            owner = f"csm{number % 4}"
            accounts.append(f"{account},Account {number},{segment},NA,{owner},2024-01-01,")
            amount = rng.choice((500, 1000, 1500, 2000))
            subscriptions.append(
                f"S{number:05d},{account},base,USD,monthly,{amount},1,2024-01-01,,active"
            )
            growth = rng.choice((0.0, 0.1, 0.3))
            if growth:
                extra = f"{amount * growth:.2f}"
                subscriptions.append(
                    f"G{number:05d},{account},seats,USD,monthly,{extra},1,2025-01-02,,active"
                )
    return accounts, subscriptions


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    accounts, subscriptions = _world(seed=3)
    plays = {
        name: play_yaml(
            name,
            entry_criteria=f"\"mrr > 0 AND segment = '{segment}'\"",
            holdout_share=0.2,
            outcome_window_months=6,
            min_sample_size=30,
            cost=COST,
        )
        for name, segment in SEGMENTS.items()
    }
    root = write_project(
        tmp_path_factory.mktemp("generated") / "project",
        accounts,
        subscriptions,
        plays,
        as_of="2025-08",
    )
    _load_generator().generate_plays(root, root / "data", seed=5, effects=EFFECTS, enroll_share=1.0)
    return run_plays(root)


@pytest.mark.parametrize("play", sorted(EFFECTS))
def test_interval_covers_true_uplift(con, play):
    true_uplift = EFFECTS[play] * (1 + MEAN_GROWTH)
    holdout = row(con, "SELECT ci_low, ci_high FROM holdouts WHERE play = ?", play)
    assert holdout["ci_low"] <= true_uplift
    assert holdout["ci_high"] >= true_uplift


@pytest.mark.parametrize(
    ("play", "expected"), [("lift", "keep"), ("flat", "iterate"), ("harm", "stop")]
)
def test_recommendation(con, play, expected):
    council = row(con, "SELECT recommendation FROM council WHERE play = ?", play)
    assert council["recommendation"] == expected


@pytest.mark.parametrize("play", sorted(EFFECTS))
def test_holdout_share_near_declared(con, play):
    sizes = row(
        con,
        "SELECT treatment_enrolled AS t, holdout_enrolled AS h FROM holdouts WHERE play = ?",
        play,
    )
    # 500 accounts at 0.2: mean 100, standard deviation sqrt(500 * 0.2 * 0.8) = 8.9;
    # four standard deviations either side
    assert sizes["t"] + sizes["h"] == ACCOUNTS_PER_SEGMENT
    assert 100 - 4 * 8.95 <= sizes["h"] <= 100 + 4 * 8.95


def test_no_sample_ratio_mismatch(con):
    p_values = [value for (value,) in con.execute("SELECT srm_p_value FROM holdouts").fetchall()]
    assert min(p_values) > 0.001


def test_sla_compliance_measured(con):
    # the generator touches 84% of treatment enrollments in time, 12% late, 4% never
    compliance = row(con, "SELECT sla_compliance FROM council WHERE play = 'lift'")
    assert 0.7 < compliance["sla_compliance"] < 0.95
