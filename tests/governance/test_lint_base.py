"""``nrrgov lint --base``: changes of meaning since a git ref need a version bump and approval."""

from __future__ import annotations

import json

FORMULA = "formula: ending_mrr / starting_mrr"
NEW_FORMULA = "formula: retained_mrr / starting_mrr"


def _codes(result) -> list[str]:
    return [finding["code"] for finding in json.loads(result.stdout)]


def test_formula_change_without_bump(run_cli, governed_project) -> None:
    governed_project.edit("definitions/metrics.yml", FORMULA, NEW_FORMULA)
    governed_project.commit("Change the NRR formula")

    result = run_cli("lint", governed_project.root, "--base", "HEAD~1", "--format", "json")

    assert result.exit_code == 1
    assert _codes(result) == ["NRG621", "NRG622"]


def test_formula_change_finding_text(run_cli, governed_project) -> None:
    governed_project.edit("definitions/metrics.yml", FORMULA, NEW_FORMULA)
    governed_project.commit("Change the NRR formula")

    result = run_cli("lint", governed_project.root, "--base", "HEAD~1")

    # The first metric's version key is on line 8 of metrics.yml, indented by four.
    first = result.stdout.splitlines()[0]
    assert first.endswith(
        "definitions/metrics.yml:8:5: NRG621 metric 'nrr' changed its formula since the "
        "base, but its version stayed 1"
    )


def test_formula_change_with_bump(run_cli, governed_project) -> None:
    governed_project.edit("definitions/metrics.yml", FORMULA, NEW_FORMULA)
    governed_project.edit("definitions/metrics.yml", "version: 1", "version: 2")
    governed_project.edit("definitions/metrics.yml", "2025-01-15", "2025-04-02")
    governed_project.commit("Change the NRR formula, version 2")

    result = run_cli("lint", governed_project.root, "--base", "HEAD~1")

    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("No problems found")


def test_bump_without_new_approval(run_cli, governed_project) -> None:
    governed_project.edit("definitions/metrics.yml", FORMULA, NEW_FORMULA)
    governed_project.edit("definitions/metrics.yml", "version: 1", "version: 2")
    governed_project.commit("Change the NRR formula, version 2")

    result = run_cli("lint", governed_project.root, "--base", "HEAD~1", "--format", "json")

    assert _codes(result) == ["NRG622"]


def test_draft_needs_no_approval(run_cli, governed_project) -> None:
    # A metric set back to draft while its new meaning is reviewed needs the bump only.
    governed_project.edit("definitions/metrics.yml", FORMULA, f"{NEW_FORMULA}\n    status: draft")
    governed_project.edit("definitions/metrics.yml", "version: 1", "version: 2")

    result = run_cli("lint", governed_project.root, "--base", "HEAD", "--format", "json")

    assert result.exit_code == 0, result.stdout
    assert _codes(result) == []


def test_version_jump_is_finding(run_cli, governed_project) -> None:
    governed_project.edit("definitions/metrics.yml", FORMULA, NEW_FORMULA)
    governed_project.edit("definitions/metrics.yml", "version: 1", "version: 3")
    governed_project.edit("definitions/metrics.yml", "2025-01-15", "2025-04-02")

    result = run_cli("lint", governed_project.root, "--base", "HEAD", "--format", "json")

    findings = json.loads(result.stdout)
    assert [finding["code"] for finding in findings] == ["NRG621"]
    assert "went from 1 to 3" in findings[0]["message"]


def test_reformatted_formula_is_no_change(run_cli, governed_project) -> None:
    reformatted = "formula: (ending_mrr)/starting_mrr  # reads the snapshots"
    governed_project.edit("definitions/metrics.yml", FORMULA, reformatted)

    result = run_cli("lint", governed_project.root, "--base", "HEAD")

    assert result.exit_code == 0, result.stdout


def test_working_tree_is_untouched(run_cli, governed_project) -> None:
    governed_project.edit("definitions/metrics.yml", FORMULA, NEW_FORMULA)
    before = governed_project.git("status", "--porcelain")
    head = governed_project.git("rev-parse", "HEAD")

    run_cli("lint", governed_project.root, "--base", "HEAD")

    assert governed_project.git("status", "--porcelain") == before
    assert governed_project.git("rev-parse", "HEAD") == head
    assert NEW_FORMULA in (governed_project.root / "definitions" / "metrics.yml").read_text()


def test_unknown_ref_is_usage_error(run_cli, governed_project) -> None:
    result = run_cli("lint", governed_project.root, "--base", "no-such-branch")

    assert result.exit_code == 2
    assert "NRG003 git ref 'no-such-branch' is not a commit" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_git_is_usage_error(run_cli, tmp_path) -> None:
    (tmp_path / "definitions").mkdir()

    result = run_cli("lint", tmp_path, "--base", "HEAD")

    assert result.exit_code == 2
    assert "NRG003" in result.stderr


def test_project_in_subfolder(run_cli, governed_project) -> None:
    # The definitions live in a folder of a larger repository.
    root = governed_project.root
    sub = root / "revenue"
    sub.mkdir()
    for name in ("nrrgov.yml", "definitions", "raci", "data"):
        (root / name).rename(sub / name)
    governed_project.commit("Move the definitions into revenue/")
    (sub / "definitions" / "metrics.yml").write_text(
        (sub / "definitions" / "metrics.yml").read_text().replace(FORMULA, NEW_FORMULA)
    )

    result = run_cli("lint", sub, "--base", "HEAD", "--format", "json")

    assert result.exit_code == 1
    assert _codes(result) == ["NRG621", "NRG622"]
