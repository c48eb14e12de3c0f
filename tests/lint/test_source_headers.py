"""NRG206 reads only the first line of a CSV export."""

from __future__ import annotations

import shutil
from pathlib import Path

from nrrgov.lint import lint_project

BASE = Path(__file__).parents[1] / "cases" / "lint" / "base"
HEADER = b"subscription_id,account_id,currency,billing_period,amount,start_date"


def _lint_with_subscriptions(tmp_path: Path, content: bytes) -> list:
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    (project / "data" / "subscriptions.csv").write_bytes(content)
    return list(lint_project(project).findings)


def test_latin1_byte_below_the_header(tmp_path):
    # Compute reports the byte with its line, and the header itself is fine.
    content = HEADER + b"\nS1,A1,USD,monthly,100,2024-01-01\nS2,Caf\xe9,USD,monthly,1,2024-01-01\n"
    assert _lint_with_subscriptions(tmp_path, content) == []


def test_carriage_return_line_endings(tmp_path):
    content = HEADER + b"\rS1,A1,USD,monthly,100,2024-01-01\r"
    assert _lint_with_subscriptions(tmp_path, content) == []


def test_latin1_byte_in_the_header(tmp_path):
    findings = _lint_with_subscriptions(tmp_path, HEADER.replace(b"amount", b"montant\xe9") + b"\n")
    assert [finding.code for finding in findings] == ["NRG206"]
