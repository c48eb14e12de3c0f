"""``nrrgov diff``: the numbers under the base and the head definitions, for a pull request."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from nrrgov.cli import output
from nrrgov.cli.options import (
    AsOfOption,
    DataOption,
    ProjectOption,
    parse_month,
    require_project_dir,
)
from nrrgov.diff import DEFAULT_THRESHOLD, diff_project
from nrrgov.governance.pr_comment import render_json, render_markdown

Format = Literal["markdown", "json"]


@output.reports_user_errors
def run(
    base: Annotated[
        str,
        typer.Option(
            "--base",
            help="Git ref holding the definitions to compare with, such as origin/main.",
        ),
    ],
    project: ProjectOption = Path("."),
    data: DataOption = None,
    as_of: AsOfOption = None,
    format: Annotated[
        Format,
        typer.Option("--format", help="markdown: a pull-request comment; json: every row."),
    ] = "markdown",
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold",
            min=0.0,
            help="Flag a value that moved by more than this fraction of its base value "
            "(0.01 is 1%).",
        ),
    ] = DEFAULT_THRESHOLD,
) -> None:
    """Compute the base and the head definitions on the same exports and compare them.

    Prints what changed in each definition, the metric values at the as-of month by
    slice (base, head, change), and the bodies whose approval the changed files need.
    The working tree is never modified. Exit codes: 0 done, 1 invalid definitions or
    data, 2 usage error (such as an unknown ref).
    """
    root = require_project_dir(project)
    result = diff_project(root, base, data_dir=data, as_of=parse_month(as_of), threshold=threshold)
    render = render_json if format == "json" else render_markdown
    typer.echo(render(result), nl=False)
