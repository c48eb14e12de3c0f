"""``nrrgov lint``: validate a definitions repository and report every finding."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from nrrgov.cli import output
from nrrgov.errors import UserError
from nrrgov.lint import FORMATS, lint_project

Format = Literal["text", "json", "github", "sarif", "junit"]


@output.reports_user_errors
def run(
    path: Annotated[
        Path,
        typer.Argument(
            help="Project folder to lint: the one holding nrrgov.yml or pyproject.toml."
        ),
    ] = Path("."),
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="Output format. Default: github (workflow annotations) when GITHUB_ACTIONS "
            "is true, else text.",
        ),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Git ref to compare with, such as origin/main: a metric whose formula, "
            "filters or options changed since then needs a version bump and a new approval.",
        ),
    ] = None,
) -> None:
    """Validate the definitions: YAML and schema, cross-references, formulas, exports,
    decision rights and approvals.

    Findings go to stdout. Suppress one in place with '# nrrgov: noqa NRG201 <reason>'
    on its line. Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error.
    """
    root = _project_folder(path)
    result = lint_project(root, base=base)
    typer.echo(FORMATS[format or _default_format()](result), nl=False)
    if result.errors:
        raise typer.Exit(1)


def _default_format() -> Format:
    return "github" if os.environ.get("GITHUB_ACTIONS", "").lower() == "true" else "text"


def _project_folder(path: Path) -> Path:
    if path.is_dir():
        return path
    hint = "pass the folder that holds nrrgov.yml, for example `nrrgov lint .`"
    if path.exists():
        hint = f"pass the folder instead of the file: `nrrgov lint {path.parent}`"
        message = f"{str(path)!r} is a file, not a project folder"
    else:
        message = f"project folder {str(path)!r} not found"
    raise UserError("NRG001", message, hint=hint, exit_code=2)
