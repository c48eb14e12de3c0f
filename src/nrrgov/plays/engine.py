"""The plays stage of a compute run: eligibility, holdouts, SLA, return and the council.

:func:`compute_plays` runs after the analytics stage, on a connection that contains the
ingested ``accounts``, ``play_enrollments`` and ``activities`` and the analytic
``account_mrr``. It creates the output tables ``holdouts``, ``play_sla`` and ``council``
and working tables prefixed ``plays_``. Without plays, the output tables are empty.
"""

from __future__ import annotations

import logging
from datetime import date

import duckdb

from nrrgov.engine.context import EngineContext
from nrrgov.errors import Location, UserError
from nrrgov.plays.council import create_council
from nrrgov.plays.eligibility import create_eligibility
from nrrgov.plays.loader import Playbook, require_plays
from nrrgov.plays.roi import create_returns
from nrrgov.plays.sla import create_sla
from nrrgov.plays.uplift import DEFAULT_BOOTSTRAP, BootstrapSettings, create_holdouts

logger = logging.getLogger(__name__)

OUTPUT_TABLES = ("holdouts", "play_sla", "council")
UNKNOWN_PLAY_CODE = "NRG441"
INVALID_GROUP_CODE = "NRG442"
_MAX_DETAILS = 20


def compute_plays(
    con: duckdb.DuckDBPyConnection,
    ctx: EngineContext,
    playbook: Playbook | None = None,
    settings: BootstrapSettings = DEFAULT_BOOTSTRAP,
) -> None:
    """Create the plays output tables for the run's as-of month.

    Args:
        playbook: already loaded plays; read from the project's ``plays/`` by default.
        settings: resamples and seed of the bootstrap interval.

    Raises:
        UserError: a play file is invalid, an entry criterion does not compile, or an
            enrollment or activity row names an unknown play or group.
    """
    if ctx.as_of is None:
        raise ValueError("compute_plays needs ctx.as_of; run the analytics stage first")
    playbook = playbook or require_plays(ctx.project.root)
    check_activity_rows(con, playbook)
    run_play_stages(con, playbook, ctx.as_of, ctx, settings)
    logger.info("computed %d plays as of %s", len(playbook.plays), ctx.as_of)


def run_play_stages(
    con: duckdb.DuckDBPyConnection,
    playbook: Playbook,
    as_of: date,
    ctx: EngineContext,
    settings: BootstrapSettings = DEFAULT_BOOTSTRAP,
) -> None:
    """Run eligibility, holdouts, SLA, returns and council, in that order."""
    specs = playbook.specs
    reviewed = [play for play in playbook.plays if play.spec.status != "retired"]
    create_eligibility(con, reviewed, as_of, ctx.project.taxonomy.dimensions)
    create_holdouts(con, specs, as_of, settings)
    create_sla(con, specs, as_of)
    create_returns(con, specs)
    create_council(con, specs, playbook.rules)


def check_activity_rows(con: duckdb.DuckDBPyConnection, playbook: Playbook) -> None:
    """Raise on enrollment or activity rows that name an unknown play or group.

    Raises:
        UserError: naming the file, row and column of the first bad row, with up to 20
            more in ``details``.
    """
    names = [play.spec.name for play in playbook.plays]
    known = ", ".join(f"'{name}'" for name in names) or "NULL"
    checks = (
        ("play_enrollments", "play", f"play NOT IN ({known})", "unknown play"),
        ("play_enrollments", "group", "\"group\" NOT IN ('treatment', 'holdout')", "invalid group"),
        ("activities", "play", f"play IS NOT NULL AND play NOT IN ({known})", "unknown play"),
    )
    for table, column, condition, problem in checks:
        rows = con.execute(
            f'SELECT _file, _row, CAST("{column}" AS VARCHAR) FROM {table} '
            f"WHERE {condition} ORDER BY _file, _row LIMIT {_MAX_DETAILS + 1}"
        ).fetchall()
        if rows:
            raise _row_error(table, column, problem, rows, names)


def _row_error(
    table: str, column: str, problem: str, rows: list[tuple], names: list[str]
) -> UserError:
    file, row, value = rows[0]
    if column == "group":
        code, hint = INVALID_GROUP_CODE, "use 'treatment' or 'holdout'"
    else:
        code = UNKNOWN_PLAY_CODE
        hint = (
            f"use the name of a play in plays/: {', '.join(names)}"
            if names
            else "no plays are defined: add the play's file under plays/"
        )
    details = [f"{f}: row {r}: {problem} {v!r}" for f, r, v in rows[1:_MAX_DETAILS]]
    return UserError(
        code,
        f"{table} row {row} has {problem} {value!r}",
        where=Location(file, row=row, column=column),
        hint=hint,
        details=details,
    )
