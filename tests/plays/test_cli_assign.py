"""``nrrgov plays assign``: CSV of the eligible accounts' groups, stable across reruns."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from nrrgov.cli import output
from nrrgov.cli import plays as plays_cli
from nrrgov.plays.assignment import assign_group
from play_projects import play_yaml, write_project

ACCOUNTS = [f"A{i:03d},Account {i},SMB,NA,csm1,2024-10-01," for i in range(40)] + [
    "B000,Big,Enterprise,NA,csm2,2024-10-01,"
]
SUBSCRIPTIONS = [f"S{i:03d},A{i:03d},base,USD,monthly,100,1,2024-10-01,,active" for i in range(40)]
SUBSCRIPTIONS.append("S900,B000,base,USD,monthly,5000,1,2024-10-01,,active")


@pytest.fixture
def project(tmp_path):
    plays = {
        "smb_pilot": play_yaml(
            "smb_pilot", entry_criteria="\"segment = 'SMB'\"", holdout_share=0.3
        ),
        "big_pilot": play_yaml("big_pilot", entry_criteria="mrr >= 1000", status="draft"),
    }
    return write_project(tmp_path / "p", ACCOUNTS, SUBSCRIPTIONS, plays)


def _invoke(*args):
    output.SETTINGS.debug = False
    result = CliRunner().invoke(plays_cli.app, ["assign", *map(str, args)], env={"NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_assign_lists_eligible_accounts_of_active_plays(project):
    result = _invoke("--project", project, "--as-of", "2025-03")

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0
    assert {row["play"] for row in rows} == {"smb_pilot"}
    assert len(rows) == 40
    assert {row["assigned_on"] for row in rows} == {"2025-04-01"}


def test_assign_groups_follow_hash(project):
    result = _invoke("--project", project, "--as-of", "2025-03")

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert all(row["group"] == assign_group("smb_pilot", row["account_id"], 0.3) for row in rows)


def test_assign_rerun_same_output(project, tmp_path):
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"
    _invoke("--project", project, "--as-of", "2025-03", "--out", first)
    _invoke("--project", project, "--as-of", "2025-03", "--out", second)

    assert first.read_text() == second.read_text()


def test_assign_named_draft_play(project):
    result = _invoke("--project", project, "--as-of", "2025-03", "--play", "big_pilot")

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["account_id"] for row in rows] == ["B000"]


def test_assign_unknown_play_exit_2(project):
    result = _invoke("--project", project, "--play", "smb_pilott")

    assert result.exit_code == 2
    assert "did you mean 'smb_pilot'?" in result.stderr
