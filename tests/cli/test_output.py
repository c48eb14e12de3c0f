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
