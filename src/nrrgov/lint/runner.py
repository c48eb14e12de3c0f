"""Run every rule over a project and collect all findings in one pass."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Importing the rule modules registers their rules, in this order.
from nrrgov.lint import formula_rules, reference_rules, schema_rules, source_rules  # noqa: F401
from nrrgov.lint.registry import RULES, LintContext, Rule
from nrrgov.lint.suppression import apply_suppressions
from nrrgov.loader import Finding, read_project_files

logger = logging.getLogger(__name__)

INTERNAL_CODE = "NRG900"


@dataclass(frozen=True)
class LintResult:
    """The findings of one run, sorted by file, line and column, and the files read."""

    findings: tuple[Finding, ...]
    files: tuple[str, ...]

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.level == "warning")


def lint_project(root: Path, rules: Sequence[Rule] | None = None) -> LintResult:
    """Lint the definitions repository at ``root``.

    Every rule runs even when others fail: a rule that raises becomes one NRG900
    finding naming it. Suppression comments are applied last.

    Args:
        root: the project folder, holding nrrgov.yml (or pyproject.toml) and the
            definitions folder.
        rules: the rules to run; all registered rules by default.
    """
    files = read_project_files(Path(root))
    context = LintContext(files)
    findings: list[Finding] = []
    for registered in RULES if rules is None else rules:
        findings.extend(_run_rule(registered, context))

    read = [document.path for document in files.locations.documents.values()]
    paths = dict.fromkeys([*read, *(f.path for f in findings if Path(f.path).is_file())])
    findings = apply_suppressions(findings, paths)
    return LintResult(findings=tuple(sorted(findings, key=_order)), files=tuple(read))


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
