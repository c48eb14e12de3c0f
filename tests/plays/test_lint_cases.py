"""Play lint cases from tests/cases/lint/plays, each run on a copy of a case project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from nrrgov.lint import lint_project

CASES = Path(__file__).parents[1] / "cases" / "lint"
PLAY_CASES = CASES / "plays"
PLAY_CODES = {f"NRG70{digit}" for digit in range(9)}


def _case_files() -> list:
    return [pytest.param(path, id=path.stem) for path in sorted(PLAY_CASES.glob("*.yml"))]


def _build(case: dict, tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(CASES / case.get("project", "base"), project)
    for name, text in (case.get("files") or {}).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8", newline="")
    return project


@pytest.mark.parametrize("case_file", _case_files())
def test_play_rule_case(case_file: Path, tmp_path: Path, monkeypatch, play_rules) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    project = _build(case, tmp_path)
    monkeypatch.chdir(project)

    result = lint_project(Path("."), rules=play_rules)

    found = [(f.code, f.path, f.line, f.col) for f in result.findings]
    expected = [(e["code"], e["path"], e["line"], e["col"]) for e in case["expect"]]
    assert sorted(found, key=str) == sorted(expected, key=str)
    for expectation in case["expect"]:
        where = tuple(expectation[key] for key in ("code", "path", "line", "col"))
        finding = next(f for f in result.findings if (f.code, f.path, f.line, f.col) == where)
        if "hint" in expectation:
            assert expectation["hint"] in (finding.hint or "")


def test_every_play_code_has_failing_case(play_rules) -> None:
    codes = {code for registered in play_rules for code in registered.codes} & PLAY_CODES
    covered = set()
    for path in PLAY_CASES.glob("*.yml"):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        covered.update(expectation["code"] for expectation in case["expect"])

    assert codes - covered == set()


def test_reference_project_plays_lint_clean(play_rules) -> None:
    result = lint_project(CASES.parents[2], rules=play_rules)

    assert [f"{f.where}: {f.code} {f.message}" for f in result.findings] == []
