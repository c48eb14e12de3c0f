"""Metric formulas: cases from tests/cases/formula, evaluated by DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot
import yaml
from sqlglot import exp

from nrrgov.errors import UserError
from nrrgov.formula import FormulaError, compile_formula, formula_measures
from nrrgov.spec.metrics import MEASURES_BY_BASIS, RETENTION_MEASURES

CASES = Path(__file__).parent / "cases" / "formula"


def _cases(file_name: str) -> list:
    document = yaml.safe_load((CASES / file_name).read_text(encoding="utf-8"))
    measures = MEASURES_BY_BASIS[document["basis"]]
    return [pytest.param(case, measures, id=case["name"]) for case in document["cases"]]


def _evaluate(expression: exp.Expression, values: dict) -> float | None:
    """Run ``SELECT expression`` over one row of measures stored as DECIMAL(18, 6)."""
    columns = ", ".join(
        f"CAST({value!r} AS DECIMAL(18, 6)) AS {name}" for name, value in values.items()
    )
    inner = f"SELECT {columns}" if columns else "SELECT 1 AS unused"
    query = f"SELECT {expression.sql(dialect='duckdb')} AS value FROM ({inner}) AS measures"
    return duckdb.connect().execute(query).fetchone()[0]


@pytest.mark.parametrize(("case", "measures"), _cases("valid.yml"))
def test_valid_formula_value(case: dict, measures: tuple[str, ...]) -> None:
    expression = compile_formula(case["formula"], measures)

    value = _evaluate(expression, case["values"])

    if case["expected"] is None:
        assert value is None
    else:
        assert value == pytest.approx(case["expected"])


@pytest.mark.parametrize(("case", "measures"), _cases("invalid.yml"))
def test_invalid_formula_error(case: dict, measures: tuple[str, ...]) -> None:
    with pytest.raises(FormulaError) as caught:
        compile_formula(case["formula"], measures)

    error = caught.value
    assert error.code == case["code"]
    assert error.col == case["col"]
    assert error.token == case["token"]
    assert case["hint"] in error.hint
    assert f"column {case['col']} of the formula" in error.message


def test_formula_error_is_user_error() -> None:
    assert issubclass(FormulaError, UserError)


def test_compiled_columns_are_measures() -> None:
    expression = compile_formula(
        "least(retained_mrr, ending_mrr) / starting_mrr", RETENTION_MEASURES
    )

    names = {column.name for column in expression.find_all(exp.Column)}

    assert names == {"retained_mrr", "ending_mrr", "starting_mrr"}
    assert all(not column.table for column in expression.find_all(exp.Column))


def test_division_wraps_divisor_in_nullif() -> None:
    expression = compile_formula("ending_mrr / starting_mrr", RETENTION_MEASURES)

    assert isinstance(expression, exp.Div)
    assert isinstance(expression.expression, exp.Nullif)
    assert isinstance(expression.this, exp.Cast)


@pytest.mark.parametrize("dialect", ["postgres", "snowflake", "spark", "bigquery"])
def test_compiled_formula_transpiles(dialect: str) -> None:
    expression = compile_formula("ending_mrr / starting_mrr", RETENTION_MEASURES)

    sql = expression.sql(dialect=dialect)

    reparsed = sqlglot.parse_one(sql, read=dialect)
    assert reparsed.find(exp.Nullif) is not None
    assert "ending_mrr" in sql


def test_formula_measures_names() -> None:
    names = formula_measures("new_mrr + reactivation_mrr - churned_mrr / 2")

    assert names == {"new_mrr", "reactivation_mrr", "churned_mrr"}


def test_formula_measures_ignores_functions() -> None:
    names = formula_measures("round(abs(fx_impact), 2)")

    assert names == {"fx_impact"}


def test_formula_measures_rejects_subquery() -> None:
    with pytest.raises(FormulaError) as caught:
        formula_measures("(select 1)")

    assert caught.value.col == 2  # "(" is column 1, "select" starts at column 2
