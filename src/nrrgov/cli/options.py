"""Options shared by several commands, and parsing of their values."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from nrrgov.errors import UserError

ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        envvar="NRRGOV_PROJECT",
        help="Definitions repository: the folder holding nrrgov.yml and definitions/.",
        show_default=True,
    ),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        envvar="NRRGOV_DATA",
        help="Folder of the exports named in sources.yml. Default: 'data' in nrrgov.yml.",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        envvar="NRRGOV_AS_OF",
        help="Last month to compute, as YYYY-MM. Default: the last month with data.",
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        envvar="NRRGOV_OUT",
        help="Output folder for tables, results.json and report/. Default: 'out' in "
        "nrrgov.yml (target).",
    ),
]

MemoryLimitOption = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        envvar="NRRGOV_MEMORY_LIMIT",
        help="Memory DuckDB may use before spilling to disk, in bytes with a unit, such as "
        "2GB or 500MB. Default: DuckDB's own, 80% of the machine's RAM.",
    ),
]

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str | None, option: str = "--as-of (or NRRGOV_AS_OF)") -> date | None:
    """Parse ``YYYY-MM`` into the first day of that month; a usage error otherwise."""
    if text is None:
        return None
    match = _MONTH.match(text.strip())
    if match is None:
        raise UserError(
            "NRG002",
            f"invalid month {text!r} for {option}",
            hint="write the month as YYYY-MM, for example 2026-11",
            exit_code=2,
        )
    return date(int(match.group(1)), int(match.group(2)), 1)


def require_project_dir(path: Path) -> Path:
    """Return ``path`` if it is a folder; a usage error naming it otherwise."""
    if not path.is_dir():
        raise UserError(
            "NRG001",
            f"project folder {str(path)!r} not found",
            hint="pass --project with the folder that holds nrrgov.yml",
            exit_code=2,
        )
    return path
