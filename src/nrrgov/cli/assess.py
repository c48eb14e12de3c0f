"""``nrrgov assess``: rate the six governance capabilities, with the evidence for each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from nrrgov.assess import assess, format_markdown, format_text
from nrrgov.cli import output
from nrrgov.cli.options import OutOption, ProjectOption, require_project_dir
from nrrgov.loader import read_config


@output.reports_user_errors
def run(
    project: ProjectOption = Path("."),
    out: OutOption = None,
    format: Annotated[
        Literal["text", "json", "markdown"],
        typer.Option("--format", "-f", help="Output format: text, json or markdown."),
    ] = "text",
) -> None:
    """Rate Revenue Council, Playbook PMO, Data & Definitions, Incentives & Guardrails,
    Operating Cadence and Risk & Escalation from ad hoc to operationalized.

    The evidence is read from the definitions repository and from the tables of the
    last 'nrrgov compute' run under --out, so run compute first for the data evidence.
    Each capability lists what it met and what is missing for the next level.
    Exit codes: 0 rated, 2 usage error.
    """
    root = require_project_dir(project)
    out_dir = out or root / read_config(root).out
    assessment = assess(root, out_dir / "tables")

    if format == "json":
        typer.echo(json.dumps(assessment.to_dict(), indent=2))
    elif format == "markdown":
        typer.echo(format_markdown(assessment), nl=False)
    else:
        output.stdout().print(format_text(assessment), markup=False, soft_wrap=True)
