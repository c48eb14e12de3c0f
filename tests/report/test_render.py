"""Rendering the report folder: pages, assets, escaping, footer and size."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date

import pytest

from nrrgov.errors import UserError
from nrrgov.report.bench import page_sizes
from nrrgov.report.render import PAGES, render_report, script_json

EVIL = "<script>alert(1)</script>"


def embedded_json(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S
    )
    assert match, "the page embeds no report data"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory, writer_class, sample_run, reference_definitions):
    writer = writer_class(tmp_path_factory.mktemp("render") / "target")
    sample_run(writer)
    writer.results(
        inputs={"accounts": {"rows": 60}},
        definitions_commit="0123456789abcdef0123456789abcdef01234567",
        options={"snapshot": "month_end", "no_revenue_statuses": ["trial"], "grain": "account"},
    )
    return render_report(writer.out_dir, reference_definitions).parent


def test_render_writes_every_page(sample_report):
    for page in PAGES:
        assert (sample_report / page.file).is_file(), page.file
    for asset in ("report.css", "report.js", "vega.js"):
        assert (sample_report / "assets" / asset).is_file(), asset


def test_render_returns_index(run_writer, reference_definitions):
    run_writer.table("movements", [{"month": date(2026, 3, 1)}])
    run_writer.results()
    index = render_report(run_writer.out_dir, reference_definitions)
    assert index == run_writer.out_dir / "report" / "index.html"


def test_render_without_results(tmp_path, reference_definitions):
    with pytest.raises(UserError) as raised:
        render_report(tmp_path, reference_definitions)
    assert raised.value.code == "NRG501"
    assert str(tmp_path) in raised.value.message


def test_render_loads_nothing_from_outside(sample_report):
    for page in PAGES:
        html = (sample_report / page.file).read_text()
        # Every src and href is relative to the report folder or an anchor.
        for link in re.findall(r'(?:src|href)="([^"]*)"', html):
            assert not re.match(r"[a-z]+:|//", link), f"{page.file} links to {link}"


def test_vega_bundle_fetches_nothing(sample_report):
    bundle = (sample_report / "assets" / "vega.js").read_text()
    assert "vegaEmbed" in bundle
    # The page's content security policy forbids fetching; the bundle carries no import.
    assert not re.search(r"^\s*import\s", bundle, re.M)


def test_footer_states_run(sample_report):
    html = (sample_report / "bridge.html").read_text()
    footer = html[html.index("<footer>") : html.index("</footer>")]
    assert "March 2026" in footer
    assert "0123456789ab" in footer
    assert "0.1.0" in footer
    assert "snapshot=month_end" in footer
    assert "no_revenue_statuses=trial" in footer


def test_catalog_anchor_per_metric(sample_report, reference_definitions):
    html = (sample_report / "catalog.html").read_text()
    for metric in reference_definitions.metrics:
        assert f'id="metric-{metric.name}"' in html, metric.name


def test_overview_payload_has_every_slice(sample_report):
    data = embedded_json((sample_report / "index.html").read_text())
    # Segments (all), Enterprise, SMB times regions (all), EMEA, NA: nine slices.
    assert len(data["overview"]["slices"]) == 9
    assert [d["name"] for d in data["dimensions"]] == ["segment", "region"]


def test_payload_never_per_account_outside_movers(sample_report):
    for page in PAGES:
        if page.key != "movers":
            assert "A001" not in (sample_report / page.file).read_text(), page.file


def test_script_json_escapes_markup():
    text = str(script_json({"name": "</script><!--&", "line": "\u2028"}))
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == {"name": "</script><!--&", "line": "\u2028"}


def test_script_json_nan_is_null():
    assert str(script_json({"value": float("nan")})) == '{"value":null}'


def test_escaping_in_pages(tmp_path, writer_class, sample_run, reference_definitions):
    writer = writer_class(tmp_path / "target")
    sample_run(writer, segments=(EVIL, "SMB"), account_prefix=EVIL)
    report = render_report(writer.out_dir, reference_definitions).parent
    for page in PAGES:
        html = (report / page.file).read_text()
        assert EVIL not in html, page.file
    overview = (report / "index.html").read_text()
    movers = (report / "movers.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in overview
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in overview
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 1" in movers
    assert EVIL in embedded_json(overview)["dimensions"][0]["values"]


def test_pages_small_at_scale(tmp_path, writer_class, reference_definitions):
    # A large run's tables grow with months and slices, not with accounts: 60 months and
    # 5 segments x 4 regions x 5 ARR bands (with (all), 6 x 5 x 6 = 180 slices).
    writer = writer_class(tmp_path / "target")
    cube = (
        "WITH seg AS (SELECT unnest(['(all)', 's1', 's2', 's3', 's4', 's5']) AS segment), "
        "reg AS (SELECT unnest(['(all)', 'r1', 'r2', 'r3', 'r4']) AS region), "
        "months AS (SELECT m, (DATE '2021-04-01' + to_months(m))::DATE AS month "
        "FROM range(60) AS t(m)), band AS (SELECT unnest(['(all)', 'b1', 'b2', 'b3', "
        "'b4', 'b5']) AS arr_band)"
    )
    writer.raw_table(
        "cohorts",
        f"{cube}, ages AS (SELECT a FROM range(60) AS t(a)) "
        "SELECT month AS cohort, a AS age_months, segment, region, arr_band, "
        "1000.123456::DECIMAL(18, 6) AS initial_mrr, 10 AS initial_logos, "
        "900.123456::DECIMAL(18, 6) AS mrr, 800.123456::DECIMAL(18, 6) AS retained_mrr, "
        "9 AS logos, (0.9 - a / 1000 + m / 7000)::DECIMAL(18, 10) AS net_mrr_retention, "
        "(0.8 - a / 1000)::DECIMAL(18, 10) AS gross_mrr_retention, "
        "(0.7 + m / 1000)::DECIMAL(18, 10) AS logo_retention "
        "FROM seg, reg, band, months, ages WHERE m + a <= 59",
    )

    writer.raw_table(
        "retention",
        f"{cube}, k AS (SELECT unnest([1, 3, 12]) AS lookback_months) "
        "SELECT month AS as_of, lookback_months, segment, region, arr_band, "
        "123456.123456::DECIMAL(18, 6) AS starting_mrr, 0 AS ending_mrr, "
        "(1.0123456789 + m / 1000)::DECIMAL(18, 10) AS nrr, "
        "(0.9123456789 - m / 1000)::DECIMAL(18, 10) AS grr, "
        "(0.8123456789 + m / 3000)::DECIMAL(18, 10) AS logo_retention "
        "FROM seg, reg, band, months, k",
    )
    writer.results(as_of="2026-03")

    project = reference_definitions
    config = project.config.model_copy(update={"dimensions": ("segment", "region", "arr_band")})
    report = render_report(writer.out_dir, replace(project, config=config)).parent
    sizes = page_sizes(report)
    assert max(sizes.values()) < 5_000_000, sizes


def test_render_without_dimensions(tmp_path, writer_class, sample_run, reference_definitions):
    writer = writer_class(tmp_path / "target")
    sample_run(writer)
    config = reference_definitions.config.model_copy(update={"dimensions": ()})
    report = render_report(writer.out_dir, replace(reference_definitions, config=config)).parent
    html = (report / "index.html").read_text()
    slices = embedded_json(html)["overview"]["slices"]
    # Only the rows over all segments and regions remain, as the single unsliced entry.
    assert [entry["key"] for entry in slices] == [[]]
    assert "data-dimension" not in html
