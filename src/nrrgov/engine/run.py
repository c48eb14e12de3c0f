"""``nrrgov compute`` as a library call: ingest, normalize, analyse, write, report."""

from __future__ import annotations

import logging
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb

from nrrgov import __version__
from nrrgov.engine import ingest_codes as codes
from nrrgov.engine.account_mrr import ACCOUNT_MONTHS_TABLE
from nrrgov.engine.analytics import add_analytics
from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import IngestSummary, ingest
from nrrgov.engine.normalize import add_normalize, resolve_as_of, validate_revenue
from nrrgov.engine.output import (
    check_output_folder,
    staged_output,
    write_json,
    write_tables,
)
from nrrgov.engine.reconcile import reconcile
from nrrgov.engine.results import headline_figures
from nrrgov.engine.sql import Pipeline
from nrrgov.engine.types import MONEY
from nrrgov.errors import UserError
from nrrgov.health.run import compute_health, health_figures
from nrrgov.loader import Project, load_project
from nrrgov.plays.engine import compute_plays

logger = logging.getLogger(__name__)

# Steps reported to the progress callback, in order; the CLI sizes its bar from this.
STEPS = ("ingest", "normalize", "reconcile", "analytics", "health", "plays", "write", "report")

# Analytic inputs that compute drops once no later statement reads them, to keep peak
# memory down. Reconcile has read revenue by then, and the grid goes after account_mrr.
_ANALYTICS_RELEASE = ("revenue", ACCOUNT_MONTHS_TABLE)


@dataclass(frozen=True)
class ComputeResult:
    """The output folder, as-of month, headline figures and row counts of a compute run."""

    out_dir: Path
    as_of: date
    results: dict
    table_rows: dict[str, int]
    ingest: IngestSummary


def plan_pipelines(ctx: EngineContext) -> tuple[Pipeline, Pipeline]:
    """Build, without running, the normalize pipeline and the analytics pipeline."""
    normalize = Pipeline()
    add_normalize(normalize, ctx)
    analytics = Pipeline()
    add_analytics(analytics, ctx)
    return normalize, analytics


def run_pipelines(
    con: duckdb.DuckDBPyConnection,
    ctx: EngineContext,
    step: Callable[[str], None] = lambda _name: None,
) -> None:
    """Run normalize, check the fx rates it needs, then run the analytic stages."""
    normalize, analytics = plan_pipelines(ctx)
    step("normalize")
    normalize.run(con)
    validate_revenue(con, ctx)
    step("analytics")
    analytics.run(con)


def compute(
    project_root: Path,
    data_dir: Path | None = None,
    as_of: date | None = None,
    out_dir: Path | None = None,
    on_step: Callable[[str], None] | None = None,
    project: Project | None = None,
    memory_limit: str | None = None,
) -> ComputeResult:
    """Compute every output table for a project and write them to ``out_dir``.

    Args:
        project_root: the definitions repository (holding ``nrrgov.yml``).
        data_dir: folder of the exports; defaults to the project's ``data``.
        as_of: first day of the last month to compute; defaults to the last month with data.
        out_dir: output folder; defaults to the project's ``out``. Replaced only when the
            whole run succeeds.
        on_step: called with each name in :data:`STEPS` as that step starts.
        project: an already loaded project, to skip loading it again.
        memory_limit: DuckDB's memory limit, such as ``2GB``; past it DuckDB spills to
            a temporary folder. None keeps DuckDB's default of 80% of the machine's RAM.

    Raises:
        UserError: on invalid definitions or data; nothing is written then.
    """
    step = on_step or (lambda _name: None)
    project = project or load_project(project_root)
    ctx = EngineContext(project, Path(data_dir) if data_dir else project.data_dir)
    if not ctx.data_dir.is_dir():
        raise UserError(
            "NRG008",
            f"data folder {str(ctx.data_dir)!r} not found",
            hint="pass --data with the folder of the exports, or set 'data' in nrrgov.yml",
            exit_code=2,
        )
    out_dir = Path(out_dir) if out_dir else project.root / project.config.out
    check_output_folder(out_dir, keep=[project.root, project.definitions_dir, ctx.data_dir])

    with tempfile.TemporaryDirectory(prefix="nrrgov-spill-") as spill:
        config = {"temp_directory": spill}
        if memory_limit:
            config["memory_limit"] = _valid_memory_limit(memory_limit)
        con = _connect(config)
        try:
            return _compute_on(con, ctx, as_of, out_dir, step)
        except duckdb.OutOfMemoryException as error:
            raise UserError(
                "NRG007",
                f"DuckDB ran out of memory: {str(error).splitlines()[0]}",
                hint=(
                    f"raise --memory-limit above {memory_limit}, or leave it unset"
                    if memory_limit
                    else "free memory on the machine, or set --memory-limit so that "
                    "DuckDB spills to disk sooner"
                ),
            ) from None
        finally:
            con.close()


# A size with a unit, as DuckDB reads it: 2GB, 500MB, 1.5 GiB.
_MEMORY_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:[KMGT]i?)?B\s*$", re.IGNORECASE)


def _valid_memory_limit(text: str) -> str:
    """Return ``text`` if it is a positive size with a unit, else raise a usage error."""
    match = _MEMORY_LIMIT.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise UserError(
            "NRG003",
            f"invalid memory limit {text!r}",
            hint="give a positive number with a unit, such as 2GB or 500MB",
            exit_code=2,
        )
    return text


@contextmanager
def money_in_range() -> Iterator[None]:
    """Raise a UserError when an amount overflows MONEY, instead of DuckDB's error."""
    try:
        yield
    except (duckdb.ConversionException, duckdb.OutOfRangeException) as error:
        # Casts name the type, DECIMAL(18,6); overflowing arithmetic only its width.
        width = MONEY.split(",")[0]
        if width not in str(error):
            raise
        raise UserError(
            codes.MONEY_OUT_OF_RANGE,
            f"an amount is too large for nrrgov's money type {MONEY}: {str(error).splitlines()[0]}",
            hint=(
                "MRR, per account and month and summed over all accounts, must stay under "
                "10^12 in the reporting currency. Check for amounts in cents read as whole "
                "units ('amount_units: minor' in sources.yml), or report in a currency "
                "with a larger unit"
            ),
        ) from None


def _connect(config: dict) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(config=config)
    except duckdb.Error as error:
        raise UserError(
            "NRG003",
            f"invalid memory limit {config.get('memory_limit')!r}: {error}",
            hint="give a number with a unit, such as 2GB or 500MB",
            exit_code=2,
        ) from None


def _compute_on(con, ctx, requested_as_of, out_dir, step) -> ComputeResult:
    step("ingest")
    summary = ingest(con, ctx)
    # Ingest numbers rows by their position in the file, so the order of inserted rows
    # matters until here. Later stages order explicitly where it matters, and letting
    # DuckDB drop insertion order frees it to build and write tables in parallel.
    con.execute("SET preserve_insertion_order = false")
    ctx = replace(ctx, as_of=resolve_as_of(con, ctx, requested_as_of))

    normalize, analytics = plan_pipelines(ctx)
    with money_in_range():
        step("normalize")
        scratch = [s.table for s in normalize.statements if s.table.startswith("normalize_")]
        normalize.run(con, release=scratch)
        validate_revenue(con, ctx)
        step("reconcile")
        reconciliation = reconcile(con, ctx)
        step("analytics")
        analytics.run(con, release=_ANALYTICS_RELEASE)

        # Health runs first because play entry criteria and at-risk MRR read health bands.
        step("health")
        compute_health(con, ctx)
        step("plays")
        compute_plays(con, ctx)
    results = headline_figures(con, ctx, summary, reconciliation)
    results["health"] = health_figures(con)
    results["nrrgov_version"] = __version__
    results["definitions_commit"] = _git_commit(ctx.project.root)

    step("write")
    with staged_output(out_dir) as staging:
        table_rows = write_tables(con, staging / "tables")
        results["table_rows"] = table_rows
        write_json(staging / "results.json", results)
        step("report")
        _render_report(staging, ctx)
    return ComputeResult(out_dir, ctx.as_of, results, table_rows, summary)


def _render_report(out_dir: Path, ctx: EngineContext) -> None:
    # Imported here so that the engine does not depend on Jinja2 for library callers
    # that only want tables.
    from nrrgov.report.render import render_report

    render_report(out_dir, ctx.project)


def _git_commit(root: Path) -> str | None:
    """Return the HEAD commit of the definitions' git repository, or None outside one."""
    try:
        completed = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() or None if completed.returncode == 0 else None
