"""NRG611-NRG614: the lifecycle of governed items (metrics, and later plays).

An item is ``draft`` while being written, ``approved`` once a member of its owning body
signed it off, and ``deprecated`` when a successor replaces it until a sunset date.
Approval fields are required only in a governed project (one with ``raci/bodies.yml``),
since approvers are members of its bodies.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from nrrgov.governance.lifecycle import GovernedItem, governed_items, item_references
from nrrgov.governance.ownership import owners_of, ownership_rules
from nrrgov.lint.registry import LintContext, closest_hint, rule
from nrrgov.loader import Finding
from nrrgov.spec import BodySpec


def approving_bodies(context: LintContext, item: GovernedItem) -> tuple[BodySpec, ...]:
    """Return the bodies whose members may approve ``item``.

    That is the body its ``owner`` names, else the bodies owning the file it sits in.
    """
    bodies = context.bodies or ()
    named = tuple(body for body in bodies if body.name == item.spec.owner)
    if named:
        return named
    document = context.files.locations.documents.get(item.file_kind)
    if document is None:
        return ()
    relative = os.path.relpath(document.path, context.root).replace(os.sep, "/")
    return owners_of(relative, ownership_rules(bodies))


def _status_path(item: GovernedItem) -> tuple:
    return (*item.path, "status")


@rule("NRG611", name="approval-missing")
def approval_missing(context: LintContext) -> Iterator[Finding]:
    """Check that an approved item records who approved it and when.

    ``status`` defaults to ``approved``, so an item without a status needs the fields too.

    Why: an approval nobody can trace is no approval; auditors and the Data Board need
    the approver and date of the version in force.

    Failing example::

        metrics:
          - name: nrr
            status: approved      # no approved_by or approved_on

    Fix: add ``approved_by`` (the handle of a member of the owning body) and
    ``approved_on`` (the date), or set ``status: draft`` until it is approved.
    """
    if not context.governed:
        return
    for item in governed_items(context.files):
        spec = item.spec
        missing = [name for name in ("approved_by", "approved_on") if getattr(spec, name) is None]
        if spec.status != "approved" or not missing:
            continue
        yield context.finding(
            "NRG611",
            item.file_kind,
            _status_path(item),
            f"{item.kind} {item.name!r} is approved but has no {' or '.join(missing)}",
            value=item.name,
            hint="add approved_by (a member's handle) and approved_on (YYYY-MM-DD), or set "
            "'status: draft' until it is approved",
            key=True,
        )


@rule("NRG612", name="approver-not-member")
def approver_not_member(context: LintContext) -> Iterator[Finding]:
    """Check that ``approved_by`` is a member of the body that owns the item.

    The owning body is the body named by ``owner``, else the body owning the file.

    Why: approval is a decision right of the owning body. Anyone else's sign-off does
    not count, however senior.

    Failing example::

        metrics:
          - name: nrr
            owner: data_board
            approved_by: "@acme-cro"    # a Revenue Council member

    Fix: have a member of the owning body approve the version, and write their handle.
    """
    if not context.governed:
        return
    for item in governed_items(context.files):
        approver = item.spec.approved_by
        bodies = approving_bodies(context, item)
        handles = [handle for body in bodies for handle in body.handles]
        if approver is None or not bodies or approver in handles:
            continue
        names = ", ".join(repr(body.name) for body in bodies)
        yield context.finding(
            "NRG612",
            item.file_kind,
            (*item.path, "approved_by"),
            f"{item.kind} {item.name!r} was approved by {approver!r}, who is not a member "
            f"of its owning body {names}",
            value=approver,
            hint=f"have one of its members approve: {', '.join(handles)}",
        )


@rule("NRG613", name="deprecation-incomplete")
def deprecation_incomplete(context: LintContext) -> Iterator[Finding]:
    """Check that a deprecated item names an existing successor and a sunset date.

    Why: users of a deprecated metric need to know what replaces it and until when the
    old one is computed, or they keep reporting a number nobody maintains.

    Failing example::

        metrics:
          - name: nrr_v0
            status: deprecated    # no successor or sunset

    Fix: add ``successor`` (the name of the item that replaces it) and ``sunset``
    (YYYY-MM-DD).
    """
    items = governed_items(context.files)
    names = [(item.kind, item.name) for item in items]
    for item in items:
        spec = item.spec
        if spec.status != "deprecated":
            continue
        missing = [name for name in ("successor", "sunset") if getattr(spec, name) is None]
        if missing:
            yield context.finding(
                "NRG613",
                item.file_kind,
                _status_path(item),
                f"deprecated {item.kind} {item.name!r} has no {' or '.join(missing)}",
                value=item.name,
                hint=f"add {' and '.join(missing)}: the {item.kind} that replaces it and "
                "the last day it is computed",
                key=True,
            )
        successor = spec.successor
        if successor is not None and (
            (item.kind, successor) not in names or successor == spec.name
        ):
            choices = [name for kind, name in names if kind == item.kind and name != spec.name]
            yield context.finding(
                "NRG613",
                item.file_kind,
                (*item.path, "successor"),
                f"the successor {successor!r} of {item.kind} {item.name!r} is not another "
                f"{item.kind}",
                value=successor,
                hint=closest_hint(successor, choices, f"{item.kind}s"),
            )


@rule("NRG614", name="deprecated-in-use")
def deprecated_in_use(context: LintContext) -> Iterator[Finding]:
    """Check that no definition relies on a deprecated item.

    A successor must not itself be deprecated, and an item that is still in use (such
    as a play's target KPI) must not name a deprecated metric.

    Why: relying on a deprecated item keeps a number alive past its sunset, and a chain
    of deprecated successors sends readers in circles.

    Failing example::

        metrics:
          - name: nrr_v0
            status: deprecated
            successor: nrr_v1     # nrr_v1 is deprecated too, in favour of nrr

    Fix: point the reference at the current item (the end of the successor chain).
    """
    items = {item.key: item for item in governed_items(context.files)}
    for reference in item_references(context.files):
        target = items.get((reference.kind, reference.name))
        if target is None or target.spec.status != "deprecated":
            continue
        user = reference.user
        if reference.use != "successor" and user and user.spec.status == "deprecated":
            continue
        current = _end_of_chain(target, items)
        hint = f"use {current!r} instead" if current else "use the current item instead"
        yield context.finding(
            "NRG614",
            reference.file_kind,
            reference.path,
            f"{reference.used_as} is {reference.kind} {reference.name!r}, which is deprecated",
            value=reference.name,
            hint=hint,
        )


def _end_of_chain(item: GovernedItem, items: dict) -> str | None:
    """Follow successors to the first item that is not deprecated; None on a dead end."""
    seen = {item.key}
    while item.spec.status == "deprecated":
        successor = items.get((item.kind, item.spec.successor))
        if successor is None or successor.key in seen:
            return None
        seen.add(successor.key)
        item = successor
    return item.name
