"""Ownership globs, the governed files of a project, and which body owns a file."""

from __future__ import annotations

import pytest

from nrrgov.governance.ownership import (
    glob_matches,
    governed_files,
    owners_of,
    ownership_rules,
    render_codeowners,
)
from nrrgov.spec import BodySpec


def _body(name: str, *owns: str) -> BodySpec:
    return BodySpec(
        name=name,
        label=name.title(),
        members=[{"handle": f"@{name}-chair", "role": "chair"}],
        chair=f"@{name}-chair",
        cadence="monthly",
        owns=owns,
    )


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("definitions/**", "definitions/metrics.yml", True),
        ("definitions/**", "definitions/archive/2024.yml", True),
        ("definitions/", "definitions/metrics.yml", True),
        ("/definitions/**", "definitions/metrics.yml", True),
        ("definitions/*.yml", "definitions/metrics.yml", True),
        ("definitions/*.yml", "definitions/archive/2024.yml", False),
        ("**/metrics.yml", "metrics.yml", True),
        ("**/metrics.yml", "definitions/metrics.yml", True),
        ("nrrgov.yml", "nrrgov.yml", True),
        ("nrrgov.yml", "other/nrrgov.yml", False),
        ("plays/play_?.yml", "plays/play_a.yml", True),
        ("plays/play_?.yml", "plays/play_ab.yml", False),
        ("raci/**", "raci.yml", False),
        ("definitions/metrics.yml", "definitions/metrics.yml.bak", False),
    ],
)
def test_glob_matches(pattern: str, path: str, expected: bool) -> None:
    assert glob_matches(pattern, path) is expected


def test_specific_rule_wins() -> None:
    # The council's literal path (23 characters) sorts after the board's definitions/ (12).
    rules = ownership_rules(
        [_body("council", "definitions/targets.yml"), _body("board", "definitions/**")]
    )

    assert [body.name for body in owners_of("definitions/targets.yml", rules)] == ["council"]
    assert [body.name for body in owners_of("definitions/metrics.yml", rules)] == ["board"]
    assert owners_of("raci/bodies.yml", rules) == ()


def test_shared_glob_lists_both_bodies() -> None:
    rules = ownership_rules([_body("council", "raci/**"), _body("board", "raci/**")])

    assert [body.name for body in owners_of("raci/bodies.yml", rules)] == ["council", "board"]
    assert rules[0].handles == ("@council-chair", "@board-chair")


def test_codeowners_line_per_glob() -> None:
    text = render_codeowners([_body("board", "definitions/**", "nrrgov.yml")])

    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines == ["/nrrgov.yml @board-chair", "/definitions/** @board-chair"]


def test_governed_files(tmp_path) -> None:
    for name in (
        "nrrgov.yml",
        "definitions/metrics.yml",
        "definitions/old/x.yaml",
        "definitions/notes.md",
        "raci/bodies.yml",
        "plays/onboarding.yml",
        "data/accounts.csv",
        "other/config.yml",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")

    assert governed_files(tmp_path, None) == [
        "definitions/metrics.yml",
        "definitions/old/x.yaml",
        "nrrgov.yml",
        "plays/onboarding.yml",
        "raci/bodies.yml",
    ]


def test_pyproject_is_governed_when_it_configures(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.nrrgov]\ndata = "data"\n')

    assert governed_files(tmp_path, None) == ["pyproject.toml"]


def test_pyproject_without_table_is_not_governed(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")

    assert governed_files(tmp_path, None) == []
