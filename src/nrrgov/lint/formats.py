"""Output formats of ``nrrgov lint``: text, json, github (workflow commands), sarif, junit."""

from __future__ import annotations

import json
from collections.abc import Callable

from nrrgov.lint.junit import format_junit
from nrrgov.lint.runner import LintResult
from nrrgov.lint.sarif import format_sarif
from nrrgov.loader import Finding


def format_text(result: LintResult) -> str:
    """Return ``path:line:col: CODE message`` per finding, its hint, and a summary line."""
    lines = []
    for finding in result.findings:
        level = "warning: " if finding.level == "warning" else ""
        lines.append(f"{finding.where}: {finding.code} {level}{finding.message}")
        if finding.hint:
            lines.append(f"  hint: {finding.hint}")
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def _summary(result: LintResult) -> str:
    checked = f"{len(result.files)} file{'' if len(result.files) == 1 else 's'} checked"
    if not result.findings:
        return f"No problems found ({checked})."
    errors = f"{result.errors} error{'' if result.errors == 1 else 's'}"
    warnings = f"{result.warnings} warning{'' if result.warnings == 1 else 's'}"
    return f"Found {errors} and {warnings} ({checked})."


def format_json(result: LintResult) -> str:
    """Return a JSON list with one object per finding."""
    return json.dumps([_as_dict(finding) for finding in result.findings], indent=2) + "\n"


def _as_dict(finding: Finding) -> dict:
    return {
        "code": finding.code,
        "level": finding.level,
        "path": finding.path,
        "line": finding.line,
        "col": finding.col,
        "message": finding.message,
        "value": finding.value,
        "hint": finding.hint,
    }


def format_github(result: LintResult) -> str:
    """Return GitHub Actions workflow commands that annotate the files of a pull request.

    Each finding is ``::error file=...,line=...,col=...,title=CODE::message`` (or
    ``::warning``), with the hint on a second line of the message.
    """
    lines = []
    for finding in result.findings:
        properties = {"file": finding.path, "line": finding.line, "col": finding.col}
        properties["title"] = finding.code
        fields = ",".join(
            f"{name}={_escape_property(str(value))}"
            for name, value in properties.items()
            if value is not None
        )
        message = finding.message + (f"\nhint: {finding.hint}" if finding.hint else "")
        lines.append(f"::{finding.level} {fields}::{_escape_data(message)}")
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    # The workflow command syntax reserves these characters in messages.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


FORMATS: dict[str, Callable[[LintResult], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "junit": format_junit,
}
