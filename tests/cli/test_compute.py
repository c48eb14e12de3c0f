"""``nrrgov compute`` end to end on real files."""

from __future__ import annotations

import json

import duckdb
import pytest

from projects import ACCOUNTS_HEADER, SUBSCRIPTIONS_HEADER, csv_text, make_project

FX_HEADER = "month,currency,rate"
TABLES = ("accounts", "account_mrr", "movements", "retention", "metrics", "cohorts", "quarantine")


def _flat_project(tmp_path, accounts: int, amount: int):
    """``accounts`` accounts, each with one monthly subscription of ``amount`` USD from 2025-01."""
    account_rows = [f"A{i},Acct {i},SMB,NA,csm1,2025-01-01," for i in range(accounts)]
    subscription_rows = [
        f"S{i},A{i},basic,USD,monthly,{amount},1,2025-01-01,,active" for i in range(accounts)
    ]
    files = {
        "accounts.csv": csv_text(ACCOUNTS_HEADER, account_rows),
        "subscriptions.csv": csv_text(SUBSCRIPTIONS_HEADER, subscription_rows),
        "fx_rates.csv": csv_text(FX_HEADER, []),
    }
    return make_project(tmp_path / "flat", files)


def test_compute_writes_every_table(run_cli, reference_project):
    result = run_cli("compute", "--project", reference_project)

    assert result.exit_code == 0, result.stderr
    tables = reference_project / "target" / "tables"
    for table in TABLES:
        assert (tables / f"{table}.parquet").is_file(), table
        assert (tables / f"{table}.csv").is_file(), table
    assert (reference_project / "target" / "report" / "index.html").is_file()
    assert "Results:" in result.stdout


def test_compute_no_row_after_as_of(run_cli, reference_project):
    result = run_cli("compute", "--project", reference_project, "--as-of", "2025-06")

    assert result.exit_code == 0, result.stderr
    tables = reference_project / "target" / "tables"
    latest = (
        duckdb.connect()
        .execute("SELECT max(month) FROM read_parquet(?)", [str(tables / "account_mrr.parquet")])
        .fetchone()[0]
    )
    assert latest.isoformat() == "2025-06-01"
    results = json.loads((reference_project / "target" / "results.json").read_text())
    assert results["as_of"] == "2025-06"


def test_flat_accounts_reconcile(run_cli, tmp_path):
    # 1,200 accounts paying 10 a month: MRR 1,200 × 10 = 12,000, 1,200 active accounts.
    project = _flat_project(tmp_path, accounts=1200, amount=10)

    result = run_cli("compute", "--project", project, "--as-of", "2025-12")

    assert result.exit_code == 0, result.stderr
    results = json.loads((project / "target" / "results.json").read_text())
    assert results["mrr"] == 12000
    assert results["active_accounts"] == 1200
    assert results["quarantined_rows"] == 0
    reconciliation = json.dumps(results["reconciliation"])
    assert "12000" in reconciliation


def test_arr_is_twelve_times_mrr_to_the_cent(run_cli, tmp_path):
    # 3 accounts at 0.10 a month: MRR 0.30, ARR 3.60, where floats give 3.5999999999999996.
    project = _flat_project(tmp_path, accounts=3, amount="0.10")

    result = run_cli("compute", "--project", project, "--as-of", "2025-03")

    assert result.exit_code == 0, result.stderr
    results = json.loads((project / "target" / "results.json").read_text())
    assert results["mrr"] == 0.3
    assert results["arr"] == 3.6


def test_bad_row_keeps_previous_output(run_cli, tmp_path):
    project = _flat_project(tmp_path, accounts=3, amount=10)
    assert run_cli("compute", "--project", project).exit_code == 0
    before = (project / "target" / "results.json").read_text()
    (project / "target" / "marker").write_text("kept")
    accounts = (project / "data" / "accounts.csv").read_text()
    (project / "data" / "accounts.csv").write_text(accounts + "A9,Late,SMB,NA,csm1,31-31-2025,\n")

    result = run_cli("compute", "--project", project)

    assert result.exit_code == 1
    assert "accounts.csv" in result.stderr
    assert "31-31-2025" in result.stderr
    assert (project / "target" / "results.json").read_text() == before
    assert (project / "target" / "marker").read_text() == "kept"


def test_mrr_total_past_money_range(run_cli, tmp_path):
    # Three accounts at 6 × 10^11 each fit one by one, but their total does not.
    project = _flat_project(tmp_path, accounts=3, amount=600_000_000_000)

    result = run_cli("compute", "--project", project)

    assert result.exit_code == 1
    assert "NRG425" in result.stderr
    assert "summed over all accounts" in result.stderr
    assert "Traceback" not in result.stderr


def test_markup_value_printed_plain(run_cli, tmp_path):
    project = _flat_project(tmp_path, accounts=2, amount=10)
    accounts = project / "data" / "accounts.csv"
    accounts.write_text(accounts.read_text() + "A9,Late,SMB,NA,csm1,[red]2025[/],\n")

    result = run_cli("compute", "--project", project)

    assert result.exit_code == 1
    headline = result.stderr.splitlines()[0]
    assert "'[red]2025[/]'" in headline


@pytest.mark.parametrize("out", [".", "data", "definitions", ".."])
def test_out_never_replaces_what_compute_reads(run_cli, tmp_path, out):
    project = _flat_project(tmp_path, accounts=2, amount=10)
    before = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*"))

    result = run_cli("compute", "--project", project, "--out", project / out)

    assert result.exit_code == 2
    assert "NRG006" in result.stderr
    assert sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*")) == before


def test_missing_data_folder_is_usage_error(run_cli, tmp_path):
    project = _flat_project(tmp_path, accounts=2, amount=10)

    result = run_cli("compute", "--project", project, "--data", tmp_path / "exports")

    assert result.exit_code == 2
    assert "NRG008" in result.stderr
    assert "exports" in result.stderr


def test_out_is_a_file(run_cli, tmp_path):
    project = _flat_project(tmp_path, accounts=2, amount=10)
    target = tmp_path / "afile"
    target.write_text("keep me")

    result = run_cli("compute", "--project", project, "--out", target)

    assert result.exit_code == 2
    assert "it is a file" in result.stderr
    assert target.read_text() == "keep me"


def test_out_folder_that_is_no_earlier_output(run_cli, tmp_path):
    project = _flat_project(tmp_path, accounts=2, amount=10)
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "q3.xlsx").write_text("keep me")

    result = run_cli("compute", "--project", project, "--out", folder)

    assert result.exit_code == 2
    assert "no results.json" in result.stderr
    assert (folder / "q3.xlsx").read_text() == "keep me"


def test_missing_export_exit_1(run_cli, tmp_path):
    project = _flat_project(tmp_path, accounts=2, amount=10)
    (project / "data" / "subscriptions.csv").unlink()

    result = run_cli("compute", "--project", project)

    assert result.exit_code == 1
    assert "subscriptions.csv" in result.stderr
    assert not (project / "target").exists()


def test_bad_as_of_is_usage_error(run_cli, reference_project):
    result = run_cli("compute", "--project", reference_project, "--as-of", "2025-13")

    assert result.exit_code == 2
    assert "'2025-13'" in result.stderr
    assert "YYYY-MM" in result.stderr


def test_missing_project_is_usage_error(run_cli, tmp_path):
    result = run_cli("compute", "--project", tmp_path / "nowhere")

    assert result.exit_code == 2
    assert "nowhere" in result.stderr


def test_env_sets_as_of_and_flag_wins(run_cli, reference_project, monkeypatch):
    monkeypatch.setenv("NRRGOV_AS_OF", "2025-03")
    assert run_cli("compute", "--project", reference_project).exit_code == 0
    results = json.loads((reference_project / "target" / "results.json").read_text())
    assert results["as_of"] == "2025-03"

    assert run_cli("compute", "--project", reference_project, "--as-of", "2025-04").exit_code == 0
    results = json.loads((reference_project / "target" / "results.json").read_text())
    assert results["as_of"] == "2025-04"


def test_report_rebuilds_from_tables(run_cli, reference_project):
    assert run_cli("compute", "--project", reference_project).exit_code == 0
    index = reference_project / "target" / "report" / "index.html"
    index.unlink()

    result = run_cli("report", "--project", reference_project)

    assert result.exit_code == 0, result.stderr
    assert "Net revenue retention" in index.read_text()


def test_report_without_results_exit_1(run_cli, reference_project):
    result = run_cli("report", "--project", reference_project, "--out", reference_project / "x")

    assert result.exit_code == 1
    assert "nrrgov compute" in result.stderr


@pytest.mark.parametrize(
    ("path", "content", "reason"),
    [
        ("results.json", "{", "not valid JSON"),
        ("results.json", "[]", "expected a JSON object"),
        ("tables/retention.parquet", "garbage", "cannot read the earlier run's output"),
    ],
)
def test_report_on_damaged_output(run_cli, tmp_path, path, content, reason):
    project = _flat_project(tmp_path, accounts=2, amount=10)
    assert run_cli("compute", "--project", project).exit_code == 0
    (project / "target" / path).write_text(content)

    result = run_cli("report", "--project", project)

    assert result.exit_code == 1
    assert "NRG503" in result.stderr
    assert reason in result.stderr
    assert path.split("/")[0] in result.stderr


def test_bad_as_of_from_environment_names_it(run_cli, reference_project, monkeypatch):
    monkeypatch.setenv("NRRGOV_AS_OF", "2025-13")

    result = run_cli("compute", "--project", reference_project)

    assert result.exit_code == 2
    assert "'2025-13'" in result.stderr
    assert "NRRGOV_AS_OF" in result.stderr


@pytest.mark.parametrize("limit", ["lots", "-1GB", "0GB", "1e9"])
def test_memory_limit_invalid_is_usage_error(run_cli, reference_project, limit):
    result = run_cli("compute", "--project", reference_project, "--memory-limit", limit)

    assert result.exit_code == 2
    assert f"'{limit}'" in result.stderr


def test_memory_limit_too_small_to_run(run_cli, tmp_path):
    project = _flat_project(tmp_path, accounts=2, amount=10)

    result = run_cli("compute", "--project", project, "--memory-limit", "10B")

    assert result.exit_code == 1
    assert "NRG007" in result.stderr
    assert "raise --memory-limit above 10B" in result.stderr
    assert not (project / "target").exists()


def test_memory_limit_small_still_computes(run_cli, reference_project):
    result = run_cli("compute", "--project", reference_project, "--memory-limit", "200MB")

    assert result.exit_code == 0, result.stderr
    assert (reference_project / "target" / "results.json").is_file()
