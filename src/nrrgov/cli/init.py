"""``nrrgov init``: create a definitions repository from the reference files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nrrgov.cli import output
from nrrgov.governance.scaffold import init_project


@output.reports_user_errors
def run(
    folder: Annotated[
        Path, typer.Argument(help="Folder to create; it must not exist or must be empty.")
    ],
) -> None:
    """Create a definitions repository with sample exports, schemas and a CI workflow.

    Writes nrrgov.yml, definitions/, raci/, sample exports in data/, JSON Schemas,
    CODEOWNERS and a GitHub Actions workflow.

    `nrrgov lint` and `nrrgov compute` work in it at once. Exit codes: 0 created, 2 the
    folder exists and is not empty (nothing is written then).
    """
    written = init_project(folder)
    console = output.stdout()
    console.print(f"Created {folder} with {len(written)} files.", markup=False, soft_wrap=True)
    console.print(
        f"Next: cd {folder} && git init && nrrgov lint && nrrgov compute",
        markup=False,
        soft_wrap=True,
    )
