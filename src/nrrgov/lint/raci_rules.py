"""NRG601-NRG607: decision rights, bodies, escalation tiers and the owners of files.

These rules run on a governed project, one with ``raci/bodies.yml``. Names in a RACI
(``responsible``, ``accountable``, ``consulted``, ``informed``) and in an escalation
tier's ``called_in`` are roles held by body members, or body names when a whole body
takes part.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nrrgov.governance.lifecycle import governed_items
from nrrgov.governance.ownership import governed_files, owners_of, ownership_rules
from nrrgov.lint.registry import LintContext, closest_hint, rule
from nrrgov.loader import Finding
from nrrgov.spec.raci import RACI_LETTERS, BodySpec


def _known_names(bodies: tuple[BodySpec, ...]) -> list[str]:
    """Roles of every member, then body names: what a RACI entry may name."""
    roles = [role for body in bodies for role in body.roles]
    return list(dict.fromkeys([*roles, *(body.name for body in bodies)]))


@rule("NRG601", name="decision-accountable")
def decision_accountable(context: LintContext) -> Iterator[Finding]:
    """Check that each decision has exactly one Accountable role.

    Why: the Accountable role signs a decision off. With none, nobody can; with two,
    each can wait for the other, and a decision stalls or is taken twice.

    Failing example::

        decisions:
          - name: metric_definition_change
            accountable: [revops, finance]

    Fix: name the one role that signs off under ``accountable``; move the others to
    ``consulted``.
    """
    for index, decision in enumerate(context.decisions or ()):
        count = len(decision.accountable)
        if count == 1:
            continue
        path = ("decisions", index, "accountable" if count else "name")
        found = ", ".join(decision.accountable) if count else "none"
        yield context.finding(
            "NRG601",
            "decisions",
            path,
            f"decision {decision.name!r} has {count} Accountable roles ({found}); "
            "it needs exactly one",
            value=found,
            hint="keep one role under 'accountable' and move the others to 'consulted'",
            key=count == 0,
        )


@rule("NRG602", name="decision-responsible")
def decision_responsible(context: LintContext) -> Iterator[Finding]:
    """Check that each decision has at least one Responsible role.

    Why: the Responsible role prepares and proposes the decision. Without one, the
    decision has an approver but nobody bringing it to them.

    Failing example::

        decisions:
          - name: budget_shift
            accountable: cro      # and no 'responsible'

    Fix: add ``responsible:`` with the role that prepares the decision.
    """
    for index, decision in enumerate(context.decisions or ()):
        if decision.responsible:
            continue
        yield context.finding(
            "NRG602",
            "decisions",
            ("decisions", index, "name"),
            f"decision {decision.name!r} has no Responsible role",
            value=decision.name,
            hint="add 'responsible: <role>' with the role that prepares the decision",
            key=True,
        )


@rule("NRG603", name="raci-unknown-name")
def raci_unknown_name(context: LintContext) -> Iterator[Finding]:
    """Check that every role, member, body and decision named in the RACI files is defined.

    Roles are defined by body members, members by their handle, decisions in
    ``decisions.yml``. A governed item's ``owner`` (a metric's, for one) must name a
    body, a role or a member.

    Why: a misspelt role names nobody, so the decision or escalation it is part of
    silently loses a participant.

    Failing example::

        decisions:
          - name: budget_shift
            responsible: cs_opps      # the member role is cs_ops

    Fix: use a name defined in ``bodies.yml`` (the hint gives the closest one), or add
    the member or decision it refers to.
    """
    bodies = context.bodies
    if bodies is None:
        return
    names = _known_names(bodies)
    yield from _unknown_in_decisions(context, names)
    yield from _unknown_in_tiers(context, names)
    yield from _unknown_chairs(context, bodies)
    yield from _unknown_body_decisions(context, bodies)
    yield from _unknown_owners(context, bodies)


def _unknown_in_decisions(context: LintContext, names: list[str]) -> Iterator[Finding]:
    for index, decision in enumerate(context.decisions or ()):
        for letter in RACI_LETTERS:
            for position, name in enumerate(decision.roles(letter)):
                if name in names:
                    continue
                yield context.finding(
                    "NRG603",
                    "decisions",
                    ("decisions", index, letter, position),
                    f"decision {decision.name!r} names unknown role {name!r} as {letter}",
                    value=name,
                    hint=closest_hint(name, names, "roles and bodies"),
                )


def _unknown_in_tiers(context: LintContext, names: list[str]) -> Iterator[Finding]:
    for index, tier in enumerate(context.tiers or ()):
        for position, name in enumerate(tier.called_in):
            if name in names:
                continue
            yield context.finding(
                "NRG603",
                "escalation",
                ("tiers", index, "called_in", position),
                f"escalation tier {tier.name!r} calls in unknown role {name!r}",
                value=name,
                hint=closest_hint(name, names, "roles and bodies"),
            )


def _unknown_chairs(context: LintContext, bodies: tuple[BodySpec, ...]) -> Iterator[Finding]:
    for index, body in enumerate(bodies):
        if body.chair in body.handles:
            continue
        yield context.finding(
            "NRG603",
            "bodies",
            ("bodies", index, "chair"),
            f"the chair {body.chair!r} of {body.name!r} is not one of its members",
            value=body.chair,
            hint=closest_hint(body.chair, body.handles, "members"),
        )


def _unknown_body_decisions(
    context: LintContext, bodies: tuple[BodySpec, ...]
) -> Iterator[Finding]:
    if context.decisions is None:
        return
    defined = [decision.name for decision in context.decisions]
    for index, body in enumerate(bodies):
        for position, name in enumerate(body.decisions):
            if name in defined:
                continue
            yield context.finding(
                "NRG603",
                "bodies",
                ("bodies", index, "decisions", position),
                f"body {body.name!r} takes unknown decision {name!r}",
                value=name,
                hint=closest_hint(name, defined, "decisions in decisions.yml"),
            )


def _unknown_owners(context: LintContext, bodies: tuple[BodySpec, ...]) -> Iterator[Finding]:
    handles = [handle for body in bodies for handle in body.handles]
    owners = list(dict.fromkeys([*_known_names(bodies), *handles]))
    for item in governed_items(context.files):
        owner = item.spec.owner
        if owner in owners:
            continue
        yield context.finding(
            "NRG603",
            item.file_kind,
            (*item.path, "owner"),
            f"{item.kind} {item.name!r} is owned by {owner!r}, which is not a body, a role "
            "or a member",
            value=owner,
            hint=closest_hint(owner, owners, "bodies, roles and members"),
        )


@rule("NRG604", name="body-owns-nothing")
def body_owns_nothing(context: LintContext) -> Iterator[Finding]:
    """Check that every body owns at least one file glob.

    Why: ownership is how a body's review is required on a pull request (CODEOWNERS is
    generated from ``owns``). A body that owns nothing is never asked.

    Failing example::

        bodies:
          - name: playbook_pmo
            owns: []

    Fix: list the files it governs under ``owns``, such as ``plays/**``, or remove the
    body.
    """
    for index, body in enumerate(context.bodies or ()):
        if body.owns:
            continue
        yield context.finding(
            "NRG604",
            "bodies",
            ("bodies", index, "name"),
            f"body {body.name!r} owns no files",
            value=body.name,
            hint="add the globs of the files it governs under 'owns', such as 'plays/**'",
            key=True,
        )


@rule("NRG605", name="decision-without-body")
def decision_without_body(context: LintContext) -> Iterator[Finding]:
    """Check that every decision in ``decisions.yml`` is taken by some body.

    Why: decision rights without a forum leave no place where the decision is raised,
    minuted and followed up.

    Failing example::

        # decisions.yml defines budget_shift, but no body lists it under 'decisions'

    Fix: add the decision to the ``decisions`` of the body that takes it.
    """
    bodies = context.bodies
    if bodies is None:
        return
    taken = {name for body in bodies for name in body.decisions}
    for index, decision in enumerate(context.decisions or ()):
        if decision.name in taken:
            continue
        yield context.finding(
            "NRG605",
            "decisions",
            ("decisions", index, "name"),
            f"no body takes decision {decision.name!r}",
            value=decision.name,
            hint="add it to the 'decisions' of the body that takes it in bodies.yml",
        )


@rule("NRG606", name="tier-without-sla")
def tier_without_sla(context: LintContext) -> Iterator[Finding]:
    """Check that every escalation tier states its SLA in hours.

    Why: a tier without an acknowledge and a resolve time never escalates further, so
    an at-risk account can wait indefinitely.

    Failing example::

        tiers:
          - name: executive
            called_in: [cro]      # no acknowledge_hours or resolve_hours

    Fix: set ``acknowledge_hours`` and ``resolve_hours``.
    """
    for index, tier in enumerate(context.tiers or ()):
        missing = [
            name for name in ("acknowledge_hours", "resolve_hours") if getattr(tier, name) is None
        ]
        if not missing:
            continue
        yield context.finding(
            "NRG606",
            "escalation",
            ("tiers", index, "name"),
            f"escalation tier {tier.name!r} has no {' or '.join(missing)}",
            value=tier.name,
            hint=f"set {' and '.join(missing)} (hours)",
            key=True,
        )


@rule("NRG607", name="file-without-owner")
def file_without_owner(context: LintContext) -> Iterator[Finding]:
    """Check that every governed file is owned by a body.

    Governed files are the configuration (``nrrgov.yml``) and every YAML file under the
    definitions folder, ``raci/`` and ``plays/``.

    Why: a file no body owns can change on any pull request without the review of the
    people accountable for its numbers.

    Failing example::

        bodies:
          - name: data_board
            owns: [definitions/metrics.yml]   # definitions/sources.yml has no owner

    Fix: add a glob that matches the file to the ``owns`` of the body that governs it,
    such as ``definitions/**``.
    """
    if not context.governed or context.bodies is None:
        return
    rules = ownership_rules(context.bodies)
    for relative in governed_files(context.root, context.config):
        if owners_of(relative, rules):
            continue
        yield Finding(
            code="NRG607",
            level="error",
            path=str(Path(context.root) / relative),
            line=1,
            col=1,
            message=f"no body owns {relative!r}",
            value=relative,
            hint="add a glob matching it to a body's 'owns' in raci/bodies.yml",
        )
