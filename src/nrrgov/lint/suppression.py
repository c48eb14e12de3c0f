"""In-place suppression: ``# nrrgov: noqa NRG201 reason`` on the line of a finding.

A suppression names one or more codes (separated by commas or spaces) and must give a
reason after them. One without a reason, or without a code, suppresses nothing and is
reported itself (NRG901). One that matches no finding is reported as a warning (NRG902),
so that stale suppressions do not pile up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nrrgov.loader import Finding

INVALID_SUPPRESSION_CODE = "NRG901"
UNUSED_SUPPRESSION_CODE = "NRG902"

_NOQA = re.compile(r"#\s*nrrgov:\s*noqa\b(?P<rest>.*)$", re.IGNORECASE)
_CODES = re.compile(r"\s*((?:NRG\d{3}(?:\s*,\s*|\s+|$))+)")
# Findings about suppressions themselves, and internal errors, cannot be suppressed.
_UNSUPPRESSIBLE = {"NRG900", INVALID_SUPPRESSION_CODE, UNUSED_SUPPRESSION_CODE}


@dataclass(frozen=True)
class Suppression:
    """One ``noqa`` comment: where it is, the codes it names and the reason given."""

    path: str
    line: int
    col: int
    codes: tuple[str, ...]
    reason: str


def find_suppressions(path: str, text: str) -> list[Suppression]:
    """Return every ``# nrrgov: noqa`` comment in ``text``, valid or not."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _NOQA.search(line)
        if match is None:
            continue
        rest = match.group("rest")
        codes_match = _CODES.match(rest)
        codes = re.findall(r"NRG\d{3}", codes_match.group(1)) if codes_match else []
        reason = rest[codes_match.end() :] if codes_match else rest
        found.append(Suppression(path, number, match.start() + 1, tuple(codes), reason.strip()))
    return found


def apply_suppressions(findings: list[Finding], paths: Iterable[str]) -> list[Finding]:
    """Drop the findings suppressed in place; add findings for bad or unused suppressions.

    Args:
        findings: every finding of the run.
        paths: the files to read suppressions from.
    """
    suppressions = [s for path in paths for s in find_suppressions(path, _read(path))]
    valid = [s for s in suppressions if s.codes and s.reason]
    used: set[Suppression] = set()
    kept = []
    for finding in findings:
        match = _matching(finding, valid)
        if match is None:
            kept.append(finding)
        else:
            used.add(match)

    for suppression in suppressions:
        if suppression not in valid:
            kept.append(_invalid(suppression))
        elif suppression not in used:
            kept.append(_unused(suppression))
    return kept


def _matching(finding: Finding, suppressions: list[Suppression]) -> Suppression | None:
    if finding.code in _UNSUPPRESSIBLE:
        return None
    for suppression in suppressions:
        same_line = suppression.path == finding.path and suppression.line == finding.line
        if same_line and finding.code in suppression.codes:
            return suppression
    return None


def _invalid(suppression: Suppression) -> Finding:
    if not suppression.codes:
        message = "suppression names no code"
        hint = "write '# nrrgov: noqa NRG201 <reason>' with the code of the finding"
    else:
        message = f"suppression of {', '.join(suppression.codes)} gives no reason"
        hint = f"add why after the code: '# nrrgov: noqa {suppression.codes[0]} <reason>'"
    return Finding(
        code=INVALID_SUPPRESSION_CODE,
        level="error",
        path=suppression.path,
        line=suppression.line,
        col=suppression.col,
        message=message,
        hint=hint,
    )


def _unused(suppression: Suppression) -> Finding:
    codes = ", ".join(suppression.codes)
    return Finding(
        code=UNUSED_SUPPRESSION_CODE,
        level="warning",
        path=suppression.path,
        line=suppression.line,
        col=suppression.col,
        message=f"suppression of {codes} matches no finding on this line",
        value=codes,
        hint="remove the comment; the problem it silenced is gone",
    )


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        # The loader has already reported a file it cannot read.
        return ""
