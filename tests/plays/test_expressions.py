"""Entry criteria and council conditions: what compiles, and where a problem is reported."""

from __future__ import annotations

import pytest

from nrrgov.plays.expressions import ConditionError, compile_condition

NAMES = ["mrr", "segment", "months_to_renewal", "health_band"]


@pytest.mark.parametrize(
    ("text", "sql"),
    [
        ("mrr > 0", '"mrr" > 0'),
        ("segment IN ('SMB', 'Mid-Market')", "\"segment\" IN ('SMB', 'Mid-Market')"),
        ("NOT health_band = 'red'", "NOT \"health_band\" = 'red'"),
        ("months_to_renewal BETWEEN 1 AND 3", '"months_to_renewal" BETWEEN 1 AND 3'),
        ("health_band IS NULL OR mrr >= 12 * 1000", '"health_band" IS NULL OR "mrr" >= 12 * 1000'),
    ],
)
def test_condition_compiles(text, sql):
    assert compile_condition(text, NAMES).sql(dialect="duckdb") == sql


@pytest.mark.parametrize(
    ("text", "code", "col"),
    [
        ("mrr > 0 AND segmnt = 'SMB'", "NRG702", 13),
        ("lower(segment) = 'smb'", "NRG701", 1),
        ("segment IN (SELECT segment FROM accounts)", "NRG701", 1),
        ("a.mrr > 0", "NRG701", 1),
        ("mrr > 0; DROP TABLE accounts", "NRG701", 1),
        ("mrr >", "NRG701", 5),
        ("", "NRG701", 1),
    ],
)
def test_condition_rejected(text, code, col):
    with pytest.raises(ConditionError) as raised:
        compile_condition(text, NAMES)
    assert raised.value.code == code
    assert raised.value.col == col


def test_unknown_name_hint():
    with pytest.raises(ConditionError) as raised:
        compile_condition("segmnt = 'SMB'", NAMES)
    assert raised.value.hint == "did you mean 'segment'?"
