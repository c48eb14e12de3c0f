"""``nrrgov report``: rebuild the HTML report from the tables of an earlier run."""

from __future__ import annotations

from pathlib import Path

from nrrgov.cli import output
from nrrgov.cli.options import OutOption, ProjectOption, require_project_dir
from nrrgov.loader import load_project
from nrrgov.report.render import render_report


@output.reports_user_errors
def run(project: ProjectOption = Path("."), out: OutOption = None) -> None:
    """Rebuild report/ inside the output folder from its tables and results.json.

    Exit codes: 0 done, 1 no results to read, 2 usage error.
    """
    loaded = load_project(require_project_dir(project))
    out_dir = out or loaded.root / loaded.config.out
    target = render_report(Path(out_dir), loaded)
    output.stdout().print(f"Report: {target}", markup=False)
