"""Rebuild the report of an earlier run and print how long it took, as JSON.

Usage::

    python -m nrrgov.report --project . --out target

It reads the tables ``nrrgov compute`` wrote into the output folder and rewrites only
``report/``, so the time covers the report alone. The JSON on stdout contains
``seconds``, ``largest_page_bytes`` and ``page_bytes`` (each page plus the files it
loads).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nrrgov.errors import UserError
from nrrgov.loader import load_project
from nrrgov.report.bench import time_report


def main(argv: list[str] | None = None) -> int:
    """Run the timed rebuild; return the process exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m nrrgov.report", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--project", type=Path, default=Path("."), help="definitions repository")
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder of the run (default: the project's)"
    )
    arguments = parser.parse_args(argv)
    try:
        project = load_project(arguments.project)
        out_dir = arguments.out or project.root / project.config.out
        timing = time_report(out_dir, project)
    except UserError as error:
        print(error, file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)
        return 1
    summary = {
        "seconds": round(timing.seconds, 3),
        "largest_page_bytes": timing.largest_page_bytes,
        "page_bytes": timing.page_bytes,
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
