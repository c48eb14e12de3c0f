"""``nrrgov diff``: the same exports under the base and the head definitions.

The pull request (see conftest) changes NRR from ending_mrr / starting_mrr to
(ending_mrr - expansion_mrr) / starting_mrr. As of 2025-03 with a one-month lookback,
the base accounts are those with MRR in February: A1 (SMB) 100, A2 (SMB) 200 and A3
(Enterprise) 300. In March A1 pays 100, A2 has churned (0) and A3 pays 400.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from nrrgov.diff import ValueRow, diff_project, flag_material
from nrrgov.engine.run import compute
from nrrgov.governance.pr_comment import COMMENT_MARKER, render_json, render_markdown

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("NRRGOV_UPDATE_SNAPSHOTS") == "1"
MARCH = date(2025, 3, 1)


@pytest.fixture(scope="module")
def result(pull_request):
    return diff_project(pull_request.root, "HEAD~1", as_of=MARCH)


def _values(result) -> dict:
    return {(row.metric, dict(row.slice)["segment"]): row for row in result.values}


def _check_snapshot(name: str, text: str, replacements: dict[str, str]) -> None:
    """Compare ``text`` with a golden file; rewrite it only with NRRGOV_UPDATE_SNAPSHOTS=1."""
    for real, placeholder in replacements.items():
        text = text.replace(real, placeholder)
    path = SNAPSHOTS / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run with NRRGOV_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


def test_markdown_snapshot(result, pull_request) -> None:
    markdown = render_markdown(result)

    _check_snapshot("diff.md", markdown, {str(pull_request.root): "<project>"})


def test_markdown_starts_with_marker(result) -> None:
    assert render_markdown(result).splitlines()[0] == COMMENT_MARKER


def test_nrr_worked_by_hand(result) -> None:
    values = _values(result)

    # All: base 500 / 600; head (500 - 100 expansion) / 600.
    assert values[("nrr", "(all)")].base == pytest.approx(500 / 600)
    assert values[("nrr", "(all)")].head == pytest.approx(400 / 600)
    # Enterprise (A3): base 400 / 300; head (400 - 100) / 300.
    assert values[("nrr", "Enterprise")].base == pytest.approx(400 / 300)
    assert values[("nrr", "Enterprise")].head == pytest.approx(300 / 300)
    # SMB (A1, A2) has no expansion: 100 / 300 on both sides.
    assert values[("nrr", "SMB")].base == pytest.approx(100 / 300)
    assert values[("nrr", "SMB")].head == pytest.approx(100 / 300)


def test_change_and_materiality(result) -> None:
    values = _values(result)
    total = values[("nrr", "(all)")]

    # 400/600 - 500/600 = -1/6, which is -0.2 of the base 5/6.
    assert total.change == pytest.approx(-1 / 6)
    assert total.relative_change == pytest.approx(-0.2)
    assert total.material
    assert not values[("nrr", "SMB")].material


def test_grr_unchanged(result) -> None:
    values = _values(result)

    # Retained MRR over starting MRR: all 400 / 600, Enterprise 300 / 300, SMB 100 / 300.
    assert values[("grr", "(all)")].head == pytest.approx(400 / 600)
    assert values[("grr", "Enterprise")].head == pytest.approx(1.0)
    assert values[("grr", "SMB")].head == pytest.approx(100 / 300)
    assert not any(values[("grr", segment)].changed for segment in ("(all)", "Enterprise", "SMB"))


def test_numbers_match_two_computes(result, pull_request, tmp_path) -> None:
    # The base computed on its own: the first commit exported with git archive.
    base = tmp_path / "base"
    base.mkdir()
    archive = tmp_path / "base.tar"
    pull_request.git("archive", "-o", str(archive), "HEAD~1")
    shutil.unpack_archive(archive, base)
    runs = {
        "base": compute(base, as_of=MARCH, out_dir=tmp_path / "base-out"),
        "head": compute(pull_request.root, as_of=MARCH, out_dir=tmp_path / "head-out"),
    }

    for side, run in runs.items():
        table = run.out_dir / "tables" / "metrics.parquet"
        rows = duckdb.execute(
            "SELECT metric, segment, CAST(value AS DOUBLE) FROM read_parquet(?) WHERE as_of = ?",
            [str(table), MARCH],
        ).fetchall()
        expected = {(metric, segment): value for metric, segment, value in rows}
        shown = {key: getattr(row, side) for key, row in _values(result).items()}
        assert shown == pytest.approx(expected), side


def test_definition_changes(result) -> None:
    changes = {(change.kind, change.name): change for change in result.definitions}

    nrr, grr = changes[("metric", "nrr")], changes[("metric", "grr")]
    assert list(changes) == [("metric", "nrr"), ("metric", "grr")]
    assert nrr.meaning_changed
    assert (nrr.base_version, nrr.head_version) == (1, 2)
    assert [field.field for field in nrr.fields] == ["formula", "version", "approved_on"]
    assert not grr.meaning_changed
    assert [field.field for field in grr.fields] == ["label"]


def test_approvals_from_raci(result) -> None:
    (approval,) = result.approvals

    assert result.changed_files == ("definitions/metrics.yml",)
    assert approval.body.name == "data_board"
    assert approval.files == ("definitions/metrics.yml",)
    assert result.unowned_files == ()


def test_json_has_every_row(result) -> None:
    payload = json.loads(render_json(result))

    # Two metrics by three slices: (all), Enterprise, SMB.
    assert len(payload["values"]) == 6
    assert payload["as_of"] == "2025-03"
    assert payload["approvals"][0]["members"][0] == {
        "handle": "@board-chair",
        "role": "revops",
        "name": "",
    }


def test_diff_leaves_project_untouched(result, pull_request) -> None:
    assert pull_request.git("status", "--porcelain") == ""
    assert not (pull_request.root / "target").exists()


def test_cli_json(run_cli, pull_request) -> None:
    result = run_cli(
        "diff",
        "--base",
        "HEAD~1",
        "--project",
        pull_request.root,
        "--as-of",
        "2025-03",
        "--format",
        "json",
        "--threshold",
        "0.21",
    )

    payload = json.loads(result.stdout)
    material = [
        (row["metric"], row["slice"]["segment"]) for row in payload["values"] if row["material"]
    ]
    assert result.exit_code == 0, result.stderr
    # With a 21% threshold only Enterprise (-25%) is flagged; all segments moved -20%.
    assert material == [("nrr", "Enterprise")]


def test_cli_unknown_ref(run_cli, pull_request) -> None:
    result = run_cli("diff", "--base", "v9.9", "--project", pull_request.root)

    assert result.exit_code == 2
    assert "NRG003" in result.stderr


def test_cli_negative_threshold(run_cli, pull_request) -> None:
    result = run_cli("diff", "--base", "HEAD", "--project", pull_request.root, "--threshold", "-1")

    assert result.exit_code == 2


def test_material_rows_by_threshold() -> None:
    rows = [
        ValueRow("nrr", (("segment", "(all)"),), "ratio", 1.0, 1.02),
        ValueRow("nrr", (("segment", "SMB"),), "ratio", 1.0, 1.005),
        ValueRow("nrr", (("segment", "New"),), "ratio", None, 0.9),
        ValueRow("mrr", (("segment", "(all)"),), "currency", 0.0, 10.0),
    ]

    flagged = [row.material for row in flag_material(rows, 0.01)]

    # +2% and +0.5% against 1%; a row only at the head, and a change from zero, always count.
    assert flagged == [True, False, True, True]
