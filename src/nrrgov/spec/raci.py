"""``raci/*.yml``: governing bodies, decision rights and escalation tiers.

Also the lifecycle fields that every governed item carries (metrics today, plays too):
an owner, a status that moves draft -> approved -> deprecated, a version that goes up by
one on every change of meaning, and who approved it and when.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PositiveFloat,
    PositiveInt,
    WithJsonSchema,
    model_validator,
)

from nrrgov.spec.base import Spec

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
# A GitHub user (@login) or team (@organization/team-slug), as CODEOWNERS accepts them.
HANDLE_PATTERN = r"^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?$"

Cadence = Literal["weekly", "biweekly", "monthly", "quarterly", "on_every_pr", "ad_hoc"]
ItemStatus = Literal["draft", "approved", "deprecated"]
RaciLetter = Literal["responsible", "accountable", "consulted", "informed"]
RACI_LETTERS: tuple[RaciLetter, ...] = ("responsible", "accountable", "consulted", "informed")
# CODEOWNERS takes no negation, character ranges, comments or spaces in a pattern.
OwnsGlob = Annotated[str, Field(pattern=r"^[^\s!#\[\]\\]+$")]


def _one_or_many(value: object) -> object:
    """Accept a single name where a list is expected: ``accountable: cro``."""
    return (value,) if isinstance(value, str) else value


# A role, or the name of a body when the whole body takes part; one name or a list.
Roles = Annotated[
    tuple[Annotated[str, Field(pattern=NAME_PATTERN)], ...],
    BeforeValidator(_one_or_many),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": NAME_PATTERN},
                {"type": "array", "items": {"type": "string", "pattern": NAME_PATTERN}},
            ]
        }
    ),
]


class MemberSpec(Spec):
    """A seat on a body: a GitHub user or team and the role it holds.

    Attributes:
        handle: ``@login`` or ``@organization/team``; CODEOWNERS requests its review.
        role: the role RACI entries name, such as ``cro`` or ``revops``.
        name: the person's or team's display name.
    """

    handle: str = Field(pattern=HANDLE_PATTERN)
    role: str = Field(pattern=NAME_PATTERN)
    name: str = ""


class BodySpec(Spec):
    """A governing body: who sits on it, how often it meets, the files and decisions it owns.

    Attributes:
        chair: the handle of the member who chairs it.
        cadence: how often it meets; ``on_every_pr`` reviews each pull request.
        quorum: members needed for a decision.
        owns: globs of the files it governs, relative to the repository root, such as
            ``definitions/**``. ``*`` matches within one folder, ``**`` across folders.
        decisions: the names of the decisions in ``decisions.yml`` it takes.
    """

    name: str = Field(pattern=NAME_PATTERN)
    label: str
    description: str = ""
    members: tuple[MemberSpec, ...] = Field(min_length=1)
    chair: str = Field(pattern=HANDLE_PATTERN)
    cadence: Cadence
    quorum: PositiveInt = 1
    owns: tuple[OwnsGlob, ...] = ()
    decisions: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _quorum_within_members(self) -> BodySpec:
        if self.quorum > len(self.members):
            raise ValueError(
                f"quorum {self.quorum} is more than the {len(self.members)} members of "
                f"{self.name!r}"
            )
        return self

    @property
    def handles(self) -> tuple[str, ...]:
        """The members' handles, in the order listed."""
        return tuple(member.handle for member in self.members)

    @property
    def roles(self) -> tuple[str, ...]:
        """The members' roles, in the order listed."""
        return tuple(member.role for member in self.members)


class BodiesFileSpec(Spec):
    """``raci/bodies.yml``."""

    bodies: tuple[BodySpec, ...] = ()


class DecisionSpec(Spec):
    """Decision rights for one kind of decision, as a RACI.

    Each letter names roles (held by body members) or whole bodies.

    Attributes:
        responsible: who does the work and proposes the decision.
        accountable: the one role that signs it off.
        consulted: who is asked before the decision.
        informed: who is kept informed once it is taken.
    """

    name: str = Field(pattern=NAME_PATTERN)
    label: str
    description: str = ""
    responsible: Roles = ()
    accountable: Roles = ()
    consulted: Roles = ()
    informed: Roles = ()

    def roles(self, letter: RaciLetter) -> tuple[str, ...]:
        """Return the names under one RACI letter."""
        return getattr(self, letter)


class DecisionsFileSpec(Spec):
    """``raci/decisions.yml``."""

    decisions: tuple[DecisionSpec, ...] = ()


class TierSpec(Spec):
    """One escalation tier, listed from the first to the last resort.

    Attributes:
        when: what sends an issue to this tier.
        acknowledge_hours: hours within which someone called in must acknowledge.
        resolve_hours: hours within which the issue must be resolved or escalated on.
        called_in: roles or bodies called in at this tier.
    """

    name: str = Field(pattern=NAME_PATTERN)
    label: str
    when: str = ""
    acknowledge_hours: PositiveFloat | None = None
    resolve_hours: PositiveFloat | None = None
    called_in: Roles = ()

    @model_validator(mode="after")
    def _acknowledge_before_resolve(self) -> TierSpec:
        both = self.acknowledge_hours is not None and self.resolve_hours is not None
        if both and self.resolve_hours < self.acknowledge_hours:
            raise ValueError(
                f"resolve_hours {self.resolve_hours} is shorter than acknowledge_hours "
                f"{self.acknowledge_hours}"
            )
        return self


class EscalationFileSpec(Spec):
    """``raci/escalation.yml``."""

    tiers: tuple[TierSpec, ...] = ()


class LifecycleSpec(Spec):
    """Ownership and lifecycle fields shared by every governed item kind.

    Attributes:
        owner: the body that owns the item (a body name), or a role or a member's handle.
        status: ``draft`` while being written, ``approved`` once signed off,
            ``deprecated`` when replaced by ``successor`` until ``sunset``.
        version: goes up by one on every change of meaning.
        approved_by: handle of the member of the owning body who approved this version.
        approved_on: the day this version was approved.
        successor: for a deprecated item, the item that replaces it.
        sunset: for a deprecated item, the last day it is computed.
    """

    owner: str
    status: ItemStatus = "approved"
    version: PositiveInt = 1
    approved_by: str | None = Field(default=None, pattern=HANDLE_PATTERN)
    approved_on: date | None = None
    successor: str | None = None
    sunset: date | None = None
