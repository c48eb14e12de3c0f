"""The committed CLI reference matches ``--help``, and every option explains itself."""

from __future__ import annotations

import typer

from conftest import REPO
from nrrgov.cli.app import app
from nrrgov.cli.reference import render_reference


def test_reference_page_is_current(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")

    assert render_reference() == committed, (
        "docs/cli.md is stale: run '.venv/bin/python -m nrrgov.cli.reference > docs/cli.md'"
    )


def test_every_option_has_help():
    root = typer.main.get_command(app)
    commands = [root]
    for command in root.commands.values():
        commands.append(command)
        commands.extend(getattr(command, "commands", {}).values())

    undocumented = [
        f"{command.name} {parameter.name}"
        for command in commands
        for parameter in command.params
        if parameter.param_type_name == "option" and not parameter.help
    ]
    assert undocumented == []


def test_every_command_has_help():
    root = typer.main.get_command(app)

    missing = [name for name, command in root.commands.items() if not command.help]
    assert missing == []
