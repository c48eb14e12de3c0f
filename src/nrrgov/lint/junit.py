"""JUnit XML output of ``nrrgov lint``, for CI systems that show test reports.

Every rule code is a test case, and a code without findings passes. Each error is a
failed test case of its own, named by its file, line and column, so that a report lists
them one by one. A warning is a passing test case whose output carries the message.
"""

from __future__ import annotations

from xml.etree import ElementTree

from nrrgov.lint.registry import RULES
from nrrgov.lint.runner import LintResult
from nrrgov.loader import Finding

SUITE_NAME = "nrrgov lint"


def format_junit(result: LintResult) -> str:
    """Return a JUnit XML report with one test suite for the run."""
    names = {code: registered.name for registered in RULES for code in registered.codes}
    cases = []
    for code in sorted(names):
        found = [finding for finding in result.findings if finding.code == code]
        cases.extend(_cases(code, names[code], found))
    known = set(names)
    # Findings of codes outside the registry (internal errors, suppressions) still count.
    for finding in result.findings:
        if finding.code not in known:
            cases.append(_case(finding.code, "nrrgov", finding))

    failures = sum(1 for case in cases if case.find("failure") is not None)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0"}
    suites = ElementTree.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ElementTree.SubElement(suites, "testsuite", {"name": SUITE_NAME, **counts})
    suite.set("skipped", "0")
    suite.extend(cases)
    ElementTree.indent(suites)
    body = ElementTree.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _cases(code: str, name: str, findings: list[Finding]) -> list[ElementTree.Element]:
    if not findings:
        return [ElementTree.Element("testcase", {"classname": f"nrrgov.{code}", "name": name})]
    return [_case(code, name, finding) for finding in findings]


def _case(code: str, name: str, finding: Finding) -> ElementTree.Element:
    case = ElementTree.Element(
        "testcase",
        {"classname": f"nrrgov.{code}", "name": f"{name} at {finding.where}", "file": finding.path},
    )
    text = f"{finding.where}: {finding.code} {finding.message}"
    if finding.hint:
        text += f"\nhint: {finding.hint}"
    if finding.level == "error":
        failure = ElementTree.SubElement(
            case, "failure", {"type": finding.code, "message": finding.message}
        )
        failure.text = text
    else:
        ElementTree.SubElement(case, "system-out").text = f"warning: {text}"
    return case
