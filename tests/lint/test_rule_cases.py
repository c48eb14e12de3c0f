"""Lint rule cases from tests/cases/lint, each run on a copy of the base project."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from nrrgov.lint import RULES, lint_project

CASES = Path(__file__).parents[1] / "cases" / "lint"


def _case_files() -> list:
    return [pytest.param(path, id=path.stem) for path in sorted(CASES.glob("*.yml"))]


def _build(case: dict, tmp_path: Path) -> Path:
    """Copy the case's starting project and apply its file changes.

    With ``base_files``, those are written and committed to a new git repository first,
    so that the case can lint against the base ref ``HEAD``.
    """
    project = tmp_path / "project"
    shutil.copytree(CASES / case.get("project", "base"), project)
    if "base_files" in case:
        _write(project, case["base_files"])
        _commit(project)
    for name in case.get("remove", []):
        (project / name).unlink()
    _write(project, case.get("files") or {})
    return project


def _write(project: Path, files: dict) -> None:
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8", newline="")


def _commit(project: Path) -> None:
    identity = ["-c", "user.name=nrrgov", "-c", "user.email=nrrgov@example.com"]
    for args in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-q", "-m", "base"]):
        subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=project, check=True)


@pytest.mark.parametrize("case_file", _case_files())
def test_rule_case(case_file: Path, tmp_path: Path, monkeypatch) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    project = _build(case, tmp_path)
    # Run from the project folder so that finding paths are relative, as users see them.
    monkeypatch.chdir(project)

    result = lint_project(Path("."), base="HEAD" if "base_files" in case else None)

    found = [(f.code, f.path, f.line, f.col) for f in result.findings]
    expected = [(e["code"], e["path"], e["line"], e["col"]) for e in case["expect"]]
    assert sorted(found, key=str) == sorted(expected, key=str)
    for expectation in case["expect"]:
        where = tuple(expectation[key] for key in ("code", "path", "line", "col"))
        finding = next(f for f in result.findings if (f.code, f.path, f.line, f.col) == where)
        assert finding.level == expectation.get("level", "error")
        if "hint" in expectation:
            assert expectation["hint"] in (finding.hint or "")


def test_every_code_has_failing_case() -> None:
    codes = {code for registered in RULES for code in registered.codes}
    covered = set()
    for path in [*CASES.glob("*.yml"), *CASES.glob("*/*.yml")]:
        # Project folders such as governed/ sit beside the case folders and have no expect.
        case = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        covered.update(expectation["code"] for expectation in case.get("expect", []))

    assert codes - covered == set()


def test_base_project_is_clean(tmp_path: Path) -> None:
    project = _build({}, tmp_path)

    result = lint_project(project)

    assert result.findings == ()


def test_governed_project_is_clean(tmp_path: Path) -> None:
    project = _build({"project": "governed"}, tmp_path)

    result = lint_project(project)

    assert result.findings == ()


def test_reference_project_is_clean() -> None:
    repository = Path(__file__).parents[2]

    result = lint_project(repository)

    assert [f"{f.where}: {f.code} {f.message}" for f in result.findings] == []
    assert os.path.basename(result.files[0]) == "nrrgov.yml"
