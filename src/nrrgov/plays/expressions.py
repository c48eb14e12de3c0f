"""Conditions in play specs and council rules, parsed with sqlglot and compiled to SQL.

A condition such as ``mrr_change_3m < 0 AND segment IN ('Enterprise', 'Mid-Market')``
may use known names as bare columns, string and number literals, TRUE, FALSE and NULL,
the comparisons ``= <> != < <= > >=``, ``BETWEEN``, ``IN`` with a list of literals,
``IS [NOT] NULL``, ``AND``, ``OR``, ``NOT``, arithmetic ``+ - * /`` and parentheses.
Anything else (a function, a subquery, a qualified column, an unknown name) is rejected
with a :class:`ConditionError` that gives the 1-based character offset of the offending
text. The compiled result is a sqlglot expression whose columns are quoted known names,
so a condition is never pasted into SQL as text.

>>> compile_condition("mrr > 1000 AND segment IN ('SMB')", ["mrr", "segment"]).sql()
'"mrr" > 1000 AND "segment" IN (\\'SMB\\')'
>>> compile_condition("mrr > 1000 AND segmnt = 'SMB'", ["mrr", "segment"])
Traceback (most recent call last):
...
nrrgov.plays.expressions.ConditionError: NRG702 unknown name 'segmnt' at column 16 of the condition
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from nrrgov.errors import UserError

DIALECT = "duckdb"
SYNTAX_CODE = "NRG701"
UNKNOWN_NAME_CODE = "NRG702"

_ALLOWED_NODES = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Between,
    exp.In,
    exp.Is,
    exp.And,
    exp.Or,
    exp.Not,
    exp.Paren,
    exp.Neg,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
)
_ALLOWED_SUMMARY = (
    "a condition may use known names, string and number literals, comparisons, BETWEEN, "
    "IN (...), IS NULL, AND, OR, NOT, + - * / and parentheses"
)


class ConditionError(UserError):
    """A condition that does not parse or uses something outside the allowed grammar.

    Attributes:
        col: 1-based character offset of the offending text inside the condition.
        token: the offending text, as written.
    """

    def __init__(
        self, code: str, message: str, *, col: int, token: str, hint: str | None = None
    ) -> None:
        super().__init__(code, f"{message} at column {col} of the condition", hint=hint)
        self.col = col
        self.token = token


def compile_condition(text: str, names: Iterable[str]) -> exp.Expression:
    """Parse and check ``text``, then compile it to a sqlglot expression over ``names``.

    Args:
        text: the condition as written in the YAML file.
        names: the column names the condition may use.

    Returns:
        An expression in the DuckDB dialect whose columns are quoted names from ``names``.

    Raises:
        ConditionError: the condition does not parse, uses a construct that is not
            allowed, or names something not in ``names``.
    """
    known = tuple(names)
    tree = _parse(text)
    _check_tree(tree)
    for column in tree.find_all(exp.Column):
        if column.name not in known:
            raise _unknown_name(column, known)
        column.set("this", exp.to_identifier(column.name, quoted=True))
    return tree


def condition_names(text: str) -> set[str]:
    """Return the names ``text`` uses, without checking them against the known ones.

    Raises:
        ConditionError: the condition does not parse or uses a construct not allowed.

    >>> sorted(condition_names("ci_low > 0 AND roi > 1"))
    ['ci_low', 'roi']
    """
    tree = _parse(text)
    _check_tree(tree)
    return {column.name for column in tree.find_all(exp.Column)}


def _parse(text: str) -> exp.Expression:
    if not str(text).strip():
        raise ConditionError(
            SYNTAX_CODE, "the condition is empty", col=1, token="", hint=_ALLOWED_SUMMARY
        )
    try:
        expressions = sqlglot.parse(text, read=DIALECT)
    except TokenError as error:
        raise ConditionError(
            SYNTAX_CODE,
            f"the condition could not be read ({error})",
            col=1,
            token=text,
            hint="check for an unclosed quote",
        ) from None
    except ParseError as error:
        raise _parse_error(text, error) from None
    if len(expressions) != 1 or expressions[0] is None:
        raise ConditionError(
            SYNTAX_CODE, "write one condition, without ';'", col=1, token=text, hint=None
        )
    return expressions[0]


def _parse_error(text: str, error: ParseError) -> ConditionError:
    detail = error.errors[0] if error.errors else {}
    line, col = detail.get("line", 1), detail.get("col", 1)
    before = sum(len(previous) + 1 for previous in text.split("\n")[: max(line - 1, 0)])
    offset = max(before + col, 1)
    token = detail.get("highlight") or text[offset - 1 : offset]
    message = str(detail.get("description", error)).split(" for <class")[0]
    return ConditionError(
        SYNTAX_CODE,
        f"invalid condition near {token!r}: {message}",
        col=offset,
        token=token,
        hint=_ALLOWED_SUMMARY,
    )


def _check_tree(tree: exp.Expression) -> None:
    for node in tree.walk():
        if isinstance(node, exp.Alias):
            raise _node_error(node.args["alias"], f"missing operator before {node.alias!r}")
        if not isinstance(node, _ALLOWED_NODES):
            raise _node_error(
                node, f"{node.key.upper()} {node.sql(dialect=DIALECT)!r} is not allowed"
            )
        if isinstance(node, exp.Column) and (node.table or node.this.quoted):
            raise _node_error(node, f"the name {node.sql()!r} must be written bare")
        if isinstance(node, exp.In):
            _check_in_list(node)


def _check_in_list(node: exp.In) -> None:
    extra = [key for key in ("query", "unnest", "field") if node.args.get(key) is not None]
    if extra:
        raise _node_error(node, "IN takes a list of literals such as IN ('a', 'b')")
    for item in node.expressions:
        if not isinstance(item, exp.Literal | exp.Neg):
            raise _node_error(item, f"IN lists take literals only, not {item.sql()!r}")


def _unknown_name(column: exp.Column, known: tuple[str, ...]) -> ConditionError:
    name = column.name
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known names: {', '.join(known)}"
    return ConditionError(
        UNKNOWN_NAME_CODE,
        f"unknown name {name!r}",
        col=_node_start(column) + 1,
        token=name,
        hint=hint,
    )


def _node_error(node: exp.Expression, message: str) -> ConditionError:
    start = _node_start(node)
    return ConditionError(
        SYNTAX_CODE, message, col=start + 1, token=node.sql(), hint=_ALLOWED_SUMMARY
    )


def _node_start(node: exp.Expression) -> int:
    """Return the 0-based start offset of ``node``; sqlglot records it on some nodes only."""
    starts = [n.meta["start"] for n in node.walk() if n.meta and "start" in n.meta]
    return min(starts) if starts else 0
