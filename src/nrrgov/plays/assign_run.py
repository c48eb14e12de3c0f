"""Plan the treatment / holdout assignment of a project's eligible accounts.

The ``nrrgov plays assign`` command calls :func:`plan_assignments`, which runs ingest and
the analytics stages on the exports, finds the accounts that meet each play's entry
criteria in the as-of month, and assigns each with :mod:`nrrgov.plays.assignment`.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import ingest
from nrrgov.engine.normalize import resolve_as_of
from nrrgov.engine.run import run_pipelines
from nrrgov.errors import UserError
from nrrgov.loader import load_project
from nrrgov.plays.assignment import Assignment, assign
from nrrgov.plays.eligibility import create_eligibility, eligible_accounts
from nrrgov.plays.loader import LoadedPlay, Playbook, require_plays

UNKNOWN_PLAY_CODE = "NRG005"
CSV_HEADER = ("account_id", "play", "group", "assigned_on")


def plan_assignments(
    project_root: Path,
    data_dir: Path | None = None,
    as_of: date | None = None,
    play: str | None = None,
) -> tuple[date, list[Assignment]]:
    """Assign the accounts eligible in the as-of month to each play's groups.

    Args:
        project_root: the definitions repository.
        data_dir: folder of the exports; the project's ``data`` by default.
        as_of: first day of the month whose eligibility counts; the last month with
            data by default.
        play: only this play (any status but retired); every active play by default.

    Returns:
        The as-of month and the assignments, sorted by play and account. Each is dated
        the first day of the month after the as-of month, when enrollment starts.

    Raises:
        UserError: invalid definitions or data, or ``play`` names no play (exit code 2).
    """
    project = load_project(project_root)
    playbook = require_plays(project_root)
    plays = _selected(playbook, play)
    con = duckdb.connect()
    try:
        ctx = EngineContext(project, Path(data_dir) if data_dir else project.data_dir)
        ingest(con, ctx)
        ctx = replace(ctx, as_of=resolve_as_of(con, ctx, as_of))
        run_pipelines(con, ctx)
        create_eligibility(con, plays, ctx.as_of, project.taxonomy.dimensions)
        start = _next_month(ctx.as_of)
        assignments = [
            assignment
            for loaded in plays
            for assignment in assign(
                loaded.spec.name,
                eligible_accounts(con, loaded.spec.name),
                loaded.spec.holdout_share,
                start,
            )
        ]
    finally:
        con.close()
    return ctx.as_of, sorted(assignments)


def assignments_csv(assignments: list[Assignment]) -> str:
    """Return the assignments as CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for item in assignments:
        writer.writerow([item.account_id, item.play, item.group, item.assigned_on.isoformat()])
    return buffer.getvalue()


def _selected(playbook: Playbook, name: str | None) -> list[LoadedPlay]:
    if name is None:
        return [loaded for loaded in playbook.plays if loaded.spec.status == "active"]
    loaded = playbook.play(name)
    if loaded is None or loaded.spec.status == "retired":
        names = [p.spec.name for p in playbook.plays if p.spec.status != "retired"]
        raise UserError(
            UNKNOWN_PLAY_CODE,
            f"no play {name!r} to assign" + (" (it is retired)" if loaded else ""),
            hint=_closest(name, names),
            exit_code=2,
        )
    return [loaded]


def _closest(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"plays: {', '.join(names)}" if names else "no plays are defined under plays/"


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)
