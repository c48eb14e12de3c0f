"""The result of a maturity assessment: capabilities, their levels, evidence and gaps."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Maturity levels, from 1 to 4.
LEVELS = ("ad hoc", "defined", "managed", "operationalized")


@dataclass(frozen=True)
class Requirement:
    """One condition for reaching a level, and the evidence found for it.

    Attributes:
        level: the level (2 to 4) this requirement belongs to.
        text: what is required, in words.
        evidence: where it was found (``file:line`` or ``table``) and the figure or value;
            None when it was not found.
        looked_in: the files or tables searched, shown when nothing was found.
    """

    level: int
    text: str
    evidence: str | None = None
    looked_in: tuple[str, ...] = ()

    @property
    def met(self) -> bool:
        return self.evidence is not None


@dataclass(frozen=True)
class KpiFigure:
    """A capability's primary KPI as the last run computed it.

    Attributes:
        value: the figure, or None when the run did not compute it.
        where: the table and row it was read from.
    """

    name: str
    label: str
    value: float | None
    unit: str
    where: str


@dataclass(frozen=True)
class CapabilityRating:
    """The rating of one capability.

    Attributes:
        level: 1 (ad hoc) to 4 (operationalized): the highest level whose requirements,
            and those of every level below it, are all met.
        requirements: every requirement checked, met or not.
    """

    key: str
    label: str
    level: int
    requirements: tuple[Requirement, ...]
    kpis: tuple[KpiFigure, ...] = ()

    @property
    def level_name(self) -> str:
        return LEVELS[self.level - 1]

    @property
    def evidence(self) -> tuple[Requirement, ...]:
        """The requirements met."""
        return tuple(r for r in self.requirements if r.met)

    @property
    def missing_for_next(self) -> tuple[Requirement, ...]:
        """The requirements not met at the next level (none at the top level)."""
        return tuple(r for r in self.requirements if r.level == self.level + 1 and not r.met)

    @property
    def looked_for(self) -> tuple[str, ...]:
        """The files and tables searched without finding any evidence."""
        if self.evidence:
            return ()
        places = [place for r in self.requirements for place in r.looked_in]
        return tuple(dict.fromkeys(places))


@dataclass(frozen=True)
class Assessment:
    """The ratings of the six capabilities.

    Attributes:
        as_of: the as-of month of the run whose tables were read, or None without one.
        tables: the folder of that run's tables.
    """

    project: str
    as_of: str | None
    tables: str
    capabilities: tuple[CapabilityRating, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        """Return the assessment as plain data, for JSON output and the report page."""
        return {
            "project": self.project,
            "as_of": self.as_of,
            "tables": self.tables,
            "levels": list(LEVELS),
            "capabilities": [_capability_dict(c) for c in self.capabilities],
        }


def rate(requirements: list[Requirement]) -> int:
    """Return the highest level whose requirements, and all below, are met.

    >>> rate([Requirement(2, "a", "x"), Requirement(3, "b")])
    2
    """
    level = 1
    for candidate in (2, 3, 4):
        needed = [r for r in requirements if r.level == candidate]
        if not needed or not all(r.met for r in needed):
            break
        level = candidate
    return level


def _capability_dict(rating: CapabilityRating) -> dict:
    return {
        "key": rating.key,
        "label": rating.label,
        "level": rating.level,
        "level_name": rating.level_name,
        "kpis": [asdict(kpi) for kpi in rating.kpis],
        "evidence": [_requirement_dict(r) for r in rating.evidence],
        "missing_for_next_level": [_requirement_dict(r) for r in rating.missing_for_next],
        "looked_for": list(rating.looked_for),
        "requirements": [_requirement_dict(r) for r in rating.requirements],
    }


def _requirement_dict(requirement: Requirement) -> dict:
    return {
        "level": requirement.level,
        "level_name": LEVELS[requirement.level - 1],
        "requirement": requirement.text,
        "met": requirement.met,
        "evidence": requirement.evidence,
        "looked_in": list(requirement.looked_in),
    }
