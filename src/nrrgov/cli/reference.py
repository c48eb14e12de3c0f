"""The command-line reference page, generated from each command's ``--help``.

``python -m nrrgov.cli.reference > docs/cli.md`` rewrites the page; a test checks that
the committed page matches, so the reference cannot drift from the code.
"""

from __future__ import annotations

import os

import typer
from typer.testing import CliRunner

from nrrgov.cli.app import app

# A fixed width and no colour make the help text the same on every machine.
HELP_ENVIRONMENT = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def command_paths() -> list[list[str]]:
    """Return every command as its argument path, sub-apps included, in declaration order."""
    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]
    for name, command in root.commands.items():
        paths.append([name])
        for sub_name in getattr(command, "commands", {}):
            paths.append([name, sub_name])
    return paths


def render_reference() -> str:
    """Return the Markdown reference: the ``--help`` text of every command."""
    runner = CliRunner(env=HELP_ENVIRONMENT)
    sections = [
        "# Command-line reference\n",
        "Generated from `--help` by `python -m nrrgov.cli.reference`; do not edit by hand.\n",
    ]
    for path in command_paths():
        result = runner.invoke(app, [*path, "--help"], terminal_width=100)
        title = " ".join(["nrrgov", *path])
        text = "\n".join(line.rstrip() for line in result.stdout.splitlines()).strip("\n")
        sections.append(f"## `{title}`\n\n```text\n{text}\n```\n")
    return "\n".join(sections)


if __name__ == "__main__":
    os.environ.update(HELP_ENVIRONMENT)
    print(render_reference(), end="")
