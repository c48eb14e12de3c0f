"""Shared fixtures: the one CLI runner every command test uses, and paths to sample data."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nrrgov.cli import output
from nrrgov.cli.app import app

REPO = Path(__file__).resolve().parents[1]
PEER_DATA = REPO.parent / "shared" / "data" / "peer_data"


@dataclass(frozen=True)
class CliResult:
    """What a command wrote, with stdout and stderr kept apart."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(monkeypatch):
    """Run ``nrrgov`` in-process with a fixed width and no colour; re-raise real crashes.

    A ``SystemExit`` is a normal end; any other exception is a bug and fails the test
    with its own traceback instead of hiding in ``result.exception``.
    """
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for name in ("NRRGOV_PROJECT", "NRRGOV_DATA", "NRRGOV_AS_OF", "NRRGOV_OUT"):
        monkeypatch.delenv(name, raising=False)

    def invoke(*args: str) -> CliResult:
        result = CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=True)
        output.SETTINGS.debug = False
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def reference_project(tmp_path) -> Path:
    """A copy of the reference project with its example exports, safe to modify."""
    target = tmp_path / "project"
    target.mkdir()
    shutil.copy(REPO / "nrrgov.yml", target / "nrrgov.yml")
    shutil.copytree(REPO / "definitions", target / "definitions")
    shutil.copytree(REPO / "examples" / "data", target / "examples" / "data")
    return target
