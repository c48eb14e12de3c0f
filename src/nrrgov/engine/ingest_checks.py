"""Find duplicate keys and failing rows in a typed source; raise or quarantine them."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import duckdb

from nrrgov.engine import ingest_codes as codes
from nrrgov.engine.ingest_files import identifier, literal
from nrrgov.engine.ingest_values import RowCheck
from nrrgov.errors import Location, UserError
from nrrgov.spec.sources import SourceSpec, column_position

logger = logging.getLogger(__name__)

_MAX_DETAILS = 20

QUARANTINE_COLUMNS = (
    'source VARCHAR, file VARCHAR, "row" BIGINT, "column" VARCHAR, value VARCHAR, reason VARCHAR'
)


def check_duplicate_keys(con: duckdb.DuckDBPyConnection, spec: SourceSpec, typed: str) -> None:
    """Raise when two rows share a primary key, naming both rows and the key.

    Keys compare typed values, so ``2024-03-01`` and ``2024-03-15`` are the same month of
    an fx or MRR export. Rows with an empty key column are left to the row checks.

    Raises:
        UserError: a structural error under either ``on_invalid`` setting, because
            picking one of the rows would silently drop the other.
    """
    if not spec.key:
        return
    key = [f"v_{column}" for column in spec.key]
    present = " AND ".join(f"{identifier(column)} IS NOT NULL" for column in key)
    # A plain grouping finds out cheaply whether any key repeats; collecting the file and
    # row lists of every key costs seconds on millions of rows, so it runs only then.
    repeated = con.execute(
        f"SELECT 1 FROM {typed} WHERE {present} GROUP BY {', '.join(map(identifier, key))} "
        "HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if repeated is None:
        return
    duplicates = con.execute(
        f"SELECT {', '.join(map(identifier, key))}, "
        "list(_file ORDER BY _file, _row), list(_row ORDER BY _file, _row) "
        f"FROM {typed} WHERE {present} GROUP BY ALL HAVING count(*) > 1 "
        "ORDER BY min(_file), min(_row)"
    ).fetchall()
    if not duplicates:
        return

    descriptions = [_describe_duplicate(spec, row) for row in duplicates]
    first_key_files, first_key_rows = duplicates[0][-2], duplicates[0][-1]
    raise UserError(
        codes.DUPLICATE_KEY,
        descriptions[0],
        where=Location(first_key_files[1], row=first_key_rows[1], column=spec.key[0]),
        hint=(
            "each key must appear once; remove the outdated copy (an appended export "
            "repeats a row when it changes, for example when it gets an end date)"
        ),
        details=_cap(descriptions),
    )


def _describe_duplicate(spec: SourceSpec, row: tuple) -> str:
    key_values, files, rows = row[:-2], row[-2], row[-1]
    key_names = ", ".join(spec.key)
    if len(key_values) == 1:
        key_text = repr(str(key_values[0]))
    else:
        key_text = str(tuple(map(str, key_values)))
    if len(set(files)) == 1:
        places = f"rows {', '.join(map(str, rows))} of {files[0]}"
    else:
        places = ", ".join(f"row {r} of {f}" for f, r in zip(files, rows, strict=True))
    return f"duplicate {spec.name} key ({key_names}) {key_text} in {places}"


def collect_problems(con: duckdb.DuckDBPyConnection, typed: str, checks: list[RowCheck]) -> str:
    """Create a table of every failing (row, check) pair; return its name."""
    table = f"{typed}_problems"
    if not checks:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {_no_problems()}")
        return table

    # One scan finds the rows that fail any check. Those rows are few, so the per-check
    # selects then run on them alone instead of scanning every row once per check.
    failing = f"{typed}_failing"
    any_check = " OR ".join(f"({check.failing})" for check in checks)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {failing} AS FROM {typed} WHERE {any_check}")
    selects = [
        f"SELECT {index} AS check_index, _file, _row, {literal(check.column)} AS problem_column, "
        f"CAST({identifier(check.column)} AS VARCHAR) AS value, "
        f"{literal(check.reason)} AS reason FROM {failing} WHERE {check.failing}"
        for index, check in enumerate(checks)
    ]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {' UNION ALL '.join(selects)}")
    con.execute(f"DROP TABLE {failing}")
    return table


def _no_problems() -> str:
    return (
        "SELECT 0 AS check_index, '' AS _file, CAST(0 AS BIGINT) AS _row, '' AS problem_column, "
        "'' AS value, '' AS reason WHERE false"
    )


def raise_or_quarantine(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    problems: str,
    checks: list[RowCheck],
    headers: Mapping[str, Sequence[str]],
) -> int:
    """Raise on failing rows unless the source quarantines them; return rows quarantined.

    ``headers`` gives each file's column names, so that an error names a column as the
    file spells it.

    Raises:
        UserError: with ``on_invalid: error``, for the first failing row in file order,
            listing the others in ``details``.
    """
    always = [i for i, check in enumerate(checks) if check.always_quarantine]
    if spec.on_invalid == "error":
        excluded = f"check_index NOT IN ({', '.join(map(str, always))})" if always else "true"
        failures = con.execute(
            f"SELECT check_index, _file, _row, problem_column, value FROM {problems} "
            f"WHERE {excluded} ORDER BY _file, _row, check_index LIMIT {_MAX_DETAILS}"
        ).fetchall()
        if failures:
            total = con.execute(f"SELECT count(*) FROM {problems} WHERE {excluded}").fetchone()
            raise _row_error(spec, checks, failures, total[0], headers)

    con.execute(
        f"INSERT INTO quarantine_ingest SELECT {literal(spec.name)}, _file, _row, "
        f"problem_column, value, reason FROM {problems} ORDER BY _file, _row, check_index"
    )
    quarantined = con.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT _file, _row FROM {problems})"
    ).fetchone()[0]
    if quarantined:
        logger.warning("quarantined %d rows of source %s", quarantined, spec.name)
    return quarantined


def _row_error(
    spec: SourceSpec,
    checks: list[RowCheck],
    failures: list[tuple],
    total: int,
    headers: Mapping[str, Sequence[str]],
) -> UserError:
    index, file, row, column, value = failures[0]
    check = checks[index]
    details = [
        f"{f}: row {r}, column {_file_column(spec, c, headers.get(f, ()))!r}: "
        f"{checks[i].reason}: {v!r}"
        for i, f, r, c, v in failures
    ]
    if total > len(failures):
        details.append(f"... and {total - len(failures)} more")
    if total == 1:
        # The headline already names the one failing value, its row and its column.
        details = []
    hint = f"{check.hint}. "
    if total > 1:
        hint += f"{total} values fail; the first are listed below. "
    hint += "To set failing rows aside instead, set 'on_invalid: quarantine' on the source"
    return UserError(
        check.code,
        f"{check.reason}: {value!r}",
        where=Location(file, row=row, column=_file_column(spec, column, headers.get(file, ()))),
        hint=hint,
        details=details,
    )


def _file_column(spec: SourceSpec, column: str, header: Sequence[str]) -> str:
    """Return the column's name in the export, which is what the user can find in the file."""
    name = spec.columns.get(column, column)
    position = column_position(header, name)
    return header[position - 1] if position else name


def _cap(lines: list[str]) -> list[str]:
    if len(lines) <= _MAX_DETAILS:
        return lines
    return [*lines[:_MAX_DETAILS], f"... and {len(lines) - _MAX_DETAILS} more"]
