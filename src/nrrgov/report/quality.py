"""Shape the data quality page: input rows, quarantined rows and the reconciliation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nrrgov.report.tables import ReportTables, number

QUARANTINE_SAMPLE_ROWS = 100
QUARANTINE_COLUMNS = ("source", "file", "row", "column", "value", "reason")


def quality_data(tables: ReportTables, results: Mapping) -> dict:
    """Shape what the run read, what it rejected and how input reconciles with output.

    Args:
        tables: the run's tables; the ``quarantine`` table supplies the rejected rows.
        results: the run's ``results.json``, whose ``inputs`` and ``reconciliation``
            are shown as tables whatever their nesting.

    Returns:
        ``inputs`` and ``reconciliation`` (lists of tables, see :func:`tabulate`),
        ``quarantined_rows`` (the total), ``quarantine_reasons`` (rows per source and
        reason) and ``quarantine_sample`` (the first 100 rows, by source, file and row).
    """
    total = results.get("quarantined_rows")
    reasons: list[dict] = []
    sample: list[dict] = []
    if tables.has("quarantine"):
        total = tables.scalar("SELECT count(*) FROM quarantine")
        reasons = tables.query(
            "SELECT source, reason, count(*) AS rows FROM quarantine "
            "GROUP BY source, reason ORDER BY rows DESC, source, reason"
        )
        sample = _quarantine_sample(tables)
    return {
        "inputs": tabulate(results.get("inputs"), "Inputs"),
        "reconciliation": tabulate(results.get("reconciliation"), "Reconciliation"),
        "quarantined_rows": total or 0,
        "quarantine_reasons": reasons,
        "quarantine_sample": sample,
    }


def _quarantine_sample(tables: ReportTables) -> list[dict]:
    present = set(tables.columns("quarantine"))
    # Only the rejected value is cast, so rows keep sorting as numbers.
    columns = ", ".join(
        (f'CAST("{name}" AS VARCHAR) AS "{name}"' if name == "value" else f'"{name}"')
        if name in present
        else f'NULL AS "{name}"'
        for name in QUARANTINE_COLUMNS
    )
    order = ", ".join(f'"{name}"' for name in ("source", "file", "row") if name in present)
    return tables.query(
        f"SELECT {columns} FROM quarantine ORDER BY {order or 'ALL'} LIMIT {QUARANTINE_SAMPLE_ROWS}"
    )


def tabulate(value, title: str) -> list[dict]:
    """Lay out a JSON value as titled tables, so any nesting of it can be shown.

    A list of objects becomes one table with a column per key. An object of objects
    becomes a table with one row per key. The plain values of an object go to a
    two-column table, and each nested object or list in it gets a table of its own,
    titled with its key.

    >>> summary = {"rows": 3, "files": {"a.csv": {"rows": 3}}}
    >>> [table["title"] for table in tabulate(summary, "Inputs")]
    ['Inputs', 'files']

    Returns:
        Tables as dicts of ``title``, ``columns``, ``rows`` (lists of cell values) and
        ``text_columns`` (per column, whether it contains text rather than numbers).
    """
    if value is None or value == {} or value == []:
        return []
    if _is_records(value):
        columns = _union_keys(value)
        return [_table(title, columns, [[row.get(c) for c in columns] for row in value])]
    if not isinstance(value, Mapping):
        return [_table(title, ["value"], [[_cell(value)]])]
    if value and all(isinstance(item, Mapping) for item in value.values()):
        columns = _union_keys(value.values())
        rows = [[key, *(item.get(c) for c in columns)] for key, item in value.items()]
        return [_table(title, ["name", *columns], rows)]

    plain = [[key, item] for key, item in value.items() if not _is_nested(item)]
    tables = [_table(title, ["item", "value"], plain)] if plain else []
    for key, item in value.items():
        if _is_nested(item):
            tables += tabulate(item, str(key))
    return tables


def _is_records(value) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and bool(value)
        and all(isinstance(item, Mapping) for item in value)
    )


def _is_nested(value) -> bool:
    if isinstance(value, Mapping):
        return True
    return _is_records(value)


def _union_keys(rows) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns += [str(key) for key in row if str(key) not in columns]
    return columns


def _table(title: str, columns: list[str], rows: list[list]) -> dict:
    cells = [[_cell(value) for value in row] for row in rows]
    # A column is aligned as text when any of its cells is text, else as numbers.
    text = [any(isinstance(row[index], str) for row in cells) for index in range(len(columns))]
    return {"title": title, "columns": columns, "rows": cells, "text_columns": text}


def _cell(value):
    """Prepare a cell: numbers stay numbers for the template to format, lists are joined."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return ", ".join(str(item) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    return number(value)
