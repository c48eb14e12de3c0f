"""Lint cases of the health and target rules.

The cases ``tests/cases/lint/nrg8*.yml`` run here with only these rules, and in
``tests/lint`` with every rule. The schema cases in ``tests/cases/lint/health`` run with
:func:`definition_file_findings`, which the ``yaml-and-schema`` rule yields from.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from nrrgov.lint import health_rules, lint_project, target_rules
from nrrgov.lint.health_rules import definition_file_findings
from nrrgov.lint.registry import RULES, Rule

CASES = Path(__file__).parents[1] / "cases" / "lint"
RULE_MODULES = (health_rules.__name__, target_rules.__name__)
HEALTH_RULES = [r for r in RULES if r.check.__module__ in RULE_MODULES]
SCHEMA_RULE = Rule(codes=("NRG105",), name="health-files-schema", check=definition_file_findings)
REPO = Path(__file__).parents[2]


def _build(case: dict, tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(CASES / case.get("project", "base"), project)
    for name, text in (case.get("files") or {}).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8", newline="")
    return project


def _case_files() -> list:
    paths = [*sorted(CASES.glob("nrg8*.yml")), *sorted((CASES / "health").glob("*.yml"))]
    return [pytest.param(path, id=path.stem) for path in paths]


@pytest.mark.parametrize("case_file", _case_files())
def test_health_rule_case(case_file: Path, tmp_path: Path, monkeypatch) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    project = _build(case, tmp_path)
    monkeypatch.chdir(project)

    result = lint_project(Path("."), rules=[*HEALTH_RULES, SCHEMA_RULE])

    found = sorted(((f.code, f.path, f.line, f.col, f.level) for f in result.findings), key=str)
    expected = sorted(
        (
            (e["code"], e["path"], e["line"], e["col"], e.get("level", "error"))
            for e in case["expect"]
        ),
        key=str,
    )
    assert found == expected
    for expectation in case["expect"]:
        if "hint" in expectation:
            hints = [
                f.hint or ""
                for f in result.findings
                if (f.code, f.line, f.col)
                == (expectation["code"], expectation["line"], expectation["col"])
            ]
            assert any(expectation["hint"] in hint for hint in hints)


def test_every_health_code_has_case() -> None:
    codes = {code for registered in HEALTH_RULES for code in registered.codes}
    covered = set()
    for path in CASES.glob("nrg8*.yml"):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        covered.update(expectation["code"] for expectation in case["expect"])

    assert codes - covered == set()


def test_reference_project_is_clean() -> None:
    result = lint_project(REPO, rules=HEALTH_RULES)

    assert [f"{f.where}: {f.code} {f.message}" for f in result.findings] == []
