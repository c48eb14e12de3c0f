"""``nrrgov codeowners``: write .github/CODEOWNERS from the bodies and the files they own."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import typer

from nrrgov.cli import output
from nrrgov.cli.options import ProjectOption, require_project_dir
from nrrgov.governance.ownership import CODEOWNERS_PATH, project_codeowners


@output.reports_user_errors
def run(
    project: ProjectOption = Path("."),
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 and print the differences if the file is stale.",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help=f"File to write. Default: {CODEOWNERS_PATH}."),
    ] = None,
) -> None:
    """Write CODEOWNERS so that a pull request needs the review of the body owning each file.

    Each body's 'owns' globs in raci/bodies.yml become lines naming its members. Turn on
    "Require review from Code Owners" in the branch protection of the default branch.
    Exit codes: 0 written or up to date, 1 stale (with --check) or invalid bodies.
    """
    root = require_project_dir(project)
    target = out or root / CODEOWNERS_PATH
    text = project_codeowners(root)
    current = target.read_text(encoding="utf-8") if target.is_file() else None

    if check:
        _check(target, current, text)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    output.stdout().print(f"Wrote {target}", markup=False, soft_wrap=True)


def _check(target: Path, current: str | None, expected: str) -> None:
    if current == expected:
        output.stdout().print(f"{target} is up to date", markup=False, soft_wrap=True)
        return
    difference = difflib.unified_diff(
        (current or "").splitlines(keepends=True),
        expected.splitlines(keepends=True),
        fromfile=f"{target} (committed)",
        tofile=f"{target} (from raci/bodies.yml)",
    )
    typer.echo("".join(difference), nl=False)
    state = "is missing" if current is None else "is stale"
    output.stderr().print(
        f"{target} {state}: run `nrrgov codeowners` and commit the result",
        markup=False,
        soft_wrap=True,
    )
    raise typer.Exit(1)
