"""The header check of NRG206 on exports written by others (BOM, CRLF, foreign names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nrrgov.lint import lint_project

PEER_DATA = Path(__file__).parents[2] / ".." / "shared" / "data" / "peer_data"
METRICS = """\
metrics:
  - name: nrr
    label: Net revenue retention
    owner: data_board
    formula: ending_mrr / starting_mrr
"""

pytestmark = pytest.mark.peer


def _lint(tmp_path: Path, sources: str) -> list:
    (tmp_path / "definitions").mkdir()
    (tmp_path / "definitions" / "metrics.yml").write_text(METRICS)
    (tmp_path / "definitions" / "sources.yml").write_text(sources)
    (tmp_path / "nrrgov.yml").write_text(f"data: {PEER_DATA.resolve()}\n")
    return list(lint_project(tmp_path).findings)


def test_mapped_ravenstack_files_pass(tmp_path: Path) -> None:
    # The accounts file starts with a byte order mark and both files end lines with CRLF.
    sources = """\
sources:
  - name: accounts
    path: dineshbarri_saas-subscription-revenue-churn-intelligence/ravenstack_accounts.csv
  - name: subscriptions
    path: Monish-2305_SaaS---Cohort-Retention-Analysis/ravenstack_subscriptions.csv
    columns: {amount: mrr_amount, billing_period: billing_frequency}
    constants: {currency: USD}
"""
    assert _lint(tmp_path, sources) == []


def test_unmapped_dbt_periods_miss_columns(tmp_path: Path) -> None:
    sources = """\
sources:
  - name: subscriptions
    path: dbt-labs_mrr-playbook/subscription_periods.csv
"""
    findings = _lint(tmp_path, sources)

    # Required subscriptions columns: subscription_id, account_id, currency,
    # billing_period, amount, start_date. The file has subscription_id and start_date.
    assert {finding.value for finding in findings} == {
        "account_id",
        "currency",
        "billing_period",
        "amount",
    }
    assert {finding.code for finding in findings} == {"NRG206"}
    assert findings[0].hint.endswith(
        "Columns found: subscription_id, customer_id, start_date, end_date, monthly_amount."
    )
