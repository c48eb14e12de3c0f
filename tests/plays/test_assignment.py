"""The deterministic holdout assignment: stable across reruns, near the declared share."""

from __future__ import annotations

import math
from datetime import date

from nrrgov.plays.assignment import assign, assign_group, holdout_score

ACCOUNTS = [f"ACC-{i:07d}" for i in range(10_000)]


def test_rerun_gives_same_groups():
    first = assign("renewal_readiness", ACCOUNTS, 0.2, date(2026, 12, 1))
    second = assign("renewal_readiness", list(reversed(ACCOUNTS)), 0.2, date(2026, 12, 1))
    assert first == second


def test_group_independent_of_other_accounts():
    alone = assign("renewal_readiness", ["ACC-0000042"], 0.2, date(2026, 12, 1))
    among = assign("renewal_readiness", ACCOUNTS, 0.2, date(2026, 12, 1))
    assert alone[0] in among


def test_holdout_share_within_sampling_error():
    holdouts = sum(assign_group("onboarding_sprint", a, 0.2) == "holdout" for a in ACCOUNTS)
    # binomial(10,000, 0.2): mean 2,000, standard deviation sqrt(10,000 * 0.2 * 0.8) = 40;
    # four standard deviations either side
    assert abs(holdouts - 2000) <= 4 * 40


def test_larger_share_only_adds_holdouts():
    small = {a for a in ACCOUNTS if assign_group("p", a, 0.1) == "holdout"}
    large = {a for a in ACCOUNTS if assign_group("p", a, 0.3) == "holdout"}
    assert small <= large


def test_scores_differ_between_plays():
    same = sum(
        (holdout_score("a", account) < 0.2) == (holdout_score("b", account) < 0.2)
        for account in ACCOUNTS
    )
    # independent draws agree with probability 0.2**2 + 0.8**2 = 0.68: about 6,800
    assert abs(same - 6800) <= 4 * math.sqrt(10_000 * 0.68 * 0.32)


def test_score_in_unit_interval():
    scores = [holdout_score("p", a) for a in ACCOUNTS]
    assert min(scores) >= 0
    assert max(scores) < 1
