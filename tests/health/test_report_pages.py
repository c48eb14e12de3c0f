"""The health and maturity report pages, with and without the health tables."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from health.health_project import make_project, run_health
from health.test_risk import ACCOUNTS, ENROLLMENTS, HEALTH, SIGNALS, SUBSCRIPTIONS
from nrrgov.engine.run import compute
from nrrgov.health.run import HEALTH_TABLES
from nrrgov.loader import load_project
from nrrgov.report.render import render_report


def _text(path: Path) -> str:
    """The visible text of a page's main element, with whitespace collapsed."""
    page = path.read_text(encoding="utf-8")
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(
        tmp_path_factory.mktemp("pages"),
        {
            "accounts.csv": ACCOUNTS,
            "subscriptions.csv": SUBSCRIPTIONS,
            "health_signals.csv": SIGNALS,
            "play_enrollments.csv": ENROLLMENTS,
        },
        {"definitions/health.yml": HEALTH},
    )


@pytest.fixture(scope="module")
def empty_run(project: Path, tmp_path_factory) -> Path:
    """A run whose tables folder has none of the health tables."""
    out = tmp_path_factory.mktemp("empty") / "out"
    compute(project, as_of=date(2026, 3, 1), out_dir=out)
    for table in HEALTH_TABLES:
        (out / "tables" / f"{table}.parquet").unlink(missing_ok=True)
    render_report(out, load_project(project))
    return out


@pytest.fixture(scope="module")
def full_run(project: Path, tmp_path_factory) -> Path:
    """A run with the health tables written beside the others."""
    out = tmp_path_factory.mktemp("full") / "out"
    compute(project, as_of=date(2026, 3, 1), out_dir=out)
    con = run_health(project, date(2026, 3, 1))
    for table in HEALTH_TABLES:
        con.execute(f"COPY {table} TO '{out / 'tables' / table}.parquet' (FORMAT parquet)")
    render_report(out, load_project(project))
    return out


def test_health_page_empty_state(empty_run: Path) -> None:
    text = _text(empty_run / "report" / "health.html")

    assert "No health scores: add definitions/health.yml" in text
    assert "No account is at risk" in text


def test_maturity_page_renders_without_tables(empty_run: Path) -> None:
    text = _text(empty_run / "report" / "maturity.html")

    # Without raci/ or plays/, the council has no evidence at all.
    assert "Revenue Council ad hoc (1/4)" in text


def test_health_page_at_risk_summary(full_run: Path) -> None:
    text = _text(full_run / "report" / "health.html")

    # At risk: B1 1,000 + B2 300 + B3 2,000 + B6 100 = 3,400, of which B3's 2,000 is
    # covered: 2,000 / 3,400 = 58.8%.
    assert "4 accounts with 3,400 USD MRR" in text
    assert "plays cover 2,000 USD (58.8%)" in text


def test_health_page_band_counts(full_run: Path) -> None:
    text = _text(full_run / "report" / "health.html")

    # March 2026: B2 and B5 green (300 + 200 MRR), B1, B3, B4 and B6 red
    # (1,000 + 2,000 + 500 + 100 MRR).
    assert "Mar 2026 2 500 0 0 – – – – 4 3,600 0 0" in text


def test_nav_lists_new_pages(full_run: Path) -> None:
    page = (full_run / "report" / "index.html").read_text(encoding="utf-8")

    assert 'href="health.html"' in page
    assert 'href="maturity.html"' in page
