"""The play review page of the report, from a real run, and its empty state."""

from __future__ import annotations

from pathlib import Path

import pytest

from nrrgov.engine.run import compute
from nrrgov.loader import load_project
from nrrgov.plays.engine import OUTPUT_TABLES
from nrrgov.report.render import render_report
from play_projects import play_yaml, run_plays, write_project

ACCOUNTS = [f"A{i:02d},Account {i},SMB,NA,csm{i % 2},2024-10-01," for i in range(12)]
SUBSCRIPTIONS = [f"S{i:02d},A{i:02d},base,USD,monthly,100,1,2024-10-01,,active" for i in range(12)]
ENROLLMENTS = [
    f"A{i:02d},pilot,2025-01-10,{'holdout' if i % 2 else 'treatment'}" for i in range(12)
]


def _render(root: Path, with_plays: bool) -> str:
    """Compute the run, add the plays tables as Parquet, and render the report."""
    out = root / "target"
    compute(root, out_dir=out)
    if with_plays:
        con = run_plays(root)
        for table in OUTPUT_TABLES:
            target = out / "tables" / f"{table}.parquet"
            con.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")
    render_report(out, load_project(root))
    return (out / "report" / "council.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = write_project(
        tmp_path_factory.mktemp("report") / "p",
        ACCOUNTS,
        SUBSCRIPTIONS,
        {"pilot": play_yaml("pilot", cost={"fte": 1, "loaded_monthly_cost_per_fte": 100})},
        ENROLLMENTS,
    )
    return _render(root, with_plays=True)


def test_page_lists_play_and_rule(page):
    assert 'data-play="pilot"' in page
    assert "iterate_otherwise" in page


def test_page_shows_rule_condition(page):
    assert "<code>TRUE</code>" in page


def test_page_in_navigation(page):
    assert 'href="council.html"' in page


def test_empty_state_without_plays(tmp_path):
    root = write_project(tmp_path / "p", ACCOUNTS, SUBSCRIPTIONS, {})

    page = _render(root, with_plays=False)

    assert "No plays in this run" in page
