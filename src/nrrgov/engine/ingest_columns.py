"""Map a file's columns onto a canonical table's columns, still as text.

A canonical column is read from the file column that ``columns`` names for it, or else
from the column of its own name. File column names match exactly or, failing that,
ignoring case. ``constants`` fill a column the export lacks, and its empty cells when it
has the column. ``value_maps`` then replace export values with canonical ones, matching
keys ignoring case and surrounding spaces. Every value is trimmed, and an empty value is
NULL.
"""

from __future__ import annotations

import difflib
import logging

from nrrgov.engine import ingest_codes as codes
from nrrgov.engine.ingest_files import RawFile, identifier, literal
from nrrgov.errors import Location, UserError
from nrrgov.spec.sources import CANONICAL_TABLES, SourceSpec, column_position

logger = logging.getLogger(__name__)

_OTHER_DELIMITERS = (";", "\t", "|")


def staged_select(raw: RawFile, spec: SourceSpec) -> str:
    """Return a SELECT over ``raw`` giving ``_file``, ``_row`` and the canonical columns.

    For ``accounts``, every file column that no canonical column reads is kept too, under
    its header name (or the name ``columns`` gives it), because extra account columns
    are dimensions.

    Raises:
        UserError: a required column is neither in the file nor in ``constants``, or a
            column that ``columns`` names is not in the file.
    """
    selects = [f"{literal(raw.path)} AS _file", f"{raw.row} AS _row"]
    used: set[int] = set()
    for column, (_, required) in CANONICAL_TABLES[spec.name].items():
        position = _find_column(raw, spec, column, required)
        if position is not None:
            used.add(position)
        selects.append(f"{_column_value(spec, column, position)} AS {identifier(column)}")

    if spec.name == "accounts":
        selects.extend(_extra_account_columns(raw, spec, used))
    return f"SELECT {', '.join(selects)} FROM {raw.table}"


def _find_column(raw: RawFile, spec: SourceSpec, column: str, required: bool) -> int | None:
    """Return the 1-based position of the file column that fills ``column``, if any."""
    file_column = spec.columns.get(column, column)
    position = column_position(raw.header, file_column)
    if position is not None:
        return position

    named_explicitly = column in spec.columns
    if named_explicitly or (required and column not in spec.constants):
        raise _missing_column_error(raw, spec, column, file_column)
    return None


def _column_value(spec: SourceSpec, column: str, position: int | None) -> str:
    value = "CAST(NULL AS VARCHAR)"
    if position is not None:
        value = f"NULLIF(TRIM(c{position}), '')"
    if column in spec.constants:
        constant = literal(str(spec.constants[column]))
        value = constant if position is None else f"COALESCE({value}, {constant})"
    return _mapped(value, spec.value_maps.get(column))


def _mapped(value: str, value_map: dict[str, str] | None) -> str:
    if not value_map:
        return value
    cases = " ".join(
        f"WHEN {literal(key.strip().lower())} THEN {literal(str(target))}"
        for key, target in value_map.items()
    )
    return f"CASE lower({value}) {cases} ELSE {value} END"


def _extra_account_columns(raw: RawFile, spec: SourceSpec, used: set[int]) -> list[str]:
    canonical = CANONICAL_TABLES["accounts"]
    selects = []

    # Dimensions that ``columns`` renames: ``industry_name: Industry``.
    for column, file_column in spec.columns.items():
        if column in canonical:
            continue
        position = column_position(raw.header, file_column)
        if position is None:
            raise _missing_column_error(raw, spec, column, file_column)
        used.add(position)
        selects.append(f"{_column_value(spec, column, position)} AS {identifier(column)}")

    for position, name in enumerate(raw.header, start=1):
        if position in used:
            continue
        if name in canonical or name in spec.columns:
            logger.warning(
                "%s: column %r is not read because another column fills %r",
                raw.path,
                name,
                name,
            )
            continue
        selects.append(f"{_column_value(spec, name, position)} AS {identifier(name)}")
    return selects


def _missing_column_error(
    raw: RawFile, spec: SourceSpec, column: str, file_column: str
) -> UserError:
    found = ", ".join(raw.header)
    close = difflib.get_close_matches(file_column.lower(), [h.lower() for h in raw.header], n=1)
    if close:
        match = next(h for h in raw.header if h.lower() == close[0])
        hint = f"did you mean {match!r}? Map it with 'columns: {{{column}: {match}}}'"
    else:
        hint = (
            f"map the export's column with 'columns: {{{column}: <name>}}' in sources.yml, "
            f"or give a value for every row with 'constants: {{{column}: <value>}}'"
        )
    if len(raw.header) == 1:
        delimiter = next((d for d in _OTHER_DELIMITERS if d in raw.header[0]), None)
        if delimiter is not None:
            hint = (
                f"the header reads as one column, so the file seems delimited by "
                f"{delimiter!r}: set 'delimiter: {delimiter!r}' in sources.yml"
            )
    return UserError(
        codes.MISSING_COLUMN,
        f"column {file_column!r} for {spec.name}.{column} not found; the file has: {found}",
        where=Location(raw.path, line=1),
        hint=hint,
    )
