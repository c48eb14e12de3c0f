"""The ``nrrgov`` command: global flags and the registry of subcommands."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from nrrgov import __version__
from nrrgov.cli import assess as assess_command
from nrrgov.cli import codeowners, compute, diff, init, lint, output, report, schema
from nrrgov.cli import compile as compile_command
from nrrgov.cli import plays as plays_command

app = typer.Typer(
    name="nrrgov",
    help="Metrics-as-code for Customer Success: lint governed definitions, compute NRR, "
    "GRR and MRR movements from billing exports, and render the report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nrrgov {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback on errors, for bug reports.")
    ] = False,
    verbose: Annotated[
        int,
        typer.Option("--verbose", "-v", count=True, help="Log more to stderr: -v info, -vv debug."),
    ] = 0,
    color: Annotated[
        Literal["auto", "always", "never"],
        typer.Option(
            "--color", help="Colour in terminal output: auto honours NO_COLOR and the terminal."
        ),
    ] = "auto",
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Set the global flags before the subcommand runs."""
    output.SETTINGS.debug = debug
    output.SETTINGS.verbosity = verbose
    output.SETTINGS.color = color
    output.configure_logging()


app.command("lint")(lint.run)
app.command("compute")(compute.run)
app.command("report")(report.run)
app.command("schema")(schema.run)
app.command("compile")(compile_command.run)

app.command("init")(init.run)
app.command("diff")(diff.run)
app.command("codeowners")(codeowners.run)
app.command("assess")(assess_command.run)
app.add_typer(plays_command.app, name="plays")


def main() -> None:
    """Entry point of the console script."""
    app()
