"""``nrrgov lint``: rules with stable codes, the runner and the output formats.

Codes: NRG1xx reading YAML and validating it against the specs, NRG2xx references
between files and to the export files, NRG3xx formulas, NRG9xx the linter itself
(internal errors and suppression comments). NRG6xx are governance: NRG60x bodies,
decision rights and file owners, NRG61x the lifecycle of governed items, NRG62x changes
since the base of a pull request. NRG4xx and NRG5xx are the codes of errors that
``nrrgov compute`` and the report raise on data.
"""

from nrrgov.lint.formats import FORMATS
from nrrgov.lint.registry import RULES, LintContext, Rule, rule, rules_reference
from nrrgov.lint.runner import LintResult, lint_project
from nrrgov.loader import Finding

__all__ = [
    "FORMATS",
    "RULES",
    "Finding",
    "LintContext",
    "LintResult",
    "Rule",
    "lint_project",
    "rule",
    "rules_reference",
]
