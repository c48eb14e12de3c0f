"""SARIF 2.1.0 output of ``nrrgov lint``, the format code-scanning tools read.

Rule ids are the stable finding codes. File URIs are relative to the repository root
(the nearest folder above the project holding ``.git``, else the project folder), with
``uriBaseId`` ``%SRCROOT%``, so that GitHub code scanning places them on the right file.
Each result carries a fingerprint made of its code, file and message, not its line, so
that a finding keeps its identity when lines are inserted above it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
from collections import Counter
from pathlib import Path

from nrrgov import __version__
from nrrgov.lint.registry import RULES
from nrrgov.lint.runner import LintResult
from nrrgov.loader import Finding

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
ROOT_BASE_ID = "%SRCROOT%"
FINGERPRINT_KEY = "nrrgovFinding/v1"


def format_sarif(result: LintResult) -> str:
    """Return a SARIF 2.1.0 log with one run, every rule, and one result per finding."""
    rules = _rules()
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    repository = repository_root(result.root)
    seen: Counter[str] = Counter()
    results = [_result(finding, repository, index, seen) for finding in result.findings]
    run = {
        "tool": {
            "driver": {
                "name": "nrrgov",
                "version": __version__,
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


def repository_root(project: Path) -> Path:
    """Return the nearest folder at or above ``project`` holding ``.git``, else ``project``."""
    start = Path(project).resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def _rules() -> list[dict]:
    """Describe each code once; a code two rules report keeps the first rule's text."""
    rules: dict[str, dict] = {}
    for registered in RULES:
        doc = inspect.cleandoc(registered.doc)
        summary = doc.splitlines()[0] if doc else registered.name
        for code in registered.codes:
            rules.setdefault(
                code,
                {
                    "id": code,
                    "name": registered.name,
                    "shortDescription": {"text": summary},
                    "fullDescription": {"text": doc or summary},
                    "help": {"text": doc or summary},
                },
            )
    return [rules[code] for code in sorted(rules)]


def _result(finding: Finding, repository: Path, index: dict, seen: Counter) -> dict:
    uri = _relative_uri(finding.path, repository)
    location: dict = {"artifactLocation": {"uri": uri, "uriBaseId": ROOT_BASE_ID}}
    if finding.line is not None:
        location["region"] = {"startLine": finding.line, "startColumn": finding.col or 1}
    text = finding.message + (f" (hint: {finding.hint})" if finding.hint else "")
    entry = {
        "ruleId": finding.code,
        "level": finding.level,
        "message": {"text": text},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(finding, uri, seen)},
    }
    if finding.code in index:
        entry["ruleIndex"] = index[finding.code]
    return entry


def _relative_uri(path: str, repository: Path) -> str:
    """Return ``path`` (relative to the working folder, or absolute) relative to the root."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(repository).as_posix() or "."
    except ValueError:
        return absolute.as_uri()


def _fingerprint(finding: Finding, uri: str, seen: Counter) -> str:
    """Hash the code, file and message; repeats of one finding are numbered in file order."""
    identity = f"{finding.code}\0{uri}\0{finding.message}"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]
    seen[digest] += 1
    return f"{digest}:{seen[digest]}"
