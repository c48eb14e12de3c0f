"""``nrrgov compute``: compute every table from the exports and write the report."""

from __future__ import annotations

from pathlib import Path

import typer

from nrrgov.cli import output
from nrrgov.cli.options import (
    AsOfOption,
    DataOption,
    MemoryLimitOption,
    OutOption,
    ProjectOption,
    parse_month,
    require_project_dir,
)
from nrrgov.engine.run import STEPS, compute
from nrrgov.lint.formats import format_text
from nrrgov.lint.runner import lint_project


@output.reports_user_errors
def run(
    project: ProjectOption = Path("."),
    data: DataOption = None,
    as_of: AsOfOption = None,
    out: OutOption = None,
    memory_limit: MemoryLimitOption = None,
) -> None:
    """Compute every table from the exports and write tables, results.json and the report.

    Ingests the exports; computes MRR, movements, retention, cohorts, metrics, plays and
    health; and writes the tables as Parquet and CSV. The output folder is replaced only
    when the whole run succeeds. Exit codes: 0 done, 1 invalid definitions or data,
    2 usage error.
    """
    root = require_project_dir(project)
    month = parse_month(as_of)
    _stop_on_lint_errors(root)
    with output.step_progress(STEPS, "compute") as on_step:
        result = compute(
            root,
            data_dir=data,
            as_of=month,
            out_dir=out,
            on_step=on_step,
            memory_limit=memory_limit,
        )
    output.print_compute_summary(result.results, str(result.out_dir))


def _stop_on_lint_errors(root: Path) -> None:
    # Definitions that fail lint would compute numbers that were never approved, so compute
    # rejects them with the same findings lint prints. Warnings do not stop the run.
    result = lint_project(root)
    if result.errors:
        output.stderr().print(format_text(result), markup=False, soft_wrap=True)
        output.stderr().print("compute stopped: fix the lint errors above first", markup=False)
        raise typer.Exit(1)
