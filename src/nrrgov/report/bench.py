"""Time a report build on the output of an earlier run, for the benchmarks page."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from nrrgov.loader import Project
from nrrgov.report.render import PAGES, render_report

# Files a page loads: its style sheet and scripts, all inside the report folder.
_LOADED = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(assets/[^"]+)"')


@dataclass(frozen=True)
class ReportTiming:
    """How long a report build took and how large each page is.

    Attributes:
        seconds: wall-clock time of :func:`render_report`, including the first build of
            the Vega bundle in this process.
        page_bytes: page file -> bytes of the page plus every file it loads.
    """

    seconds: float
    page_bytes: dict[str, int]

    @property
    def largest_page_bytes(self) -> int:
        """The bytes a browser reads for the heaviest page."""
        return max(self.page_bytes.values(), default=0)


def time_report(out_dir: Path, project: Project) -> ReportTiming:
    """Rebuild ``out_dir/report/`` from the tables already in ``out_dir`` and time it.

    Raises:
        UserError: when ``out_dir`` contains no results of an earlier run.
    """
    started = time.perf_counter()
    index = render_report(out_dir, project)
    seconds = time.perf_counter() - started
    return ReportTiming(seconds, page_sizes(index.parent))


def page_sizes(report_dir: Path) -> dict[str, int]:
    """Bytes of each page of a built report plus the files it loads."""
    sizes = {}
    for page in PAGES:
        path = report_dir / page.file
        loaded = set(_LOADED.findall(path.read_text(encoding="utf-8")))
        sizes[page.file] = path.stat().st_size + sum(
            (report_dir / name).stat().st_size for name in loaded
        )
    return sizes
