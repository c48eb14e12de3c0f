"""Run every rule over a project and collect all findings in one pass."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nrrgov.governance.gitref import materialize_ref

# Importing the rule modules registers their rules, in this order.
from nrrgov.lint import (  # noqa: F401
    change_rules,
    formula_rules,
    health_rules,
    lifecycle_rules,
    play_rules,
    raci_rules,
    reference_rules,
    schema_rules,
    source_rules,
    target_rules,
)
from nrrgov.lint.registry import RULES, LintContext, Rule
from nrrgov.lint.suppression import apply_suppressions
from nrrgov.loader import Finding, ProjectFiles, read_project_files

logger = logging.getLogger(__name__)

INTERNAL_CODE = "NRG900"


@dataclass(frozen=True)
class LintResult:
    """The findings of one run, sorted by file, line and column, and the files read.

    Attributes:
        root: the project folder as given; finding paths are relative to where the
            command ran, or absolute when ``root`` was.
    """

    findings: tuple[Finding, ...]
    files: tuple[str, ...]
    root: Path = field(default=Path("."), compare=False)

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.level == "warning")


def lint_project(
    root: Path, rules: Sequence[Rule] | None = None, *, base: str | None = None
) -> LintResult:
    """Lint the definitions repository at ``root``.

    Every rule runs even when others fail: a rule that raises becomes one NRG900
    finding naming it. Suppression comments are applied last.

    Args:
        root: the project folder, holding nrrgov.yml (or pyproject.toml) and the
            definitions folder.
        rules: the rules to run; all registered rules by default.
        base: a git ref to compare with, such as ``origin/main``: rules that check
            version bumps and approvals read the definitions at that ref.

    Raises:
        UserError: ``base`` is given but is not a commit of the repository holding
            ``root`` (exit code 2).
    """
    files = read_project_files(Path(root))
    context = LintContext(files, base=_read_base(Path(root), base) if base else None)
    findings: list[Finding] = []
    for registered in RULES if rules is None else rules:
        findings.extend(_run_rule(registered, context))

    read = [document.path for document in files.locations.documents.values()]
    paths = dict.fromkeys([*read, *(f.path for f in findings if Path(f.path).is_file())])
    findings = apply_suppressions(findings, paths)
    return LintResult(
        findings=tuple(sorted(findings, key=_order)), files=tuple(read), root=Path(root)
    )


def _read_base(root: Path, ref: str) -> ProjectFiles:
    """Read the project's definitions at ``ref``; specs are kept, the files are not."""
    with tempfile.TemporaryDirectory(prefix="nrrgov-base-") as folder:
        return read_project_files(materialize_ref(root, ref, Path(folder)))


def _run_rule(registered: Rule, context: LintContext) -> list[Finding]:
    try:
        return list(registered.check(context))
    except Exception as error:  # noqa: BLE001 - one broken rule must not hide the others
        logger.debug("rule %s failed", registered.name, exc_info=True)
        return [
            Finding(
                code=INTERNAL_CODE,
                level="error",
                path=str(context.root),
                line=None,
                col=None,
                message=f"rule {registered.name} ({', '.join(registered.codes)}) failed: "
                f"{type(error).__name__}: {error}",
                hint="this is a bug in nrrgov: please report it with the files that trigger "
                "it; run with -vv for the traceback",
            )
        ]


def _order(finding: Finding) -> tuple:
    return (finding.path, finding.line or 0, finding.col or 0, finding.code)
