"""``definitions/sources.yml``: the data contract that maps exports onto canonical tables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from nrrgov.spec.base import Spec

# Canonical tables: column -> (type, required). Types are DuckDB names. Extra columns of
# ``accounts`` are kept as dimensions.
CANONICAL_TABLES: dict[str, dict[str, tuple[str, bool]]] = {
    "accounts": {
        "account_id": ("VARCHAR", True),
        "account_name": ("VARCHAR", False),
        "segment": ("VARCHAR", False),
        "region": ("VARCHAR", False),
        "csm_owner": ("VARCHAR", False),
        "created_at": ("DATE", False),
        "parent_account_id": ("VARCHAR", False),
    },
    "subscriptions": {
        "subscription_id": ("VARCHAR", True),
        "account_id": ("VARCHAR", True),
        "plan": ("VARCHAR", False),
        "currency": ("VARCHAR", True),
        "billing_period": ("VARCHAR", True),
        # Billing periods per invoice, as in Stripe's ``interval_count``: a plan billed
        # every 6 months reads as billing_period ``month`` with interval_count 6.
        "interval_count": ("INTEGER", False),
        "amount": ("DECIMAL(38,10)", True),
        "quantity": ("DECIMAL(38,10)", False),
        "start_date": ("DATE", True),
        "end_date": ("DATE", False),
        "status": ("VARCHAR", False),
    },
    "mrr": {
        "account_id": ("VARCHAR", True),
        "month": ("DATE", True),
        "mrr": ("DECIMAL(38,10)", True),
    },
    "fx_rates": {
        "month": ("DATE", True),
        "currency": ("VARCHAR", True),
        "rate": ("DECIMAL(38,18)", True),
    },
    # Exports that plays, health scores and the operating KPIs read. Each is optional:
    # without its source the figures that need it are left out.
    "play_enrollments": {
        "account_id": ("VARCHAR", True),
        "play": ("VARCHAR", True),
        "enrolled_on": ("DATE", True),
        "group": ("VARCHAR", True),
    },
    "health_signals": {
        "account_id": ("VARCHAR", True),
        "month": ("DATE", True),
        "signal": ("VARCHAR", True),
        "value": ("DECIMAL(38,10)", True),
    },
    "activities": {
        "account_id": ("VARCHAR", True),
        "play": ("VARCHAR", False),
        "occurred_at": ("DATE", True),
        "kind": ("VARCHAR", True),
    },
    "forecasts": {
        "account_id": ("VARCHAR", True),
        "month": ("DATE", True),
        "forecast_mrr": ("DECIMAL(38,10)", True),
    },
    "decisions": {
        "decision_id": ("VARCHAR", True),
        "decision": ("VARCHAR", True),
        "body": ("VARCHAR", True),
        "raised_on": ("DATE", True),
        "decided_on": ("DATE", False),
        "outcome": ("VARCHAR", False),
    },
}

# Sources that fill an optional table of their own, read after the revenue input.
ACTIVITY_SOURCES = ("play_enrollments", "health_signals", "activities", "forecasts", "decisions")

DEFAULT_KEYS = {
    "accounts": ("account_id",),
    "subscriptions": ("subscription_id",),
    "mrr": ("account_id", "month"),
    "fx_rates": ("month", "currency"),
    "play_enrollments": ("account_id", "play", "enrolled_on"),
    "health_signals": ("account_id", "month", "signal"),
    "activities": (),
    "forecasts": ("account_id", "month"),
    "decisions": ("decision_id",),
}


class SourceSpec(Spec):
    """One export mapped onto a canonical table.

    Attributes:
        name: the canonical table this source fills (accounts, subscriptions, mrr, fx_rates).
        path: file or glob relative to the data folder; CSV or Parquet by extension.
        columns: canonical column -> column name in the file, for columns named otherwise.
        constants: canonical column -> value, for columns the export lacks (for example a
            single currency).
        value_maps: canonical column -> {value in the file: canonical value}.
        date_format: strptime format of date columns, such as ``%d-%m-%Y``; None reads ISO.
        delimiter: CSV field separator.
        inclusive_end_dates: the export's end_date is the last day in service, not the
            first day out of it.
        amount_units: ``major`` (dollars) or ``minor`` (cents, using each currency's own
            exponent: 0 for JPY, 3 for KWD).
        primary_key: columns that identify a row; duplicates are an error.
        on_invalid: ``error`` stops the run on a row that breaks the contract;
            ``quarantine`` sets it aside in the quarantine table with its reason.
    """

    name: Literal[
        "accounts",
        "subscriptions",
        "mrr",
        "fx_rates",
        "play_enrollments",
        "health_signals",
        "activities",
        "forecasts",
        "decisions",
    ]
    path: str
    format: Literal["csv", "parquet"] | None = None
    columns: dict[str, str] = {}
    constants: dict[str, str] = {}
    value_maps: dict[str, dict[str, str]] = {}
    date_format: str | None = None
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    inclusive_end_dates: bool = False
    amount_units: Literal["major", "minor"] = "major"
    primary_key: tuple[str, ...] | None = None
    on_invalid: Literal["error", "quarantine"] = "error"

    @field_validator("date_format")
    @classmethod
    def _valid_date_format(cls, value: str | None) -> str | None:
        problem = date_format_problem(value) if value is not None else None
        if problem:
            raise PydanticCustomError(
                "date_format",
                "{reason}",
                {"reason": problem, "hint": "use DuckDB's codes, such as %d-%m-%Y or %m/%d/%Y"},
            )
        return value

    @model_validator(mode="after")
    def _known_columns(self) -> SourceSpec:
        known = CANONICAL_TABLES[self.name]
        for field_name in ("columns", "constants", "value_maps"):
            for column in getattr(self, field_name):
                if column not in known and self.name != "accounts":
                    raise ValueError(
                        f"{field_name} names {column!r}, which is not a column of "
                        f"{self.name}; expected one of: {', '.join(known)}"
                    )
        return self

    @property
    def key(self) -> tuple[str, ...]:
        """The primary key, defaulting to the canonical table's."""
        if self.primary_key is not None:
            return self.primary_key
        return DEFAULT_KEYS[self.name]

    @property
    def file_format(self) -> str:
        """``csv`` or ``parquet``, from ``format`` or the path's extension."""
        if self.format:
            return self.format
        return "parquet" if self.path.lower().endswith(".parquet") else "csv"


def column_position(header: Sequence[str], name: str) -> int | None:
    """Return the 1-based position of column ``name`` in ``header``, or None.

    A column matches exactly or, failing that, ignoring case when only one column does.

    >>> column_position(["Account_ID", "amount"], "account_id")
    1
    """
    if name in header:
        return list(header).index(name) + 1
    folded = [i for i, found in enumerate(header, start=1) if found.lower() == name.lower()]
    return folded[0] if len(folded) == 1 else None


# The strptime codes DuckDB reads, each written after '%'. A '-' before a code drops padding.
# tests/test_date_format.py checks this list against the installed DuckDB.
DUCKDB_DATE_CODES = frozenset("aAbBcdfgGhHIjmMnpSTuUVwWxXyYzZ%") | {
    "-d", "-H", "-I", "-j", "-m", "-M", "-S", "-y"
}  # fmt: skip


def date_format_problem(date_format: str) -> str | None:
    """Return why DuckDB cannot parse dates with ``date_format``, or None when it can."""
    codes = re.findall(r"%(-?.?)", date_format)
    unknown = [code for code in codes if code not in DUCKDB_DATE_CODES]
    if unknown:
        return f"unrecognized format code %{unknown[0]}" if unknown[0] else "trailing %"

    # A format without a year or a month parses every value to a date in 1900.
    if not set(codes) & {"Y", "y", "-y"}:
        return "the format has no code for the year, such as %Y"
    if not set(codes) & {"m", "-m", "b", "B", "h", "j", "-j"}:
        return "the format has no code for the month (such as %m or %b) or the day of the year"
    return None


class SourcesFileSpec(Spec):
    """The sources file."""

    sources: tuple[SourceSpec, ...]
