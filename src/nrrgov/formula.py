"""Metric formulas: arithmetic over measures, parsed with sqlglot and compiled to an expression.

A formula such as ``(churned_mrr + contraction_mrr) / starting_mrr`` may use the measure
names of its basis as bare columns, numeric literals, ``+ - * /``, unary minus,
parentheses and the functions in :data:`ALLOWED_FUNCTIONS`. Anything else is rejected
with a :class:`FormulaError` that gives the 1-based character offset of the offending token
inside the formula. The compiled result is a sqlglot expression whose only columns are
measure names. The engine places it in ``SELECT <expression> FROM <measures table>``, so
a formula is never pasted into SQL as text.

>>> sql = compile_formula("ending_mrr / starting_mrr", ["ending_mrr", "starting_mrr"]).sql()
>>> sql
'CAST(ending_mrr AS DOUBLE) / NULLIF(CAST(starting_mrr AS DOUBLE), 0)'
>>> sorted(formula_measures("(churned_mrr + contraction_mrr) / starting_mrr"))
['churned_mrr', 'contraction_mrr', 'starting_mrr']
>>> compile_formula("ending_mrr / startng_mrr", ["ending_mrr", "starting_mrr"])
Traceback (most recent call last):
...
nrrgov.formula.FormulaError: NRG302 unknown measure 'startng_mrr' at column 14 of the formula
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from nrrgov.errors import UserError

DIALECT = "duckdb"
ALLOWED_FUNCTIONS = ("least", "greatest", "coalesce", "nullif", "abs", "round")

# Codes shared with the lint rules that report formula problems.
SYNTAX_CODE = "NRG301"
UNKNOWN_MEASURE_CODE = "NRG302"
UNKNOWN_FUNCTION_CODE = "NRG303"

_ALLOWED_TOKENS = {
    TokenType.VAR,
    TokenType.NUMBER,
    TokenType.PLUS,
    TokenType.DASH,
    TokenType.STAR,
    TokenType.SLASH,
    TokenType.L_PAREN,
    TokenType.R_PAREN,
    TokenType.COMMA,
    # A dot may start a literal such as ``.5``. A qualified column ``t.x`` is rejected by
    # the check of the token before the dot.
    TokenType.DOT,
}
_COMPARISON_TOKENS = {
    TokenType.EQ,
    TokenType.NEQ,
    TokenType.GT,
    TokenType.GTE,
    TokenType.LT,
    TokenType.LTE,
    TokenType.NULLSAFE_EQ,
}
_ALLOWED_NODES = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Neg,
    exp.Paren,
    exp.Least,
    exp.Greatest,
    exp.Coalesce,
    exp.Nullif,
    exp.Abs,
    exp.Round,
)
_ALLOWED_SUMMARY = (
    "a formula may use measure names, numbers, + - * /, parentheses and the functions "
    + ", ".join(ALLOWED_FUNCTIONS)
)


class FormulaError(UserError):
    """A formula that does not parse or uses something outside the allowed arithmetic.

    Attributes:
        col: 1-based character offset of the offending token inside the formula.
        token: the offending text, as written.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        col: int,
        token: str,
        hint: str | None = None,
    ) -> None:
        super().__init__(code, f"{message} at column {col} of the formula", hint=hint)
        self.col = col
        self.token = token


def compile_formula(text: str, measures: Iterable[str]) -> exp.Expression:
    """Parse and check ``text``, then compile it to a sqlglot expression over ``measures``.

    Every division ``a / b`` becomes ``CAST(a AS DOUBLE) / NULLIF(CAST(b AS DOUBLE), 0)``:
    a zero denominator gives NULL instead of an error, and decimal measures divide the
    same way in every dialect.

    Args:
        text: the formula as written in the metric.
        measures: the measure names the formula may use (those of the metric's basis).

    Returns:
        An expression whose columns are measure names, in the DuckDB dialect.

    Raises:
        FormulaError: the formula does not parse or uses something not allowed.

    >>> compile_formula("round(-expansion_mrr, 2)", ["expansion_mrr"]).sql()
    'ROUND(-expansion_mrr, 2)'
    """
    allowed = tuple(measures)
    tokens = _tokenize(text)
    _check_tokens(text, tokens)
    _check_names(tokens, allowed)
    tree = parse_formula(text)
    _check_tree(tree)
    return _make_divisions_safe(tree)


def formula_measures(text: str) -> set[str]:
    """Return the measure names ``text`` uses, without checking them against a basis.

    Raises:
        FormulaError: the formula does not parse or uses something not allowed.

    >>> sorted(formula_measures("least(retained_mrr, ending_mrr) / starting_mrr"))
    ['ending_mrr', 'retained_mrr', 'starting_mrr']
    """
    tokens = _tokenize(text)
    _check_tokens(text, tokens)
    tree = parse_formula(text)
    _check_tree(tree)
    return {column.name for column in tree.find_all(exp.Column)}


def _tokenize(text: str) -> list[Token]:
    if not text.strip():
        raise FormulaError(
            SYNTAX_CODE, "the formula is empty", col=1, token=text, hint=_ALLOWED_SUMMARY
        )
    try:
        return Dialect.get_or_raise(DIALECT).tokenize(text)
    except TokenError as error:
        raise FormulaError(
            SYNTAX_CODE,
            f"the formula could not be read ({error})",
            col=1,
            token=text,
            hint="check for an unclosed quote or comment",
        ) from None


def _check_tokens(text: str, tokens: list[Token]) -> None:
    """Reject tokens that have no place in arithmetic, such as strings, comparisons, SELECT."""
    for index, token in enumerate(tokens):
        if token.comments:
            raise _comment_error(text, token)
        if token.token_type == TokenType.DOT and index > 0:
            _check_not_qualified(text, tokens[index - 1], token)
        if token.token_type in _ALLOWED_TOKENS:
            continue
        raise FormulaError(
            SYNTAX_CODE,
            f"{_describe_token(token)} {token.text!r} is not allowed",
            col=token.start + 1,
            token=token.text,
            hint=_ALLOWED_SUMMARY,
        )


def _check_not_qualified(text: str, previous: Token, dot: Token) -> None:
    if previous.token_type not in (TokenType.VAR, TokenType.IDENTIFIER):
        return
    qualified = re.match(r"[\w.\"]+", text[previous.start :]).group(0)
    raise FormulaError(
        SYNTAX_CODE,
        f"the qualified name {qualified!r} is not allowed",
        col=previous.start + 1,
        token=qualified,
        hint=f"use the bare measure name {qualified.rsplit('.', 1)[-1]!r}",
    )


def _describe_token(token: Token) -> str:
    if token.token_type in (TokenType.STRING, TokenType.NATIONAL_STRING):
        return "the string"
    if token.token_type in _COMPARISON_TOKENS:
        return "the comparison"
    if token.token_type == TokenType.IDENTIFIER:
        return "the quoted name"
    return "the token"


def _comment_error(text: str, token: Token) -> FormulaError:
    starts = [offset for offset in (text.find("--"), text.find("/*")) if offset >= 0]
    col = min(starts) + 1 if starts else token.start + 1
    return FormulaError(
        SYNTAX_CODE,
        "a comment is not allowed in a formula",
        col=col,
        token=text[col - 1 : col + 1],
        hint="explain the formula in the metric's description instead",
    )


def _check_names(tokens: list[Token], measures: tuple[str, ...]) -> None:
    """Check that each name is an allowed function (before a parenthesis) or a measure."""
    for index, token in enumerate(tokens):
        if token.token_type != TokenType.VAR:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following.token_type == TokenType.L_PAREN:
            _check_function(token)
        elif token.text not in measures:
            raise _unknown_measure(token, measures)


def _check_function(token: Token) -> None:
    if token.text.lower() in ALLOWED_FUNCTIONS:
        return
    close = difflib.get_close_matches(token.text.lower(), ALLOWED_FUNCTIONS, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise FormulaError(
        UNKNOWN_FUNCTION_CODE,
        f"unknown function {token.text!r}",
        col=token.start + 1,
        token=token.text,
        hint=f"{hint}allowed functions: {', '.join(ALLOWED_FUNCTIONS)}",
    )


def _unknown_measure(token: Token, measures: tuple[str, ...]) -> FormulaError:
    close = difflib.get_close_matches(token.text.lower(), measures, n=1)
    if close:
        hint = f"did you mean {close[0]!r}?"
    else:
        hint = f"measures of this basis: {', '.join(measures)}"
    return FormulaError(
        UNKNOWN_MEASURE_CODE,
        f"unknown measure {token.text!r}",
        col=token.start + 1,
        token=token.text,
        hint=hint,
    )


def parse_formula(text: str) -> exp.Expression:
    """Parse ``text`` as written, before any check of its names and functions.

    Raises:
        FormulaError: the text does not parse, with the column of the problem.
    """
    try:
        return sqlglot.parse_one(text, read=DIALECT)
    except ParseError as error:
        detail = error.errors[0] if error.errors else {}
        col = _offset(text, detail.get("line", 1), detail.get("col", 1))
        token = detail.get("highlight") or text[col - 1 : col]
        # sqlglot ends some descriptions with the Python class of the node, which means
        # nothing to someone writing a formula.
        message = str(detail.get("description", error)).split(" for <class")[0]
        raise FormulaError(
            SYNTAX_CODE,
            f"invalid formula near {token!r}: {message}",
            col=col,
            token=token,
            hint=_ALLOWED_SUMMARY,
        ) from None


def _offset(text: str, line: int, col: int) -> int:
    """Convert sqlglot's 1-based (line, column) into a 1-based offset into ``text``."""
    lines = text.split("\n")
    before = sum(len(previous) + 1 for previous in lines[: max(line - 1, 0)])
    return max(before + col, 1)


def _check_tree(tree: exp.Expression) -> None:
    """Reject what the tokens alone cannot show: a qualified column, ``*``, a missing operator."""
    for node in tree.walk():
        if isinstance(node, exp.Alias):
            raise _node_error(node.args["alias"], f"missing operator before {node.alias!r}")
        if not isinstance(node, _ALLOWED_NODES):
            raise _node_error(node, f"{_describe_node(node)} is not allowed")
        if isinstance(node, exp.Literal) and node.is_string:
            raise _node_error(node, f"the string {node.sql()!r} is not allowed")
        if isinstance(node, exp.Column) and node.table:
            raise _node_error(
                node, f"the qualified name {node.sql()!r} is not allowed", "use the bare measure"
            )
        if isinstance(node, exp.Round):
            _check_round(node)


def _describe_node(node: exp.Expression) -> str:
    if isinstance(node, exp.Star):
        return "'*' as a value"
    return f"{node.key.upper()} {node.sql(dialect=DIALECT)!r}"


def _check_round(node: exp.Round) -> None:
    decimals = node.args.get("decimals")
    if node.args.get("truncate") is not None:
        raise _node_error(node, "round takes at most two arguments")
    if decimals is None:
        return
    # -2 parses as the negation of the literal 2.
    negated = isinstance(decimals, exp.Neg)
    literal = decimals.this if negated else decimals
    if not (isinstance(literal, exp.Literal) and literal.is_int) or int(literal.this) > 12:
        raise _node_error(
            decimals,
            f"round's second argument must be a whole number from -12 to 12, "
            f"not {decimals.sql()!r}",
        )


def _node_error(node: exp.Expression, message: str, hint: str = _ALLOWED_SUMMARY) -> FormulaError:
    start = _node_start(node)
    return FormulaError(SYNTAX_CODE, message, col=start + 1, token=node.sql(), hint=hint)


def _node_start(node: exp.Expression) -> int:
    """The 0-based start offset of ``node``; sqlglot records it on some nodes only."""
    starts = [n.meta["start"] for n in node.walk() if n.meta and "start" in n.meta]
    return min(starts) if starts else 0


def _make_divisions_safe(tree: exp.Expression) -> exp.Expression:
    """Rewrite every ``a / b`` in place, nested ones included, and return the new root."""
    for division in list(tree.find_all(exp.Div)):
        numerator = exp.cast(division.this, exp.DataType.Type.DOUBLE, copy=False)
        denominator = exp.cast(division.expression, exp.DataType.Type.DOUBLE, copy=False)
        safe = exp.Div(
            this=numerator,
            expression=exp.Nullif(this=denominator, expression=exp.Literal.number(0)),
        )
        if division is tree:
            tree = safe
        else:
            division.replace(safe)
    return tree
