"""``nrrgov plays``: commands for customer-success plays."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nrrgov.cli import output
from nrrgov.cli.options import (
    AsOfOption,
    DataOption,
    ProjectOption,
    parse_month,
    require_project_dir,
)
from nrrgov.plays.assign_run import assignments_csv, plan_assignments

app = typer.Typer(
    name="plays",
    help="Customer-success plays: assign eligible accounts to treatment and holdout.",
    no_args_is_help=True,
)


@app.callback()
def plays() -> None:
    """Customer-success plays: assign eligible accounts to treatment and holdout."""


@app.command("assign")
@output.reports_user_errors
def assign(
    project: ProjectOption = Path("."),
    data: DataOption = None,
    as_of: AsOfOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="CSV file to write. Default: standard output."),
    ] = None,
    play: Annotated[
        str | None,
        typer.Option("--play", help="Assign only this play. Default: every active play."),
    ] = None,
) -> None:
    """Assign the accounts eligible in the as-of month to treatment or holdout, as CSV.

    An account goes to the holdout when a SHA-256 hash of (play, account id), mapped to
    [0, 1), is below the play's holdout_share, so a rerun never moves an account
    between groups. Columns: account_id, play, group, assigned_on (the first day of the
    month after the as-of month). Exit codes: 0 done, 1 invalid definitions or data,
    2 usage error.
    """
    root = require_project_dir(project)
    month = parse_month(as_of)
    as_of_month, assignments = plan_assignments(root, data_dir=data, as_of=month, play=play)
    text = assignments_csv(assignments)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    holdouts = sum(1 for item in assignments if item.group == "holdout")
    output.stderr().print(
        f"Wrote {len(assignments)} assignments ({holdouts} holdout) for "
        f"{as_of_month:%Y-%m} to {out}",
        markup=False,
        soft_wrap=True,
    )
