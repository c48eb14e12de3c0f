"""The report in a real headless Chromium, opened from file:// with the network blocked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import sync_playwright

from nrrgov.engine.run import compute
from nrrgov.report.render import PAGES, render_report

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
# Headless as root on a closed network: no sandbox, and no background connections that
# the network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EVIL = "<script>alert(1)</script>"
REPO = Path(__file__).resolve().parents[2]
READY = "body[data-ready=true]"


@dataclass
class Watch:
    """What a page did that a report must never do."""

    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser_context():
    """One browser for the module; every request that is not file:// is aborted."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.blocked = []

        def only_files(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                context.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", only_files)
        yield context
        browser.close()


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory, writer_class, sample_run, reference_definitions) -> Path:
    writer = writer_class(tmp_path_factory.mktemp("browser") / "target")
    sample_run(writer)
    return render_report(writer.out_dir, reference_definitions).parent


@pytest.fixture(scope="module")
def evil_report(tmp_path_factory, writer_class, sample_run, reference_definitions) -> Path:
    writer = writer_class(tmp_path_factory.mktemp("evil") / "target")
    sample_run(writer, segments=(EVIL, "SMB"), account_prefix=EVIL)
    return render_report(writer.out_dir, reference_definitions).parent


def open_page(context, path: Path, fragment: str = ""):
    """Open ``path`` and wait until its charts are drawn; return the page and its watch."""
    watch = Watch()
    page = context.new_page()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("requestfailed", lambda request: watch.failed.append(request.url))

    def dismiss(dialog):
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    blocked_before = len(context.blocked)
    page.goto(path.as_uri() + fragment)
    page.wait_for_selector(READY, timeout=15_000)
    watch.blocked = context.blocked[blocked_before:]
    return page, watch


def tables_value(report: Path, sql: str, parameters: list):
    tables = report.parent / "tables"
    with duckdb.connect() as con:
        con.execute(f"SET file_search_path = '{tables}'")
        return con.execute(sql, parameters).fetchone()[0]


@pytest.mark.parametrize("page_file", [page.file for page in PAGES])
def test_page_opens_offline(browser_context, sample_report, page_file, tmp_path):
    page, watch = open_page(browser_context, sample_report / page_file)
    page.screenshot(path=tmp_path / f"{page_file}.png", full_page=True)
    assert watch.errors == []
    assert watch.failed == []
    assert watch.blocked == []
    assert page.locator("footer").inner_text().count("March 2026") == 1
    page.close()


def test_filters_update_tiles(browser_context, sample_report, tmp_path):
    page, watch = open_page(browser_context, sample_report / "index.html")
    page.select_option("select[data-dimension=segment]", "SMB")
    page.select_option("select[data-dimension=region]", "EMEA")
    page.wait_for_selector(READY)
    page.screenshot(path=tmp_path / "overview-smb-emea.png", full_page=True)

    value = tables_value(
        sample_report,
        "SELECT value FROM 'metrics.parquet' WHERE metric = 'nrr' "
        "AND as_of = DATE '2026-03-01' AND segment = ? AND region = ?",
        ["SMB", "EMEA"],
    )
    tile = page.locator("#tile-nrr")
    # The tile formats the ratio as a percentage with one decimal.
    assert tile.locator("[data-field=value]").inner_text() == f"{float(value) * 100:.1f}%"
    assert "segment=SMB" in page.url
    assert "region=EMEA" in page.url
    assert page.locator("#empty-slice").is_hidden()
    assert watch.errors == []
    page.close()


def test_tile_status_for_slice(browser_context, sample_report):
    page, _watch = open_page(browser_context, sample_report / "index.html", "#segment=SMB")
    status = tables_value(
        sample_report,
        "SELECT status FROM 'metrics.parquet' WHERE metric = 'grr' "
        "AND as_of = DATE '2026-03-01' AND segment = ? AND region = '(all)'",
        ["SMB"],
    )
    labels = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}
    assert page.locator("#tile-grr [data-field=status]").inner_text() == labels[status]
    page.close()


def test_bridge_closing_for_linked_slice(browser_context, sample_report):
    page, watch = open_page(
        browser_context, sample_report / "bridge.html", "#segment=Enterprise&region=NA"
    )
    closing = tables_value(
        sample_report,
        "SELECT closing_mrr FROM 'movements.parquet' WHERE month = DATE '2026-03-01' "
        "AND segment = ? AND region = ?",
        ["Enterprise", "NA"],
    )
    last_row = page.locator("#waterfall-table tbody tr").last
    # Closing MRR in whole dollars with thousands separators.
    assert last_row.inner_text().split("\t")[-1] == f"${float(closing):,.0f}"
    assert page.locator("select[data-dimension=segment]").input_value() == "Enterprise"
    assert watch.errors == []
    page.close()


def test_bridge_range_sums_movements(browser_context, sample_report):
    page, watch = open_page(browser_context, sample_report / "bridge.html")
    page.select_option("#bridge-from", "2026-01")
    page.wait_for_selector(READY)
    new_mrr = tables_value(
        sample_report,
        "SELECT sum(new_mrr) FROM 'movements.parquet' WHERE month >= DATE '2026-01-01' "
        "AND segment = '(all)' AND region = '(all)'",
        [],
    )
    new_row = page.locator("#waterfall-table tbody tr").nth(1)
    assert new_row.inner_text().split("\t") == ["New", f"${float(new_mrr):,.0f}"]
    assert watch.errors == []
    page.close()


def test_cohort_measure_switch(browser_context, sample_report):
    page, watch = open_page(browser_context, sample_report / "cohorts.html")
    page.locator("label", has_text="Gross MRR retention").click()
    page.wait_for_selector(READY)
    assert page.locator("#chart-cohorts svg").count() == 1
    assert watch.errors == []
    page.close()


def test_account_history_opens(browser_context, sample_report):
    page, watch = open_page(browser_context, sample_report / "movers.html")
    link = page.locator(".movers-month:not([hidden]) a[data-account]").first
    name = link.get_attribute("data-name")
    link.click()
    page.wait_for_selector(READY)
    assert page.locator("#account-history").is_visible()
    assert page.locator("#account-title").inner_text() == f"Account history: {name}"
    assert page.locator("#chart-account svg").count() == 1
    assert watch.errors == []
    page.close()


def test_hostile_names_stay_text(browser_context, evil_report, tmp_path):
    page, watch = open_page(browser_context, evil_report / "index.html")
    page.select_option("select[data-dimension=segment]", EVIL)
    page.wait_for_selector(READY)
    page.screenshot(path=tmp_path / "hostile.png", full_page=True)
    assert watch.dialogs == []
    assert watch.errors == []
    assert EVIL in page.locator("#filter-summary").inner_text()
    assert page.locator("#tile-nrr [data-field=value]").inner_text() != "–"
    page.close()

    movers, movers_watch = open_page(browser_context, evil_report / "movers.html")
    first = movers.locator(".movers-month:not([hidden]) a[data-account]").first
    assert first.inner_text().startswith(EVIL)
    first.click()
    movers.wait_for_selector(READY)
    assert movers_watch.dialogs == []
    assert EVIL in movers.locator("#account-title").inner_text()
    movers.close()


@pytest.fixture(scope="module")
def reference_report(tmp_path_factory) -> Path:
    """The report of a real run of the reference project on its example exports."""
    out_dir = tmp_path_factory.mktemp("reference") / "target"
    compute(REPO, out_dir=out_dir)
    return out_dir / "report"


def test_reference_run_tiles(browser_context, reference_report, tmp_path):
    page, watch = open_page(browser_context, reference_report / "index.html")
    page.select_option("select[data-dimension=segment]", "SMB")
    page.wait_for_selector(READY)
    page.screenshot(path=tmp_path / "reference-smb.png", full_page=True)
    nrr = tables_value(
        reference_report,
        "SELECT nrr FROM 'retention.parquet' WHERE lookback_months = 12 "
        "AND as_of = (SELECT max(as_of) FROM 'retention.parquet') "
        "AND segment = 'SMB' AND region = '(all)'",
        [],
    )
    # The NRR metric is ending_mrr / starting_mrr over 12 months: the retention table's nrr.
    assert page.locator("#tile-nrr [data-field=value]").inner_text() == f"{nrr * 100:.1f}%"
    assert watch.errors == []
    assert watch.blocked == []
    page.close()
