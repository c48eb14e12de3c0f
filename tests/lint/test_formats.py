"""SARIF 2.1.0 and JUnit output of ``nrrgov lint``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from nrrgov.lint import RULES

CASES = Path(__file__).parents[1] / "cases" / "lint"
# The official SARIF 2.1.0 schema (OASIS errata 01), as published in oasis-tcs/sarif-spec
# under Schemata/sarif-schema-2.1.0.json.
SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())

# An unknown dimension (an error on line 6) and a missing export (a warning).
METRICS = """\
metrics:
  - name: nrr
    label: Net revenue retention
    owner: data_board
    formula: ending_mrr / starting_mrr
    dimensions: [segment, regoin]
"""


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    root = tmp_path / "repository" / "project"
    shutil.copytree(CASES / "base", root)
    (root / "definitions" / "metrics.yml").write_text(METRICS)
    (root / "data" / "accounts.csv").unlink()
    return root


def _sarif(run_cli, root: Path) -> dict:
    result = run_cli("lint", root, "--format", "sarif")
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout)


def test_sarif_validates(run_cli, broken) -> None:
    log = _sarif(run_cli, broken)

    errors = list(jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(log))
    assert errors == []


def test_sarif_rules_are_codes(run_cli, broken) -> None:
    run = _sarif(run_cli, broken)["runs"][0]

    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert ids == sorted({code for registered in RULES for code in registered.codes})
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]


def test_sarif_paths_from_project_root(run_cli, broken) -> None:
    results = _sarif(run_cli, broken)["runs"][0]["results"]

    locations = [result["locations"][0]["physicalLocation"] for result in results]
    assert [location["artifactLocation"]["uri"] for location in locations] == [
        "definitions/metrics.yml",
        "definitions/sources.yml",
    ]
    assert {location["artifactLocation"]["uriBaseId"] for location in locations} == {"%SRCROOT%"}
    assert locations[0]["region"] == {"startLine": 6, "startColumn": 27}


def test_sarif_paths_from_git_root(run_cli, broken) -> None:
    subprocess.run(["git", "init", "-q"], cwd=broken.parent, check=True)

    results = _sarif(run_cli, broken)["runs"][0]["results"]

    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "project/definitions/metrics.yml"
    )


def test_sarif_fingerprint_survives_new_lines(run_cli, broken) -> None:
    before = _sarif(run_cli, broken)["runs"][0]["results"][0]
    (broken / "definitions" / "metrics.yml").write_text("# a comment\n" + METRICS)

    after = _sarif(run_cli, broken)["runs"][0]["results"][0]

    assert after["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    assert after["partialFingerprints"] == before["partialFingerprints"]


def test_sarif_levels(run_cli, broken) -> None:
    results = _sarif(run_cli, broken)["runs"][0]["results"]

    assert [(result["ruleId"], result["level"]) for result in results] == [
        ("NRG201", "error"),
        ("NRG208", "warning"),
    ]


def test_junit_counts(run_cli, broken) -> None:
    result = run_cli("lint", broken, "--format", "junit")

    suites = ElementTree.fromstring(result.stdout)
    cases = suites.findall("./testsuite/testcase")
    failures = [case for case in cases if case.find("failure") is not None]
    codes = {code for registered in RULES for code in registered.codes}
    # One case per code; NRG201 and NRG208 have one finding each, so still one case each.
    assert len(cases) == len(codes)
    assert suites.get("failures") == "1"
    assert [case.get("classname") for case in failures] == ["nrrgov.NRG201"]
    assert failures[0].find("failure").get("message") == (
        "metric 'nrr' names unknown dimension 'regoin'"
    )


def test_junit_warning_passes(run_cli, broken) -> None:
    result = run_cli("lint", broken, "--format", "junit")

    suites = ElementTree.fromstring(result.stdout)
    warning = suites.find("./testsuite/testcase[@classname='nrrgov.NRG208']")
    assert warning.find("failure") is None
    assert warning.find("system-out").text.startswith("warning: ")


def test_junit_clean_project(run_cli, tmp_path) -> None:
    root = shutil.copytree(CASES / "base", tmp_path / "project")

    result = run_cli("lint", root, "--format", "junit")

    suites = ElementTree.fromstring(result.stdout)
    assert result.exit_code == 0
    assert suites.get("failures") == "0"
