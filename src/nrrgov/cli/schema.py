"""``nrrgov schema``: JSON Schemas of the YAML file kinds, for editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from nrrgov.cli import output
from nrrgov.spec import FILE_KINDS


@output.reports_user_errors
def run(
    kind: Annotated[
        str | None,
        typer.Argument(help=f"File kind to print: one of {', '.join(FILE_KINDS)}. Default: all."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder to write <kind>.schema.json files into, instead of printing.",
        ),
    ] = None,
) -> None:
    """Print or write the JSON Schema of each YAML file kind (draft 2020-12)."""
    kinds = FILE_KINDS if kind is None else {kind: FILE_KINDS.get(kind)}
    if None in kinds.values():
        output.stderr().print(
            f"unknown kind {kind!r}; expected one of: {', '.join(FILE_KINDS)}", markup=False
        )
        raise typer.Exit(2)
    schemas = {name: model.model_json_schema() for name, model in kinds.items()}
    if out is None:
        payload = schemas if kind is None else schemas[kind]
        typer.echo(json.dumps(payload, indent=2))
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (out / f"{name}.schema.json").write_text(json.dumps(schema, indent=2) + "\n")
    output.stdout().print(f"Wrote {len(schemas)} schemas to {out}", markup=False)
