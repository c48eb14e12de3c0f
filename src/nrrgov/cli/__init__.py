"""The command-line interface: typer commands, one module each, with no business logic."""
