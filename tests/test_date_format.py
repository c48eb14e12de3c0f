"""The date_format check of sources.yml agrees with the DuckDB that parses the dates."""

from __future__ import annotations

import string

import duckdb

from nrrgov.spec.sources import DUCKDB_DATE_CODES, date_format_problem


def _duckdb_reads(code: str) -> bool:
    try:
        duckdb.execute("SELECT try_strptime('2024', ?)", [f"%{code}"])
    except duckdb.Error:
        return False
    return True


def test_codes_match_installed_duckdb():
    candidates = [f"{dash}{letter}" for letter in string.ascii_letters for dash in ("", "-")]
    accepted = {code for code in [*candidates, "%"] if _duckdb_reads(code)}
    assert accepted == DUCKDB_DATE_CODES


def test_common_formats_pass():
    for date_format in ("%d.%m.%Y", "%Y%m%d", "%b %d, %Y", "%-m/%-d/%Y", "%j/%Y", "%Y-%m"):
        assert date_format_problem(date_format) is None, date_format


def test_unknown_and_trailing_codes():
    assert date_format_problem("%d/%m/%Q") == "unrecognized format code %Q"
    assert date_format_problem("%d/%m/%Y %") == "trailing %"


def test_escaped_percent_is_no_year():
    assert date_format_problem("%%Y-%m") == "the format has no code for the year, such as %Y"
