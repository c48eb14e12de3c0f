"""Terminal output of user errors."""

from __future__ import annotations

from nrrgov.cli import output
from nrrgov.errors import UserError


def test_error_details_are_cut_after_200_lines(capsys):
    details = [f"EUR {year}-01" for year in range(2000, 2450)]
    error = UserError("NRG423", "missing fx rates", hint="add the rates", details=details)

    output.print_user_error(error)

    lines = capsys.readouterr().err.splitlines()
    assert "  EUR 2199-01" in lines
    assert "  EUR 2200-01" not in lines
    assert "  ... and 250 more" in lines
    assert lines[-1] == "  hint: add the rates"


def test_summary_prints_names_from_files_as_is(capsys):
    results = {
        "project": "[/]odd",
        "as_of": "2026-11",
        "reporting_currency": "USD",
        "mrr": 10.0,
        "active_accounts": 1,
        "metrics": [{"label": "[red]NRR[/red]", "unit": "ratio", "value": 1.0, "target": None}],
        "quarantined_rows": 0,
    }

    output.print_compute_summary(results, "out[1]")

    printed = capsys.readouterr().out
    assert "[/]odd as of 2026-11" in printed
    assert "[red]NRR[/red]" in printed
    assert "out[1]/results.json" in printed
