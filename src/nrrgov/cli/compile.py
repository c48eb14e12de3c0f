"""``nrrgov compile``: the SQL of the pipeline for a warehouse dialect."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import duckdb
import sqlglot
import typer

from nrrgov.cli import output
from nrrgov.cli.options import (
    AsOfOption,
    DataOption,
    ProjectOption,
    parse_month,
    require_project_dir,
)
from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import ingest
from nrrgov.engine.normalize import resolve_as_of
from nrrgov.engine.run import plan_pipelines
from nrrgov.engine.sql import Pipeline
from nrrgov.loader import load_project


@output.reports_user_errors
def run(
    dialect: Annotated[
        str,
        typer.Option(
            "--dialect",
            "-d",
            help="sqlglot dialect to write: spark, snowflake, bigquery, duckdb, postgres, ...",
        ),
    ] = "duckdb",
    project: ProjectOption = Path("."),
    data: DataOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Print the pipeline's SQL, from the canonical tables to the output tables, in DIALECT.

    The statements read the canonical tables (accounts, subscriptions or mrr_input,
    fx_rates) that a warehouse loads itself; the as-of month is fixed into the SQL, so the
    exports are read once here to find it unless --as-of is given. Exit codes: 0 done,
    1 invalid definitions or data, 2 usage error.
    """
    if dialect not in sqlglot.Dialect.classes:
        known = ", ".join(sorted(sqlglot.Dialect.classes))
        output.stderr().print(
            f"unknown dialect {dialect!r}; expected one of: {known}", markup=False
        )
        raise typer.Exit(2)
    loaded = load_project(require_project_dir(project))
    ctx = EngineContext(loaded, data or loaded.data_dir, parse_month(as_of))
    if ctx.as_of is None:
        ctx = replace(ctx, as_of=_as_of_from_data(ctx))
    normalize, analytics = plan_pipelines(ctx)
    pipeline = Pipeline(normalize.statements + analytics.statements)
    typer.echo(pipeline.compile(dialect), nl=False)


def _as_of_from_data(ctx: EngineContext):
    con = duckdb.connect()
    try:
        ingest(con, ctx)
        return resolve_as_of(con, ctx, None)
    finally:
        con.close()
