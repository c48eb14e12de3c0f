"""The maturity assessment on small repositories, with and without a run's tables."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from nrrgov.assess import assess, format_markdown, format_text
from nrrgov.cli import assess as assess_command

BODIES = """
bodies:
  - name: revenue_council
    label: Revenue Council
    members:
      - {handle: "@cro", role: cro}
      - {handle: "@cfo", role: cfo}
    chair: "@cro"
    cadence: monthly
    decisions: [target_setting, budget_shift]
  - name: playbook_pmo
    label: Playbook PMO
    members:
      - {handle: "@csops", role: cs_ops}
    chair: "@csops"
    cadence: weekly
    decisions: [play_approval]
"""

DECISIONS = """
decisions:
  - name: target_setting
    label: Target setting
    responsible: cfo
    accountable: cro
"""

TARGETS = """
targets:
  - {name: nrr_fy, metric: nrr, start: 2026-01, end: 2026-12, value: 1.05, at_risk: 1}
"""

INCENTIVES = """
plan:
  name: csm
  weights: {nrr: 0.6, grr: 0.4}
  quotas: {nrr: 1.05, grr: 0.9}
adoption_verification: {signal: usage, min_value: 0.5}
approval_limits:
  - {above_discount: 0.1, approver: cfo}
"""

HEALTH = """
signals: [{name: usage}]
components:
  - {name: usage, signal: usage, weight: 1, normalization: min_max}
bands: [{name: green, min_score: 0.5}, {name: red, min_score: 0}]
escalation:
  - {tier: account_team}
"""

ESCALATION = """
tiers:
  - {name: account_team, label: Account team, acknowledge_hours: 24, resolve_hours: 120}
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    (root / "nrrgov.yml").write_text("name: assessed\n", encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def _governed(root: Path) -> Path:
    return _write(
        root,
        {
            "raci/bodies.yml": BODIES,
            "raci/decisions.yml": DECISIONS,
            "raci/escalation.yml": ESCALATION,
            "definitions/targets.yml": TARGETS,
            "definitions/incentives.yml": INCENTIVES,
            "definitions/health.yml": HEALTH,
        },
    )


def _tables(root: Path, tables: dict[str, str]) -> None:
    """Write each table, given as a SELECT, to target/tables/<name>.parquet."""
    folder = root / "target" / "tables"
    folder.mkdir(parents=True)
    with duckdb.connect() as con:
        for name, select in tables.items():
            con.execute(f"COPY ({select}) TO '{folder / name}.parquet' (FORMAT parquet)")


def rating(assessment, key: str):
    return next(c for c in assessment.capabilities if c.key == key)


def test_empty_repository_is_ad_hoc(tmp_path: Path) -> None:
    assessment = assess(_write(tmp_path, {}))

    assert [c.level for c in assessment.capabilities] == [1, 1, 1, 1, 1, 1]


def test_ad_hoc_names_files_looked_for(tmp_path: Path) -> None:
    council = rating(assess(_write(tmp_path, {})), "revenue_council")

    assert council.looked_for == (
        "raci/bodies.yml",
        "raci/decisions.yml",
        "definitions/targets.yml",
        "target/tables/kpis",
        "target/tables/targets_vs_actuals",
    )


def test_council_managed_from_files(tmp_path: Path) -> None:
    council = rating(assess(_governed(tmp_path)), "revenue_council")

    assert council.level == 3
    assert council.level_name == "managed"


def test_evidence_names_file_and_line(tmp_path: Path) -> None:
    council = rating(assess(_governed(tmp_path)), "revenue_council")

    # The council's name is on line 2 of bodies.yml, its cadence on line 8; the
    # target_setting decision's accountable role on line 5 of decisions.yml.
    evidence = [r.evidence for r in council.evidence]
    assert "raci/bodies.yml:2: body 'revenue_council'" in evidence
    assert "raci/bodies.yml:8: cadence monthly" in evidence
    assert "raci/decisions.yml:5: target_setting" in evidence


def test_missing_for_next_level_without_run(tmp_path: Path) -> None:
    council = rating(assess(_governed(tmp_path)), "revenue_council")

    missing = [r.text for r in council.missing_for_next]
    assert missing == [
        "decisions of the council logged in the decisions export",
        "targets tracked against actuals in the last month",
    ]


def test_lower_level_gap_caps_rating(tmp_path: Path) -> None:
    # A weekly council misses a level-2 requirement, so the targets and decision
    # rights of level 3 do not count.
    _governed(tmp_path)
    bodies = (tmp_path / "raci" / "bodies.yml").read_text(encoding="utf-8")
    (tmp_path / "raci" / "bodies.yml").write_text(
        bodies.replace("cadence: monthly", "cadence: weekly"), encoding="utf-8"
    )

    council = rating(assess(tmp_path), "revenue_council")

    assert council.level == 1
    assert [r.text for r in council.missing_for_next] == ["the council meets monthly"]


def test_operationalized_with_run_tables(tmp_path: Path) -> None:
    _governed(tmp_path)
    _tables(
        tmp_path,
        {
            "kpis": "SELECT 'decision_cycle_days' AS kpi, DATE '2026-03-01' AS as_of, "
            "'(all)' AS segment, '(all)' AS csm_owner, 'revenue_council' AS body, "
            "'(all)' AS decision, 9.0 AS value, 27.0 AS numerator, 3.0 AS denominator",
            "targets_vs_actuals": "SELECT 'nrr_fy' AS target, DATE '2026-03-01' AS as_of, "
            "'on_track' AS status",
        },
    )

    council = rating(assess(tmp_path), "revenue_council")

    assert council.level == 4
    assert "target/tables/kpis: 3 decisions by revenue_council" in [
        r.evidence for r in council.evidence
    ]


def test_primary_kpi_read_from_metrics(tmp_path: Path) -> None:
    _governed(tmp_path)
    _tables(
        tmp_path,
        {
            "metrics": "SELECT * FROM (VALUES "
            "('nrr', DATE '2026-02-01', '(all)', 1.01), "
            "('nrr', DATE '2026-03-01', '(all)', 1.04), "
            "('nrr', DATE '2026-03-01', 'SMB', 0.97)) AS t(metric, as_of, segment, value)",
        },
    )

    council = rating(assess(tmp_path), "revenue_council")

    # The last month over every segment: 1.04, not February's 1.01 or SMB's 0.97.
    assert council.kpis[0].value == pytest.approx(1.04)


def test_incentives_rating(tmp_path: Path) -> None:
    _governed(tmp_path)
    _tables(tmp_path, {"attainment": "SELECT 'Ann' AS csm_owner, 0.9 AS attainment"})

    incentives = rating(assess(tmp_path), "incentives_guardrails")

    assert incentives.level == 4


def test_incentives_not_nrr_led(tmp_path: Path) -> None:
    _governed(tmp_path)
    path = tmp_path / "definitions" / "incentives.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("{nrr: 0.6, grr: 0.4}", "{nrr: 0.4, grr: 0.6}"),
        encoding="utf-8",
    )

    incentives = rating(assess(tmp_path), "incentives_guardrails")

    assert incentives.level == 2


def test_risk_managed_from_files(tmp_path: Path) -> None:
    risk = rating(assess(_governed(tmp_path)), "risk_escalation")

    assert risk.level == 3


def test_text_lists_evidence(tmp_path: Path) -> None:
    text = format_text(assess(_governed(tmp_path)))

    assert "Revenue Council: managed (3/4)" in text
    assert "  + the council meets monthly: raci/bodies.yml:8: cadence monthly" in text


def test_markdown_summary_row(tmp_path: Path) -> None:
    markdown = format_markdown(assess(_write(tmp_path, {})))

    assert "| Revenue Council | ad hoc (1/4) | NRR n/a, GRR n/a |" in markdown


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    app = typer.Typer()
    app.command("assess")(assess_command.run)
    # A second command makes typer keep 'assess' as a subcommand name.
    app.command("noop")(lambda: None)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["assess", *map(str, args)])


def test_cli_json(cli, tmp_path: Path) -> None:
    result = cli("--project", _governed(tmp_path), "--format", "json")

    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [c["level"] for c in data["capabilities"]][0] == 3


def test_cli_text(cli, tmp_path: Path) -> None:
    result = cli("--project", _governed(tmp_path))

    assert result.exit_code == 0
    assert "Revenue Council: managed (3/4)" in result.stdout


def test_cli_missing_project(cli, tmp_path: Path) -> None:
    result = cli("--project", tmp_path / "absent")

    assert result.exit_code == 2


def test_cli_unknown_format(cli, tmp_path: Path) -> None:
    result = cli("--project", _governed(tmp_path), "--format", "yaml")

    assert result.exit_code == 2
