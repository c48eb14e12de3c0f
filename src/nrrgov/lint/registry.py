"""The rule registry and the context every rule reads.

A rule is one function that takes a :class:`LintContext` and yields
:class:`~nrrgov.loader.Finding` objects. Registering it with :func:`rule` gives it a stable
code and adds it to :data:`RULES`, in the order the rule modules are imported.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from nrrgov.loader import Finding, Level, ProjectFiles
from nrrgov.spec import (
    BodySpec,
    DecisionSpec,
    MetricSpec,
    ProjectSpec,
    SourceSpec,
    TaxonomyFileSpec,
    TierSpec,
)
from nrrgov.yamlio import NodePath, Position

Check = Callable[["LintContext"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered rule.

    Attributes:
        codes: the codes its findings carry; most rules have exactly one.
        name: a short kebab-case name, stable like the code.
        check: the function that yields the findings.
    """

    codes: tuple[str, ...]
    name: str
    check: Check

    @property
    def doc(self) -> str:
        """The rule's docstring: what it checks, why, a failing example and the fix."""
        return (self.check.__doc__ or "").strip()


RULES: list[Rule] = []


def rule(*codes: str, name: str) -> Callable[[Check], Check]:
    """Register the decorated function as a rule reporting ``codes``."""

    def register(check: Check) -> Check:
        RULES.append(Rule(codes=codes, name=name, check=check))
        return check

    return register


def rules_reference() -> str:
    """Render the Markdown reference of every registered rule from its docstring."""
    sections = ["# Lint rules", ""]
    for registered in sorted(RULES, key=lambda registered: registered.codes[0]):
        sections.append(f"## {', '.join(registered.codes)}: {registered.name}")
        sections.append("")
        sections.append(inspect.cleandoc(registered.doc))
        sections.append("")
    return "\n".join(sections)


def closest_hint(name: str, choices: Iterable[str], what: str) -> str:
    """Return "did you mean ...?" for the closest choice, else the list of ``what``."""
    choices = list(dict.fromkeys(choices))
    close = difflib.get_close_matches(name, choices, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    if choices:
        return f"{what}: {', '.join(choices)}"
    return f"no {what} are defined"


@dataclass(frozen=True)
class LintContext:
    """The project as each file validated on its own, with helpers to build findings.

    A spec is None when its file is missing or invalid, so a rule that needs it yields
    nothing: the loader has already reported why.

    Attributes:
        files: the project being linted.
        base: the same project at the base of a pull request (``nrrgov lint --base``),
            for rules that compare two versions; None otherwise.
    """

    files: ProjectFiles
    base: ProjectFiles | None = None

    @property
    def root(self) -> Path:
        return self.files.root

    @property
    def config(self) -> ProjectSpec | None:
        return self.files.config

    @property
    def metrics(self) -> tuple[MetricSpec, ...] | None:
        return self.files.metrics.metrics if self.files.metrics else None

    @property
    def taxonomy(self) -> TaxonomyFileSpec | None:
        return self.files.taxonomy

    @property
    def sources(self) -> tuple[SourceSpec, ...] | None:
        return self.files.sources.sources if self.files.sources else None

    @property
    def governed(self) -> bool:
        """Whether the project declares its bodies in ``raci/bodies.yml``."""
        return self.files.governed

    @property
    def bodies(self) -> tuple[BodySpec, ...] | None:
        return self.files.bodies.bodies if self.files.bodies else None

    @property
    def decisions(self) -> tuple[DecisionSpec, ...] | None:
        return self.files.decisions.decisions if self.files.decisions else None

    @property
    def tiers(self) -> tuple[TierSpec, ...] | None:
        return self.files.escalation.tiers if self.files.escalation else None

    @property
    def data_dir(self) -> Path | None:
        """The folder that source paths are relative to, or None if nrrgov.yml is invalid."""
        return self.root / self.config.data if self.config else None

    def position(self, kind: str, path: NodePath, *, key: bool = False) -> Position | None:
        """Return the position of a node in the ``kind`` file, or None if it was not read."""
        document = self.files.locations.documents.get(kind)
        if document is None:
            return None
        return document.key_position(path) if key else document.position(path)

    def finding(
        self,
        code: str,
        kind: str,
        path: NodePath,
        message: str,
        *,
        value: object = None,
        hint: str | None = None,
        level: Level = "error",
        key: bool = False,
        at: Position | None = None,
    ) -> Finding:
        """Build a finding that points at the node at ``path`` in the ``kind`` file.

        Args:
            key: point at the mapping key of ``path`` rather than its value.
            at: an exact position that overrides ``path``, such as a token in a formula.
        """
        where = self.files.locations.locate(kind, path, key=key)
        line, col = (at.line, at.col) if at else (where.line, where.col)
        return Finding(
            code=code,
            level=level,
            path=where.path,
            line=line,
            col=col,
            message=message,
            value=None if value is None else str(value),
            hint=hint,
        )
