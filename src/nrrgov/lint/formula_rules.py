"""NRG301-NRG303: metric formulas that do not parse or use names outside their basis."""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from nrrgov.formula import FormulaError, compile_formula, parse_formula
from nrrgov.lint.registry import LintContext, rule
from nrrgov.loader import Finding
from nrrgov.spec.metrics import MEASURES_BY_BASIS, MetricSpec


@rule("NRG301", "NRG302", "NRG303", name="metric-formula")
def metric_formula(context: LintContext) -> Iterator[Finding]:
    """Check that each formula is arithmetic over the measures of the metric's basis.

    Why: a formula is compiled into SQL. Only measure names, numbers, ``+ - * /``,
    parentheses and least, greatest, coalesce, nullif, abs and round are allowed, so a
    definition cannot read other columns or run other SQL.

    Codes:
        NRG301 the formula does not parse, or uses a construct that is not allowed (a
            string, a comparison, a subquery, a qualified column, ``*``).
        NRG302 a name that is not a measure of the basis (retention measures such as
            starting_mrr, or movement measures such as new_mrr).
        NRG303 a function other than the six allowed.

    Failing example::

        metrics:
          - name: nrr
            basis: retention
            formula: ending_mrr / startng_mrr   # NRG302, did you mean 'starting_mrr'?

    Fix: correct the name, or set ``basis`` to the one whose measures the formula uses.
    """
    if context.metrics is None:
        return
    for index, metric in enumerate(context.metrics):
        try:
            compile_formula(metric.formula, MEASURES_BY_BASIS[metric.basis])
        except FormulaError as error:
            yield _formula_finding(context, index, metric, error)


def _formula_finding(
    context: LintContext, index: int, metric: MetricSpec, error: FormulaError
) -> Finding:
    path = ("metrics", index, "formula")
    node = context.position("metrics", path)
    return context.finding(
        error.code,
        "metrics",
        path,
        f"metric {metric.name!r}: {error.message}",
        value=error.token,
        hint=_other_basis_hint(metric, error.token) or error.hint,
        at=node.at_offset(error.col) if node else None,
    )


def _other_basis_hint(metric: MetricSpec, name: str) -> str | None:
    """Return a hint when an unknown name is a measure of the other basis, else None."""
    for basis, measures in MEASURES_BY_BASIS.items():
        if basis != metric.basis and name in measures:
            own = ", ".join(MEASURES_BY_BASIS[metric.basis])
            return f"{name!r} is a {basis} measure: set 'basis: {basis}' or use one of {own}"
    return None


@rule("NRG304", name="formula-divides-by-zero")
def formula_divides_by_zero(context: LintContext) -> Iterator[Finding]:
    """Check that no formula divides by the number zero.

    Why: a division by zero gives NULL rather than an error, so such a metric computes
    without complaint and is empty in every month and slice.

    Failing example::

        metrics:
          - name: nrr
            formula: ending_mrr / 0   # NRG304

    Fix: divide by the measure that was meant, such as ``starting_mrr``.
    """
    if context.metrics is None:
        return
    for index, metric in enumerate(context.metrics):
        try:
            parsed = parse_formula(metric.formula)
        except FormulaError:
            # The metric-formula rule reports a formula that does not parse.
            continue
        for division in parsed.find_all(exp.Div):
            divisor = division.expression
            if isinstance(divisor, exp.Literal) and divisor.is_number and float(divisor.this) == 0:
                yield context.finding(
                    "NRG304",
                    "metrics",
                    ("metrics", index, "formula"),
                    f"metric {metric.name!r} divides by zero, so its value is always empty",
                    value=metric.formula,
                    hint="divide by a measure, such as starting_mrr",
                    level="warning",
                )
                break
