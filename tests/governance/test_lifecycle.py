"""Meaning of governed items: what counts as a change that moves the numbers."""

from __future__ import annotations

import pytest

from nrrgov.governance.lifecycle import metric_meaning, normalize_formula
from nrrgov.spec import MetricSpec


def _metric(**fields) -> MetricSpec:
    defaults = {"name": "nrr", "label": "NRR", "owner": "data_board", "formula": "a / b"}
    return MetricSpec(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ending_mrr / starting_mrr", "(ending_mrr)/(starting_mrr)"),
        ("ending_mrr / starting_mrr", "ending_mrr / starting_mrr -- snapshots"),
        ("ending_mrr / starting_mrr", "ENDING_MRR / Starting_Mrr"),
        ("least(retained_mrr, 1.0)", "LEAST(retained_mrr, 1)"),
        ("(a + b) + c", "a + b + c"),
    ],
)
def test_same_meaning(first: str, second: str) -> None:
    assert normalize_formula(first) == normalize_formula(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ending_mrr / starting_mrr", "retained_mrr / starting_mrr"),
        ("(a + b) / c", "a + b / c"),
        ("round(a, 2)", "round(a, 3)"),
        ("a - b", "b - a"),
    ],
)
def test_different_meaning(first: str, second: str) -> None:
    assert normalize_formula(first) != normalize_formula(second)


def test_invalid_formula_compares_text() -> None:
    assert normalize_formula("a  /  ") == "a /"


def test_label_and_target_are_not_meaning() -> None:
    before = _metric()
    after = _metric(label="Net revenue retention", target={"value": 1.1}, version=2)

    assert metric_meaning(before) == metric_meaning(after)


@pytest.mark.parametrize(
    "change",
    [
        {"basis": "movements"},
        {"lookback_months": 3},
        {"filters": {"segment": ["SMB"]}},
        {"options": {"fx_mode": "constant_currency"}},
    ],
)
def test_meaning_fields(change: dict) -> None:
    assert metric_meaning(_metric()) != metric_meaning(_metric(**change))


def test_filter_order_is_no_change() -> None:
    first = _metric(filters={"segment": ["SMB", "Enterprise"], "region": ["NA"]})
    second = _metric(filters={"region": ["NA"], "segment": ["Enterprise", "SMB"]})

    assert metric_meaning(first) == metric_meaning(second)
