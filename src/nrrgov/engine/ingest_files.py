"""Find a source's files and read each into a raw table of text columns.

A raw table has one VARCHAR column per file column, named ``c1``, ``c2``, ... in file
order, so that header names that are not valid identifiers cannot break the SQL. Its
``row`` expression gives the data row: row 1 is the first record after the header (the
file's second line unless a quoted value spans lines). Values are typed later, where a
failing value can be reported with its row.

A CSV file is read into a temporary table, because reading it is what finds malformed
lines. A Parquet file gets a view instead, so its pages are read only by the statements
that type and check the values; :func:`parquet_read_errors` reports a damaged file then.

Problems with the shape of a file are reported by physical line (``line N``, the header
being line 1), because that is what a text editor shows. Problems with a value are
reported by data row.
"""

from __future__ import annotations

import csv
import difflib
import glob
import itertools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from nrrgov.engine import ingest_codes as codes
from nrrgov.errors import Location, UserError
from nrrgov.spec.sources import SourceSpec

logger = logging.getLogger(__name__)

_HEADER_PROBE_BYTES = 1 << 20
_MAX_DETAILS = 20
_TEMPORAL_TYPES = ("DATE", "TIMESTAMP")
# The 0-based record number that read_parquet adds with file_row_number = true.
_PARQUET_ROW = "file_row_number"
_reader_ids = itertools.count(1)


@dataclass(frozen=True)
class RawFile:
    """One file read into a raw table.

    Attributes:
        path: the file, as it appears in messages and in the ``_file`` column.
        table: the raw table in the connection.
        header: the file's column names in order; column ``i`` is raw column ``c{i+1}``.
        rows: data rows read.
        row: SQL over the raw table giving each record's data row.
        view: whether the raw table is a view rather than a table.
    """

    path: str
    table: str
    header: tuple[str, ...]
    rows: int
    row: str = "rowid + 1"
    view: bool = False

    def drop(self) -> str:
        """Return the statement that removes the raw table."""
        return f"DROP {'VIEW' if self.view else 'TABLE'} {self.table}"


def resolve_files(data_dir: Path, spec: SourceSpec) -> list[Path]:
    """Return the files a source names, sorted; a glob may match several.

    Raises:
        UserError: the file is missing or the glob matches no file.
    """
    pattern = str(data_dir / spec.path)
    if glob.has_magic(spec.path):
        matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
        files = [path for path in matches if path.is_file()]
        if not files:
            raise UserError(
                codes.FILE_NOT_FOUND,
                f"no file matches the path {spec.path!r} of source {spec.name!r}",
                where=Location(pattern),
                hint=f"check the pattern and the data folder {str(data_dir)!r}",
            )
        return files

    path = Path(pattern)
    if not path.is_file():
        raise UserError(
            codes.FILE_NOT_FOUND,
            f"file {spec.path!r} of source {spec.name!r} not found",
            where=Location(pattern),
            hint=_missing_file_hint(path, data_dir),
        )
    return [path]


def _missing_file_hint(path: Path, data_dir: Path) -> str:
    siblings = [p.name for p in path.parent.iterdir()] if path.parent.is_dir() else []
    close = difflib.get_close_matches(path.name, siblings, n=1)
    if close:
        return f"did you mean {close[0]!r}? Paths are relative to the data folder"
    return f"paths are relative to the data folder {str(data_dir)!r}; set 'path' in sources.yml"


def read_file(con: duckdb.DuckDBPyConnection, path: Path, spec: SourceSpec) -> RawFile:
    """Read one CSV or Parquet file into a new raw table in ``con``.

    Raises:
        UserError: the file is empty, not UTF-8, not valid CSV or Parquet, or has rows
            with more or fewer fields than its header.
    """
    table = f"_raw_{next(_reader_ids)}"
    if spec.file_format == "parquet":
        header = _read_parquet(con, path, spec, table)
        row, view = f"{_PARQUET_ROW} + 1", True
    else:
        header = _read_csv(con, path, spec, table)
        row, view = "rowid + 1", False
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    logger.info("read %d rows from %s", rows, path)
    return RawFile(str(path), table, header, rows, row, view)


def _read_csv(con, path: Path, spec: SourceSpec, table: str) -> tuple[str, ...]:
    header = read_header(path, spec.delimiter)
    columns = {f"c{i}": "VARCHAR" for i in range(1, len(header) + 1)}
    rejects, scans = f"{table}_rejects", f"{table}_scans"

    # Every value is read as text so that typing can report the row of a bad value.
    # strict_mode rejects rows with more fields than the header, because with it off
    # DuckDB 2.0 drops the extra fields and keeps the row. null_padding off rejects rows
    # with fewer fields. Rejected rows go to the rejects table, read below.
    options = (
        f"header = true, delim = {literal(spec.delimiter)}, quote = '\"', escape = '\"', "
        f"columns = {columns}, auto_detect = false, strict_mode = true, "
        "null_padding = false, encoding = 'utf-8', store_rejects = true, "
        f"rejects_table = '{rejects}', rejects_scan = '{scans}'"
    )
    try:
        con.execute(
            f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv({literal(str(path))}, {options})"
        )
    except duckdb.Error as error:
        hint = "check that the file is CSV with the delimiter set in sources.yml"
        if _mixed_line_endings(path):
            hint = "save the export with one kind of line ending, LF or CRLF, on every line"
        raise UserError(
            codes.MALFORMED_CSV,
            f"could not read the file as CSV: {str(error).splitlines()[0]}",
            where=Location(str(path)),
            hint=hint,
        ) from None

    _raise_on_rejects(con, path, spec, rejects, len(header))
    con.execute(f"DROP TABLE IF EXISTS {rejects}")
    con.execute(f"DROP TABLE IF EXISTS {scans}")
    return header


def read_header(path: Path, delimiter: str) -> tuple[str, ...]:
    """Return the column names of a CSV file's first line, without a byte order mark.

    Raises:
        UserError: the file is empty, its first line is not UTF-8, or it names a column
            twice or leaves a name empty.
    """
    with path.open("rb") as handle:
        probe = handle.read(_HEADER_PROBE_BYTES)
    if b"\r" in probe.rstrip(b"\r") and b"\n" not in probe:
        raise UserError(
            codes.MALFORMED_CSV,
            "the lines end in a carriage return alone (CR), which the CSV reader does not read",
            where=Location(str(path), line=1),
            hint="save the export with LF or CRLF line endings",
        )
    first_line = probe.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            codes.NOT_UTF8,
            f"the header is not UTF-8 text (byte {first_line[error.start]:#04x})",
            where=Location(str(path), line=1),
            hint="save the export as UTF-8",
        ) from None
    if not text.strip():
        raise UserError(
            codes.EMPTY_FILE,
            "the file is empty: expected a header line naming the columns",
            where=Location(str(path), line=1),
            hint="export the file again with its header, or remove it from the source",
        )

    header = tuple(name.strip() for name in next(csv.reader([text], delimiter=delimiter)))
    _check_header_names(path, header)
    return header


def _check_header_names(path: Path, header: tuple[str, ...]) -> None:
    for position, name in enumerate(header, start=1):
        if not name:
            raise UserError(
                codes.MALFORMED_CSV,
                f"column {position} of the header has no name",
                where=Location(str(path), line=1),
                hint="name every column in the header, or remove a trailing delimiter",
            )
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise UserError(
            codes.MALFORMED_CSV,
            f"the header names a column more than once: {', '.join(map(repr, duplicates))}",
            where=Location(str(path), line=1),
            hint="rename the repeated columns so that each name is unique",
        )


def _raise_on_rejects(con, path: Path, spec: SourceSpec, rejects: str, fields: int) -> None:
    rows = con.execute(
        f"SELECT line, any_value(error_type), any_value(csv_line), any_value(error_message) "
        f"FROM {rejects} GROUP BY line ORDER BY line"
    ).fetchall()
    if not rows:
        return

    physical = _physical_lines(path, spec.delimiter, max(row[0] for row in rows[:_MAX_DETAILS]))
    rows = [(physical.get(line, line), *rest) for line, *rest in rows]
    problems = [_describe_reject(spec, fields, *row) for row in rows]
    line, error_type = rows[0][0], rows[0][1]
    if "ENCODING" in error_type or "UNICODE" in error_type:
        raise UserError(
            codes.NOT_UTF8,
            f"line {line} is not UTF-8 text",
            where=Location(str(path), line=line),
            hint="save the export as UTF-8 (for example with iconv -f latin1 -t utf-8)",
            details=_cap(problems),
        )
    raise UserError(
        codes.MALFORMED_CSV,
        problems[0],
        where=Location(str(path), line=line),
        hint=(
            f"check the delimiter (sources.yml has {spec.delimiter!r}) and quote values "
            "that contain it; numbers with thousands separators such as 4,800,000 must "
            "be written without them (4800000)"
        ),
        details=_cap(problems),
    )


def _describe_reject(spec: SourceSpec, fields: int, line, error_type, csv_line, message) -> str:
    if error_type in ("TOO MANY COLUMNS", "MISSING COLUMNS") and csv_line is not None:
        # DuckDB's copy of the line can start with the break of a blank line before it.
        text = csv_line.strip("\r\n")
        try:
            found = len(next(csv.reader([text], delimiter=spec.delimiter), []))
        except csv.Error:
            return f"line {line} has a field count other than the header's {fields}: {text!r}"
        return f"line {line} has {found} fields but the header has {fields}: {text!r}"
    return f"line {line}: {message}"


def _physical_lines(path: Path, delimiter: str, last_record: int) -> dict[int, int]:
    """Return the line each CSV record up to ``last_record`` starts on, by record number.

    DuckDB numbers a rejected row by records, counting the header as 1, so a quoted value
    that spans lines shifts every later number away from the line an editor shows.
    """
    starts = {}
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as stream:
        reader = csv.reader(stream, delimiter=delimiter)
        line = 1
        try:
            for record, _ in enumerate(reader, start=1):
                starts[record] = line
                line = reader.line_num + 1
                if record >= last_record:
                    break
        except csv.Error:
            # Past a line Python's reader rejects, DuckDB's own numbers stand.
            pass
    return starts


def _mixed_line_endings(path: Path) -> bool:
    """Return whether the start of the file has lines ending in both LF and CRLF."""
    with path.open("rb") as handle:
        probe = handle.read(_HEADER_PROBE_BYTES)
    crlf = probe.count(b"\r\n")
    return 0 < crlf < probe.count(b"\n")


def _cap(lines: list[str]) -> list[str]:
    if len(lines) <= _MAX_DETAILS:
        return lines
    return [*lines[:_MAX_DETAILS], f"... and {len(lines) - _MAX_DETAILS} more"]


def _read_parquet(con, path: Path, spec: SourceSpec, table: str) -> tuple[str, ...]:
    source = f"read_parquet({literal(str(path))}, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except duckdb.BinderException as error:
        if _PARQUET_ROW not in str(error):
            raise
        raise UserError(
            codes.MALFORMED_CSV,
            f"the file has a column named {_PARQUET_ROW!r}, which nrrgov reserves for the "
            "row numbers of Parquet files",
            where=Location(str(path)),
            hint=f"rename or drop the column {_PARQUET_ROW!r} in the export",
        ) from None
    except duckdb.Error as error:
        raise UserError(
            codes.MALFORMED_CSV,
            f"could not read the file as Parquet: {error}",
            where=Location(str(path)),
            hint="check that the file is Parquet, or set 'format: csv' in sources.yml",
        ) from None

    columns = [(name, kind) for name, kind, *_ in described if name != _PARQUET_ROW]
    selects = [
        f"{_as_text(identifier(name), kind, spec.date_format)} AS c{i}"
        for i, (name, kind) in enumerate(columns, start=1)
    ]
    con.execute(
        f"CREATE TEMP VIEW {table} AS SELECT {', '.join(selects)}, {_PARQUET_ROW} FROM {source}"
    )
    return tuple(name for name, _ in columns)


@contextmanager
def parquet_read_errors(raws: list[RawFile]) -> Iterator[None]:
    """Raise a UserError naming the Parquet file when reading a raw view fails.

    DuckDB can describe a file from its footer even when its pages are damaged. The
    failure comes later, from a statement over the views, whose message names no row.
    Damaged pages surface as several kinds of error, so any error but one that points
    at the SQL itself (binding, parsing, a missing table) is taken as the file's.
    """
    try:
        yield
    except (duckdb.BinderException, duckdb.ParserException, duckdb.CatalogException):
        raise
    except duckdb.Error as error:
        views = [raw for raw in raws if raw.view]
        if not views:
            raise
        raw = next((r for r in views if r.path in str(error)), views[0])
        raise UserError(
            codes.MALFORMED_CSV,
            f"could not read the file as Parquet: {error}",
            where=Location(raw.path),
            hint="export the file again: it may be truncated or damaged",
        ) from None


def _as_text(column: str, kind: str, date_format: str | None) -> str:
    # DuckDB renders a timestamp with time zone in the session's zone, which follows the
    # machine's. In UTC, the same file gives the same dates on every machine.
    if kind == "TIMESTAMP WITH TIME ZONE":
        column = f"timezone('UTC', {column})"
    # Dates stored as Parquet dates are written back in the source's date_format, so the
    # one parser used for CSV text reads them too.
    if date_format and kind.startswith(_TEMPORAL_TYPES):
        return f"strftime({column}, {literal(date_format)})"
    return f"CAST({column} AS VARCHAR)"


def identifier(name: str) -> str:
    """Quote ``name`` as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """Quote ``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
