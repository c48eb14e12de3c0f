"""The one error type for bad input, shown to users without a traceback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a problem sits: a YAML node (line, column) or a data cell (row, column name).

    Lines, columns and rows are 1-based. For data files ``row`` counts data rows after the
    header, so row 1 is the second line of a CSV file.
    """

    path: str
    line: int | None = None
    col: int | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.col is not None:
                text += f":{self.col}"
        if self.row is not None:
            text += f": row {self.row}"
        if self.column is not None:
            text += f", column {self.column!r}"
        return text


class UserError(Exception):
    """Bad input, configuration or data: the user can fix it, so no traceback is shown.

    Attributes:
        code: stable identifier such as ``NRG301``.
        message: what was found, quoting the bad value.
        where: the file and line or row, when known.
        hint: what to do about it.
        exit_code: 1 for findings in data and definitions, 2 for command-line usage.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        where: Location | None = None,
        hint: str | None = None,
        exit_code: int = 1,
        details: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.where = where
        self.hint = hint
        self.exit_code = exit_code
        self.details = details or []

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.code} {self.message}"
