"""``nrrgov lint`` end to end: formats, exit codes, stdout and stderr kept apart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

CASES = Path(__file__).parents[1] / "cases" / "lint"
REPOSITORY = Path(__file__).parents[2]

# One error (an unknown dimension on line 6) and one warning (a missing export file).
METRICS_WITH_ERROR = """\
metrics:
  - name: nrr
    label: Net revenue retention
    owner: data_board
    formula: ending_mrr / starting_mrr
    dimensions: [segment, regoin]
"""
METRICS = METRICS_WITH_ERROR.replace(", regoin", "")


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the lint base project, with the working folder set to it."""
    root = tmp_path / "project"
    shutil.copytree(CASES / "base", root)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def broken(project: Path) -> Path:
    (project / "definitions" / "metrics.yml").write_text(METRICS_WITH_ERROR)
    (project / "data" / "accounts.csv").unlink()
    return project


def test_clean_project_exits_zero(run_cli, project: Path) -> None:
    result = run_cli("lint", ".")

    assert result.exit_code == 0
    assert result.stdout == "No problems found (4 files checked).\n"
    assert result.stderr == ""


def test_reference_project_exits_zero(run_cli) -> None:
    result = run_cli("lint", REPOSITORY)

    assert result.exit_code == 0
    assert result.stdout.startswith("No problems found")


def test_text_format(run_cli, broken: Path) -> None:
    result = run_cli("lint")

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "definitions/metrics.yml:6:27: NRG201 metric 'nrr' names unknown dimension 'regoin'",
        "  hint: did you mean 'region'?",
        "definitions/sources.yml:3:11: NRG208 warning: no file matches 'accounts.csv' in the "
        "data folder 'data'",
        "  hint: check the path, which is relative to the 'data' folder set in nrrgov.yml",
        "Found 1 error and 1 warning (4 files checked).",
    ]
    assert result.stderr == ""


def test_json_format(run_cli, broken: Path) -> None:
    result = run_cli("lint", "--format", "json")

    findings = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [finding["code"] for finding in findings] == ["NRG201", "NRG208"]
    assert findings[0] == {
        "code": "NRG201",
        "level": "error",
        "path": "definitions/metrics.yml",
        "line": 6,
        "col": 27,
        "message": "metric 'nrr' names unknown dimension 'regoin'",
        "value": "regoin",
        "hint": "did you mean 'region'?",
    }


def test_github_format(run_cli, broken: Path) -> None:
    result = run_cli("lint", "--format", "github")

    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert lines[0] == (
        "::error file=definitions/metrics.yml,line=6,col=27,title=NRG201::metric 'nrr' names "
        "unknown dimension 'regoin'%0Ahint: did you mean 'region'?"
    )
    assert lines[1].startswith(
        "::warning file=definitions/sources.yml,line=3,col=11,title=NRG208::"
    )


def test_github_is_default_in_actions(run_cli, broken: Path, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")

    result = run_cli("lint")

    assert result.stdout.startswith("::error file=definitions/metrics.yml")


def test_sarif_format(run_cli, broken: Path) -> None:
    result = run_cli("lint", "--format", "sarif")

    log = json.loads(result.stdout)
    results = log["runs"][0]["results"]
    assert log["version"] == "2.1.0"
    assert [entry["ruleId"] for entry in results] == ["NRG201", "NRG208"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 6, "startColumn": 27}


def test_warnings_alone_exit_zero(run_cli, project: Path) -> None:
    (project / "data" / "accounts.csv").unlink()

    result = run_cli("lint")

    assert result.exit_code == 0
    assert "NRG208 warning" in result.stdout


def test_missing_folder_is_usage_error(run_cli, tmp_path: Path) -> None:
    result = run_cli("lint", tmp_path / "nowhere")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "NRG001 project folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_file_path_is_usage_error(run_cli, project: Path) -> None:
    result = run_cli("lint", "nrrgov.yml")

    assert result.exit_code == 2
    assert "is a file, not a project folder" in result.stderr


def test_unknown_format_is_usage_error(run_cli, project: Path) -> None:
    result = run_cli("lint", "--format", "xml")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "xml" in result.stderr


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("syntax_error", "metrics:\n  - name: [nrr\n", "NRG101"),
        ("duplicate_key", METRICS + "    owner: finance\n", "NRG102"),
        ("unknown_key", METRICS.replace("label:", "lable:"), "NRG105"),
        ("wrong_type", METRICS + "    lookback_months: [12]\n", "NRG107"),
        ("python_tag", "metrics: !!python/object/new:list []\n", "NRG103"),
    ],
)
def test_bad_yaml_is_finding(run_cli, project: Path, name: str, text: str, code: str) -> None:
    (project / "definitions" / "metrics.yml").write_text(text)

    result = run_cli("lint", "--format", "json")

    findings = json.loads(result.stdout)
    assert result.exit_code == 1
    assert code in [finding["code"] for finding in findings]
    assert all(finding["line"] is not None for finding in findings)
    assert result.stderr == ""
