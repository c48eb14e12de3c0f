"""All terminal output: errors, progress and summaries. The only module that uses rich."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from nrrgov.errors import UserError

# Lines of an error's details printed on the terminal: enough to act on, without
# flooding it when, say, a far end date leaves thousands of fx rates missing.
_MAX_DETAILS = 200


@dataclass
class Settings:
    """Global flags, set by the app callback before any command runs."""

    debug: bool = False
    color: str = "auto"
    verbosity: int = 0


SETTINGS = Settings()


def _console(stderr: bool) -> Console:
    no_color = SETTINGS.color == "never" or (SETTINGS.color == "auto" and "NO_COLOR" in os.environ)
    force = True if SETTINGS.color == "always" else None
    return Console(stderr=stderr, no_color=no_color, force_terminal=force, highlight=False)


def stdout() -> Console:
    """Return a console on standard output, for results."""
    return _console(stderr=False)


def stderr() -> Console:
    """Return a console on standard error, for diagnostics."""
    return _console(stderr=True)


def configure_logging() -> None:
    """Route library logs to stderr at the level set by ``-v``/``-vv``."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(SETTINGS.verbosity, logging.DEBUG)
    handler = RichHandler(console=stderr(), show_path=False, show_time=False)
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)


def print_user_error(error: UserError) -> None:
    """Print ``path:line:col: CODE message`` and the hint to stderr."""
    console = stderr()
    where = f"{error.where}: " if error.where else ""
    # The message quotes values from the user's files, so it is never read as markup.
    headline = Text.assemble((f"{where}{error.code}", "bold red"), " ", error.message)
    console.print(headline, soft_wrap=True)
    for detail in error.details[:_MAX_DETAILS]:
        console.print(f"  {detail}", markup=False, soft_wrap=True)
    if len(error.details) > _MAX_DETAILS:
        console.print(f"  ... and {len(error.details) - _MAX_DETAILS} more", markup=False)
    if error.hint:
        console.print(f"  hint: {error.hint}", markup=False, soft_wrap=True)


def reports_user_errors(command: Callable) -> Callable:
    """Turn a ``UserError`` raised by ``command`` into a message and its exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as error:
            if SETTINGS.debug:
                raise
            print_user_error(error)
            raise typer.Exit(error.exit_code) from None

    return wrapper


@contextmanager
def step_progress(steps: tuple[str, ...], label: str) -> Iterator[Callable[[str], None]]:
    """Yield a callback that advances a progress bar; the bar shows only on a terminal."""
    console = stderr()
    if not console.is_terminal:
        yield lambda _name: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=len(steps))
        seen: list[str] = []

        def advance(name: str) -> None:
            if seen:
                progress.advance(task)
            seen.append(name)
            progress.update(task, description=f"{label}: {name}")

        yield advance


def print_compute_summary(results: dict, out_dir: str) -> None:
    """Print the one-screen summary of a compute run to stdout."""
    console = stdout()
    currency = results.get("reporting_currency", "")
    # Names, labels and paths come from the user's files, so none is read as markup.
    table = Table(
        title=Text(f"{results.get('project')} as of {results.get('as_of')}"),
        title_justify="left",
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("status")
    table.add_row("MRR", f"{_money(results.get('mrr'))} {currency}", "", "")
    table.add_row("Active accounts", f"{results.get('active_accounts') or 0:,}", "", "")
    for metric in results.get("metrics", []):
        table.add_row(
            Text(metric["label"]),
            _metric_value(metric, metric["value"], currency),
            _metric_value(metric, metric["target"], currency),
            (metric.get("status") or "").replace("_", " "),
        )
    table.add_row("Rows quarantined", f"{results.get('quarantined_rows', 0):,}", "", "")
    console.print(table)
    console.print(
        f"Results: {out_dir}/tables/, {out_dir}/results.json, {out_dir}/report/index.html",
        markup=False,
    )


def _metric_value(metric: dict, value, currency: str) -> str:
    if value is None:
        return "–"
    if metric.get("unit") == "currency":
        return f"{_money(value)} {currency}"
    if metric.get("unit") == "count":
        return f"{value:,.0f}"
    return f"{value * 100:.1f}%"


def _money(value) -> str:
    return "–" if value is None else f"{value:,.2f}"


def is_terminal() -> bool:
    """Return whether standard error is an interactive terminal."""
    return sys.stderr.isatty()
