"""NRG621-NRG622: changes of meaning since the base of a pull request.

These rules run only with ``nrrgov lint --base REF``. An item's meaning is the part of
its definition that moves its numbers (for a metric: formula, basis, lookback, filters
and options), compared on parsed values, so reformatting and comments are no change.
"""

from __future__ import annotations

from collections.abc import Iterator

from nrrgov.governance.lifecycle import MeaningChange, meaning_changes
from nrrgov.lint.registry import LintContext, rule
from nrrgov.loader import Finding


def _changes(context: LintContext) -> list[MeaningChange]:
    if context.base is None:
        return []
    return meaning_changes(context.base, context.files)


def _what(change: MeaningChange) -> str:
    return f"{change.head.kind} {change.head.name!r} changed its {', '.join(change.fields)}"


@rule("NRG621", name="version-not-bumped")
def version_not_bumped(context: LintContext) -> Iterator[Finding]:
    """Check that a change of meaning raises the item's version by exactly one.

    Runs with ``--base``: each item is compared with the same item at the base ref.

    Why: the version shows readers of a report, and of tables written before the
    change, which definition a number was computed with. Two different formulas under
    one version make old and new numbers look comparable when they are not.

    Failing example::

        # base:  formula: ending_mrr / starting_mrr    version: 1
        # head:  formula: retained_mrr / starting_mrr  version: 1

    Fix: set ``version`` to the base's version plus one.
    """
    for change in _changes(context):
        before, after = change.base.spec.version, change.head.spec.version
        if after == before + 1:
            continue
        detail = (
            f"its version stayed {after}"
            if after == before
            else (f"its version went from {before} to {after}")
        )
        yield context.finding(
            "NRG621",
            change.head.file_kind,
            (*change.head.path, "version"),
            f"{_what(change)} since the base, but {detail}",
            value=str(after),
            hint=f"set 'version: {before + 1}': every change of meaning bumps it by one",
            key=True,
        )


@rule("NRG622", name="approval-not-renewed")
def approval_not_renewed(context: LintContext) -> Iterator[Finding]:
    """Check that an approved item whose meaning changed carries a fresh approval.

    Runs with ``--base`` in a governed project: ``approved_on`` must be later than the
    base's. An item set back to ``draft`` needs no approval yet.

    Why: the approval on record was given for the old definition; keeping it would
    present the new numbers as signed off when nobody has seen them.

    Failing example::

        # base:  formula: ending_mrr / starting_mrr    approved_on: 2025-01-15
        # head:  formula: retained_mrr / starting_mrr  approved_on: 2025-01-15

    Fix: have a member of the owning body approve the new version and update
    ``approved_by`` and ``approved_on``, or set ``status: draft``.
    """
    if not context.governed:
        return
    for change in _changes(context):
        head, base = change.head.spec, change.base.spec
        if head.status != "approved":
            continue
        fresh = head.approved_on is not None and (
            base.approved_on is None or head.approved_on > base.approved_on
        )
        if fresh:
            continue
        was = f" (it was approved on {base.approved_on})" if base.approved_on else ""
        yield context.finding(
            "NRG622",
            change.head.file_kind,
            (*change.head.path, "approved_on"),
            f"{_what(change)} since the base but keeps its old approval{was}",
            value=str(head.approved_on) if head.approved_on else None,
            hint="record the new approval in approved_by and approved_on, or set "
            "'status: draft' until it is approved",
            key=True,
        )
