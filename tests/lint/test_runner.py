"""The lint runner, suppression comments, output formats and rule documentation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nrrgov.lint import RULES, Finding, LintResult, Rule, lint_project, rules_reference
from nrrgov.lint.formats import format_github, format_text
from nrrgov.lint.suppression import find_suppressions

CASES = Path(__file__).parents[1] / "cases" / "lint"


def _broken_rule(context):
    raise KeyError("segment")


def _one_finding_rule(context):
    yield Finding("NRG201", "error", "nrrgov.yml", 1, 1, "still reported")


def test_crashing_rule_becomes_finding(tmp_path: Path) -> None:
    root = shutil.copytree(CASES / "base", tmp_path / "project")
    rules = [
        Rule(codes=("NRG999",), name="always-fails", check=_broken_rule),
        Rule(codes=("NRG201",), name="one-finding", check=_one_finding_rule),
    ]

    result = lint_project(root, rules=rules)

    codes = sorted(finding.code for finding in result.findings)
    internal = next(finding for finding in result.findings if finding.code == "NRG900")
    assert codes == ["NRG201", "NRG900"]
    assert "always-fails" in internal.message
    assert "KeyError" in internal.message


def test_suppression_codes_and_reason() -> None:
    text = "a: 1\nb: [x]  # nrrgov: noqa NRG201, NRG202 kept for the 2024 board pack\n"

    (suppression,) = find_suppressions("f.yml", text)

    assert suppression.line == 2
    assert suppression.col == 9
    assert suppression.codes == ("NRG201", "NRG202")
    assert suppression.reason == "kept for the 2024 board pack"


def test_suppression_without_reason() -> None:
    (suppression,) = find_suppressions("f.yml", "b: 1  # nrrgov: noqa NRG201\n")

    assert suppression.codes == ("NRG201",)
    assert suppression.reason == ""


def test_plain_comment_is_not_suppression() -> None:
    assert find_suppressions("f.yml", "b: 1  # noqa NRG201 reason\n") == []


def test_github_escapes_reserved_characters() -> None:
    finding = Finding("NRG107", "error", "a,b:c.yml", 3, 4, "100% wrong\nreally", hint=None)
    result = LintResult(findings=(finding,), files=("a,b:c.yml",))

    first = format_github(result).splitlines()[0]

    assert first == "::error file=a%2Cb%3Ac.yml,line=3,col=4,title=NRG107::100%25 wrong%0Areally"


def test_text_finding_without_line() -> None:
    finding = Finding("NRG100", "error", "definitions/metrics.yml", None, None, "not found")
    result = LintResult(findings=(finding,), files=())

    assert format_text(result).splitlines()[0] == "definitions/metrics.yml: NRG100 not found"


@pytest.mark.parametrize("registered", RULES, ids=lambda registered: registered.name)
def test_rule_docstring_sections(registered: Rule) -> None:
    assert registered.doc.splitlines()[0].startswith("Check") or registered.doc.startswith("Warn")
    assert "Why:" in registered.doc
    assert "Failing example::" in registered.doc
    assert "Fix:" in registered.doc


def test_reference_names_every_code() -> None:
    reference = rules_reference()

    for code in (code for registered in RULES for code in registered.codes):
        assert code in reference


def test_rule_codes_are_unique() -> None:
    codes = [code for registered in RULES for code in registered.codes]

    assert len(codes) == len(set(codes))
