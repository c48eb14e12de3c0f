"""Checks of the activity exports that ingest cannot make row by row on its own.

Ingest has already typed every value and checked every account. These checks compare
values within a row and raise on the first bad row, naming its file, row and column.
"""

from __future__ import annotations

import duckdb

from nrrgov.errors import Location, UserError

DECISION_ORDER_CODE = "NRG451"
NEGATIVE_FORECAST_CODE = "NRG452"

# (table, condition of a bad row, column to name, code, message, hint)
_CHECKS = (
    (
        "decisions",
        "decided_on < raised_on",
        "decided_on",
        DECISION_ORDER_CODE,
        "decision {key!r} is decided on {value}, before it was raised on {other}",
        "correct decided_on or raised_on; a decision cannot be taken before it is raised",
    ),
    (
        "forecasts",
        "forecast_mrr < 0",
        "forecast_mrr",
        NEGATIVE_FORECAST_CODE,
        "forecast for account {key!r} is negative: {value}",
        "forecast MRR is an amount of at least 0; correct the row or remove it",
    ),
)
_ROW_COLUMNS = {
    "decisions": ("decision_id", "decided_on", "raised_on"),
    "forecasts": ("account_id", "forecast_mrr", "month"),
}


def check_activity_exports(con: duckdb.DuckDBPyConnection) -> None:
    """Raise on the first decision decided before it was raised, or negative forecast.

    Raises:
        UserError: naming the file, row and column of the bad value.
    """
    for table, condition, column, code, message, hint in _CHECKS:
        key, value, other = _ROW_COLUMNS[table]
        found = con.execute(
            f"SELECT _file, _row, {key}, {value}, {other} FROM {table} "
            f"WHERE {condition} ORDER BY _file, _row LIMIT 1"
        ).fetchone()
        if found is None:
            continue
        file, row, key_value, bad, other_value = found
        raise UserError(
            code,
            message.format(key=key_value, value=bad, other=other_value),
            where=Location(file, row=row, column=column),
            hint=hint,
        )
