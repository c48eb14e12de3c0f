"""Item kinds other than metrics (plays) get lifecycle checks by registering a source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nrrgov.governance import lifecycle
from nrrgov.governance.lifecycle import GovernedItem, ItemReference
from nrrgov.lint import lint_project
from nrrgov.spec import LifecycleSpec

CASES = Path(__file__).parents[1] / "cases" / "lint"
METRICS = """\
metrics:
  - name: nrr
    label: Net revenue retention
    owner: data_board
    formula: ending_mrr / starting_mrr
    approved_by: "@board-chair"
    approved_on: 2025-01-15
  - name: nrr_v0
    label: Net revenue retention (old)
    owner: data_board
    formula: ending_mrr / starting_mrr
    status: deprecated
    successor: nrr
    sunset: 2025-12-31
    approved_by: "@board-chair"
    approved_on: 2024-01-15
"""


class PlaySpec(LifecycleSpec):
    """A stand-in for a play spec: a name, lifecycle fields and a target KPI."""

    name: str
    target_kpi: str


PLAY = PlaySpec(name="onboarding", owner="data_board", target_kpi="nrr_v0")


def _plays(files):
    # A real play source reads plays/*.yml; this one pins the play to the metrics file.
    yield GovernedItem("play", "metrics", ("metrics", 0), PLAY, {"target_kpi": PLAY.target_kpi})


def _play_targets(files):
    for item in _plays(files):
        yield ItemReference(
            kind="metric",
            name=item.spec.target_kpi,
            file_kind=item.file_kind,
            path=item.path,
            used_as=f"the target KPI of play {item.name!r}",
            user=item,
        )


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = shutil.copytree(CASES / "governed", tmp_path / "project")
    (root / "definitions" / "metrics.yml").write_text(METRICS)
    monkeypatch.setattr(lifecycle, "ITEM_SOURCES", [*lifecycle.ITEM_SOURCES, _plays])
    monkeypatch.setattr(
        lifecycle, "REFERENCE_SOURCES", [*lifecycle.REFERENCE_SOURCES, _play_targets]
    )
    return root


def test_play_approval_is_checked(project) -> None:
    messages = [
        finding.message for finding in lint_project(project).findings if finding.code == "NRG611"
    ]

    assert messages == ["play 'onboarding' is approved but has no approved_by or approved_on"]


def test_play_on_deprecated_metric(project) -> None:
    findings = [finding for finding in lint_project(project).findings if finding.code == "NRG614"]

    assert [finding.message for finding in findings] == [
        "the target KPI of play 'onboarding' is metric 'nrr_v0', which is deprecated"
    ]
    assert findings[0].hint == "use 'nrr' instead"
