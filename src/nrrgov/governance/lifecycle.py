"""Governed items, their lifecycle, and what counts as a change of their meaning.

A governed item is a definition with an owner and a lifecycle (:class:`LifecycleSpec`):
a metric today, a play once plays exist. Each item kind registers a function in
:data:`ITEM_SOURCES` that lists its items, with the fields whose change moves the
numbers (its *meaning*), and may register in :data:`REFERENCE_SOURCES` the places that
name items of a kind, such as a play's target KPI naming a metric. Lint reads both to
check approvals, deprecations and version bumps the same way for every kind.

Meaning is compared on parsed values, so formatting, comments and key order do not
count. A metric's formula is compared on its sqlglot syntax tree without parentheses
that change nothing:

>>> normalize_formula("(ending_mrr) / starting_mrr  -- the NRR")
'div(ending_mrr, starting_mrr)'
>>> normalize_formula("(a + b) / c") == normalize_formula("a + b / c")
False
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from nrrgov.formula import DIALECT
from nrrgov.loader import ProjectFiles
from nrrgov.spec import LifecycleSpec, MetricSpec
from nrrgov.yamlio import NodePath


@dataclass(frozen=True)
class GovernedItem:
    """One governed definition and where it sits.

    Attributes:
        kind: the item kind as users read it, such as ``metric``.
        file_kind: the loader's kind of the file holding it, for locating lines.
        path: the node path of the item inside that file, such as ``("metrics", 2)``.
        spec: the item; every kind carries the lifecycle fields and a ``name``.
        meaning: the normalized fields whose change moves the numbers.
    """

    kind: str
    file_kind: str
    path: NodePath
    spec: LifecycleSpec
    meaning: dict

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def key(self) -> tuple[str, str]:
        """Identifies the item across two versions of a project."""
        return (self.kind, self.name)


@dataclass(frozen=True)
class ItemReference:
    """A place that names a governed item, such as a metric's successor.

    Attributes:
        kind: the kind of the item named.
        name: the name used.
        file_kind: the loader's kind of the file holding the reference.
        path: the node path of the name.
        used_as: what the reference is, for messages ("successor of metric 'nrr'").
        user: the item holding the reference, when it is itself governed.
        use: ``successor`` for a deprecated item's successor, which must never be
            deprecated. ``use`` for any other reference, which may name a deprecated
            item only when its own user is deprecated too.
    """

    kind: str
    name: str
    file_kind: str
    path: NodePath
    used_as: str
    user: GovernedItem | None = None
    use: Literal["successor", "use"] = "use"


ItemSource = Callable[[ProjectFiles], Iterable[GovernedItem]]
ReferenceSource = Callable[[ProjectFiles], Iterable[ItemReference]]


def metric_items(files: ProjectFiles) -> Iterator[GovernedItem]:
    """List the metrics of ``files`` as governed items."""
    if files.metrics is None:
        return
    for index, metric in enumerate(files.metrics.metrics):
        yield GovernedItem("metric", "metrics", ("metrics", index), metric, metric_meaning(metric))


def metric_meaning(metric: MetricSpec) -> dict:
    """Return the fields of ``metric`` that change its numbers, normalized for comparison.

    These are the formula, basis, lookback, filters and options. Labels, descriptions,
    dimensions, targets and lifecycle fields change how a number is shown or judged,
    not the number.
    """
    return {
        "formula": normalize_formula(metric.formula),
        "basis": metric.basis,
        "lookback_months": metric.lookback_months,
        "filters": {name: sorted(values) for name, values in sorted(metric.filters.items())},
        "options": metric.options.model_dump(mode="json", exclude_none=True),
    }


def normalize_formula(text: str) -> str:
    """Return a canonical form of a formula: its syntax tree, ignoring layout and comments.

    A formula that does not parse is compared on its text with whitespace collapsed; lint
    reports it separately.
    """
    try:
        tree = sqlglot.parse_one(text, read=DIALECT)
    except (ParseError, TokenError):
        return " ".join(text.split())
    return _canonical(tree)


def _canonical(node: exp.Expression) -> str:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        return node.name.lower()
    if isinstance(node, exp.Literal):
        return _number(node.this) if not node.is_string else repr(node.this)
    children = ", ".join(_canonical(child) for child in node.iter_expressions())
    return f"{node.key}({children})"


def _number(text: str) -> str:
    """Write a numeric literal so that ``1.0`` and ``1`` compare equal."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def successor_references(files: ProjectFiles) -> Iterator[ItemReference]:
    """List the ``successor`` of every governed item as a reference to an item of its kind."""
    for item in governed_items(files):
        if item.spec.successor is None:
            continue
        yield ItemReference(
            kind=item.kind,
            name=item.spec.successor,
            file_kind=item.file_kind,
            path=(*item.path, "successor"),
            used_as=f"the successor of {item.kind} {item.name!r}",
            user=item,
            use="successor",
        )


# Item kinds register here; a play kind adds its own source and its references.
ITEM_SOURCES: list[ItemSource] = [metric_items]
REFERENCE_SOURCES: list[ReferenceSource] = [successor_references]


def governed_items(files: ProjectFiles) -> list[GovernedItem]:
    """Return every governed item of every registered kind."""
    return [item for source in ITEM_SOURCES for item in source(files)]


def item_references(files: ProjectFiles) -> list[ItemReference]:
    """Return every registered reference to a governed item."""
    return [reference for source in REFERENCE_SOURCES for reference in source(files)]


@dataclass(frozen=True)
class MeaningChange:
    """An item present in both versions whose meaning differs.

    Attributes:
        fields: the names of the meaning fields that differ, such as ``formula``.
    """

    base: GovernedItem
    head: GovernedItem
    fields: tuple[str, ...]


def meaning_changes(base: ProjectFiles, head: ProjectFiles) -> list[MeaningChange]:
    """Compare the items present in both versions and return those whose meaning changed."""
    before = {item.key: item for item in governed_items(base)}
    changes = []
    for item in governed_items(head):
        previous = before.get(item.key)
        if previous is None:
            continue
        fields = tuple(
            name
            for name in dict.fromkeys([*previous.meaning, *item.meaning])
            if previous.meaning.get(name) != item.meaning.get(name)
        )
        if fields:
            changes.append(MeaningChange(previous, item, fields))
    return changes
