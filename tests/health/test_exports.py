"""Bad rows in the health_signals, forecasts and decisions exports: file, row, column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from health.health_project import ACCOUNTS_HEADER, make_project, run_health
from nrrgov.errors import UserError

ACCOUNTS = f"{ACCOUNTS_HEADER}\nA1,One,SMB,NA,Ann,,\n"
MRR = "account_id,month,mrr\nA1,2026-01-01,10\n"


def _error(tmp_path: Path, name: str, text: str) -> UserError:
    root = make_project(tmp_path / "p", {"accounts.csv": ACCOUNTS, "mrr.csv": MRR, name: text}, {})
    with pytest.raises(UserError) as raised:
        run_health(root, date(2026, 1, 1))
    return raised.value


def test_signal_value_not_a_number(tmp_path: Path) -> None:
    text = "account_id,month,signal,value\nA1,2026-01-01,usage,0.5\nA1,2026-02-01,usage,high\n"

    error = _error(tmp_path, "health_signals.csv", text)

    assert error.where.path.endswith("health_signals.csv")
    assert (error.where.row, error.where.column) == (2, "value")
    assert "'high'" in error.message
    assert "on_invalid: quarantine" in error.hint


def test_forecast_unknown_account(tmp_path: Path) -> None:
    error = _error(tmp_path, "forecasts.csv", "account_id,month,forecast_mrr\nA9,2026-01-01,10\n")

    assert (error.where.row, error.where.column) == (1, "account_id")
    assert "'A9'" in error.message


def test_forecast_negative(tmp_path: Path) -> None:
    text = "account_id,month,forecast_mrr\nA1,2026-01-01,10\nA1,2026-02-01,-5\n"

    error = _error(tmp_path, "forecasts.csv", text)

    assert error.code == "NRG452"
    assert (error.where.row, error.where.column) == (2, "forecast_mrr")
    assert "-5" in error.message


def test_decision_invalid_date(tmp_path: Path) -> None:
    text = "decision_id,decision,body,raised_on,decided_on,outcome\nD1,x,b,2026-13-01,,\n"

    error = _error(tmp_path, "decisions.csv", text)

    assert (error.where.row, error.where.column) == (1, "raised_on")
    assert "'2026-13-01'" in error.message


def test_decision_decided_before_raised(tmp_path: Path) -> None:
    text = (
        "decision_id,decision,body,raised_on,decided_on,outcome\n"
        "D1,budget_shift,council,2026-01-05,2026-01-09,approved\n"
        "D2,budget_shift,council,2026-01-10,2026-01-02,approved\n"
    )

    error = _error(tmp_path, "decisions.csv", text)

    assert error.code == "NRG451"
    assert (error.where.row, error.where.column) == (2, "decided_on")
    assert "'D2'" in error.message


def test_invalid_health_file_names_line(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p",
        {"accounts.csv": ACCOUNTS, "mrr.csv": MRR},
        {"definitions/health.yml": "signals: [{name: usage}]\ncomponents: []\nbands: oops\n"},
    )

    with pytest.raises(UserError) as raised:
        run_health(root, date(2026, 1, 1))

    assert raised.value.where.path.endswith("health.yml")
    assert raised.value.where.line == 3
