"""Read the exports that ``sources.yml`` names into the canonical tables.

``ingest`` creates, in the connection:

- ``accounts``: the canonical columns, every extra column of the export as VARCHAR
  (extra columns are dimensions), ``_file`` and ``_row``. Without an accounts source, it
  contains the distinct account ids of the revenue input with NULL attributes.
- ``subscriptions`` or ``mrr_input``: the canonical columns typed, ``_file`` and ``_row``.
  ``subscriptions`` has amounts in major units and exclusive end dates, converted from
  what the export uses. Its ``period_months`` is the months one invoice covers: the
  billing period's months times ``interval_count``. ``mrr_input`` is in the reporting
  currency, with months on their first day.
- ``fx_rates(month, currency, rate)``: with the reporting currency at rate 1 for every
  month of the data (:func:`add_reporting_rates` extends it to the as-of month).
- ``quarantine_ingest`` and ``quarantine`` (a copy): rows set aside, with their reason.
- ``ingest_summary``: files and row counts per source.

Row numbers are data rows: row 1 is the first record after the header.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import duckdb

from nrrgov.currencies import MINOR_UNIT_EXPONENTS
from nrrgov.engine import ingest_codes as codes
from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest_checks import (
    QUARANTINE_COLUMNS,
    check_duplicate_keys,
    collect_problems,
    raise_or_quarantine,
)
from nrrgov.engine.ingest_columns import staged_select
from nrrgov.engine.ingest_files import (
    identifier,
    literal,
    parquet_read_errors,
    read_file,
    resolve_files,
)
from nrrgov.engine.ingest_values import row_checks, typed_select
from nrrgov.engine.types import RATE
from nrrgov.errors import Location, UserError
from nrrgov.loader import Project
from nrrgov.spec.sources import ACTIVITY_SOURCES, CANONICAL_TABLES, SourceSpec

logger = logging.getLogger(__name__)

# Canonical table of each source kind.
TABLES = {
    "accounts": "accounts",
    "subscriptions": "subscriptions",
    "mrr": "mrr_input",
    "fx_rates": "fx_rates",
    **{name: name for name in ACTIVITY_SOURCES},
}
_REVENUE_SOURCES = ("subscriptions", "mrr")


@dataclass(frozen=True)
class SourceSummary:
    """Files and row counts that ingest read from one source.

    Attributes:
        name: the source kind (accounts, subscriptions, mrr, fx_rates).
        table: the canonical table it filled.
        files: the files read, in order.
        rows_read: data rows in those files.
        rows_accepted: rows in the canonical table.
        rows_quarantined: rows set aside in ``quarantine``; read = accepted + quarantined.
    """

    name: str
    table: str
    files: tuple[str, ...]
    rows_read: int
    rows_accepted: int
    rows_quarantined: int


@dataclass(frozen=True)
class IngestSummary:
    """Per-source counts of an ingest, for the data-quality report and reconciliation.

    Attributes:
        sources: one summary per source read, accounts first.
        revenue_table: ``subscriptions`` or ``mrr_input``.
    """

    sources: tuple[SourceSummary, ...]
    revenue_table: str

    def source(self, name: str) -> SourceSummary | None:
        """Return the summary of source ``name``, if it was read."""
        return next((s for s in self.sources if s.name == name), None)


def ingest(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> IngestSummary:
    """Read every source of the project into the canonical tables of ``con``.

    Raises:
        UserError: a structural problem with any source, or a row that breaks the data
            contract in a source without ``on_invalid: quarantine``.
    """
    project = ctx.project
    revenue_spec = _revenue_source(project)
    _create_support_tables(con)

    summaries = []
    accounts_spec = project.source("accounts")
    if accounts_spec is not None:
        summaries.append(_load(con, ctx, accounts_spec, check_accounts=False))
    summaries.append(_load(con, ctx, revenue_spec, check_accounts=accounts_spec is not None))
    if accounts_spec is None:
        _derive_accounts(con, TABLES[revenue_spec.name])

    fx_spec = project.source("fx_rates")
    if fx_spec is not None:
        summaries.append(_load(con, ctx, fx_spec, check_accounts=False))
    else:
        con.execute(f"CREATE OR REPLACE TABLE fx_rates (month DATE, currency VARCHAR, rate {RATE})")
    _add_data_reporting_rates(con, ctx, TABLES[revenue_spec.name])
    summaries.extend(_load_activity_sources(con, ctx))

    con.execute("CREATE OR REPLACE TABLE quarantine AS SELECT * FROM quarantine_ingest")
    _write_summary_table(con, summaries)
    return IngestSummary(tuple(summaries), TABLES[revenue_spec.name])


def _load_activity_sources(
    con: duckdb.DuckDBPyConnection, ctx: EngineContext
) -> list[SourceSummary]:
    """Load each optional activity export, or create its table empty when it has no source."""
    summaries = []
    for name in ACTIVITY_SOURCES:
        spec = ctx.project.source(name)
        if spec is not None:
            summaries.append(_load(con, ctx, spec, check_accounts=True))
            continue
        columns = ", ".join(
            f"{identifier(column)} {kind}" for column, (kind, _) in CANONICAL_TABLES[name].items()
        )
        con.execute(f"CREATE OR REPLACE TABLE {name} ({columns}, _file VARCHAR, _row BIGINT)")
    return summaries


def _revenue_source(project: Project) -> SourceSpec:
    names = [source.name for source in project.sources]
    where = Location(str(project.definitions_dir / "sources.yml"))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise UserError(
            codes.SOURCE_SETUP,
            f"sources.yml lists {', '.join(repeated)} more than once",
            where=where,
            hint="keep one source per table; a glob in 'path' reads several files",
        )

    revenue = [source for source in project.sources if source.name in _REVENUE_SOURCES]
    if len(revenue) != 1:
        found = "both subscriptions and mrr" if revenue else "neither subscriptions nor mrr"
        raise UserError(
            codes.SOURCE_SETUP,
            f"sources.yml lists {found}; exactly one of them is the revenue input",
            where=where,
            hint="keep the subscriptions source, or the mrr source for monthly MRR exports",
        )
    return revenue[0]


def _create_support_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TABLE quarantine_ingest ({QUARANTINE_COLUMNS})")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _currency_exponents "
        "(code VARCHAR, exponent INTEGER, minor_unit DECIMAL(18, 4))"
    )
    con.executemany(
        "INSERT INTO _currency_exponents VALUES (?, ?, CAST(1 AS DECIMAL(18, 4)) / 10 ** ?)",
        [(code, exponent, exponent) for code, exponent in MINOR_UNIT_EXPONENTS.items()],
    )


def _load(
    con: duckdb.DuckDBPyConnection, ctx: EngineContext, spec: SourceSpec, check_accounts: bool
) -> SourceSummary:
    """Read, type and check one source, and create its canonical table."""
    files = resolve_files(ctx.data_dir, spec)
    raws = [read_file(con, path, spec) for path in files]
    stage, typed = f"_stage_{spec.name}", f"_typed_{spec.name}"
    with parquet_read_errors(raws):
        # Staged text and typed values are views: the file is read and typed once to find
        # failing rows and once more into the canonical table, which costs less than
        # materialising every text column beside its typed value.
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {stage} AS "
            + " UNION ALL BY NAME ".join(staged_select(raw, spec) for raw in raws)
        )
        extras = _extra_columns(con, spec, stage)
        _check_key_columns(ctx, spec, extras)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {typed} AS {typed_select(spec, stage, extras)}")
        check_duplicate_keys(con, spec, typed)

        checks = row_checks(spec, ctx.reporting_currency, check_accounts)
        problems = collect_problems(con, typed, checks)
        headers = {raw.path: raw.header for raw in raws}
        quarantined = raise_or_quarantine(con, spec, problems, checks, headers)
        table = TABLES[spec.name]
        _create_canonical_table(con, spec, typed, problems, extras)

    accepted = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    con.execute(f"DROP TABLE {problems}")
    for view in (typed, stage):
        con.execute(f"DROP VIEW {view}")
    for raw in raws:
        con.execute(raw.drop())
    rows_read = sum(raw.rows for raw in raws)
    return SourceSummary(
        spec.name, table, tuple(raw.path for raw in raws), rows_read, accepted, quarantined
    )


def _extra_columns(con: duckdb.DuckDBPyConnection, spec: SourceSpec, stage: str) -> list[str]:
    columns = [row[0] for row in con.execute(f"DESCRIBE {stage}").fetchall()]
    known = {"_file", "_row", *CANONICAL_TABLES[spec.name]}
    return [column for column in columns if column not in known]


def _check_key_columns(ctx: EngineContext, spec: SourceSpec, extras: list[str]) -> None:
    allowed = [*CANONICAL_TABLES[spec.name], *extras]
    unknown = [column for column in spec.key if column not in allowed]
    if unknown:
        raise UserError(
            codes.SOURCE_SETUP,
            f"primary_key of source {spec.name!r} names {', '.join(map(repr, unknown))}, "
            f"which is not a column of {spec.name}",
            where=Location(str(ctx.project.definitions_dir / "sources.yml")),
            hint=f"use columns of {spec.name}: {', '.join(allowed)}",
        )


def _create_canonical_table(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    typed: str,
    problems: str,
    extras: list[str],
) -> None:
    columns = CANONICAL_TABLES[spec.name]
    selects = [
        f"CAST(v_{name} AS {kind}) AS {identifier(name)}" for name, (kind, _) in columns.items()
    ]
    selects.extend(f"{identifier('v_' + name)} AS {identifier(name)}" for name in extras)
    if spec.name == "subscriptions":
        selects.append("CAST(v_period_months AS INTEGER) AS period_months")
    if spec.name == "fx_rates":
        selects = [f"v_month AS month, v_currency AS currency, CAST(v_rate AS {RATE}) AS rate"]
    else:
        selects.extend(["_file", "_row"])

    # Rows are in no particular order from here on. _file and _row give each row's origin,
    # and every output table is sorted explicitly.
    query = f"SELECT {', '.join(selects)} FROM {typed} AS t"
    if con.execute(f"SELECT count(*) FROM {problems}").fetchone()[0]:
        query += (
            f" WHERE NOT EXISTS (SELECT 1 FROM {problems} AS p "
            "WHERE p._file = t._file AND p._row = t._row)"
        )
    con.execute(f"CREATE OR REPLACE TABLE {TABLES[spec.name]} AS {query}")


def _derive_accounts(con: duckdb.DuckDBPyConnection, revenue_table: str) -> None:
    columns = CANONICAL_TABLES["accounts"]
    selects = ["account_id"] + [
        f"CAST(NULL AS {kind}) AS {name}"
        for name, (kind, _) in columns.items()
        if name != "account_id"
    ]
    con.execute(
        f"CREATE OR REPLACE TABLE accounts AS SELECT {', '.join(selects)}, "
        "CAST(NULL AS VARCHAR) AS _file, CAST(NULL AS BIGINT) AS _row "
        f"FROM (SELECT DISTINCT account_id FROM {revenue_table}) ORDER BY account_id"
    )


def _add_data_reporting_rates(
    con: duckdb.DuckDBPyConnection, ctx: EngineContext, revenue_table: str
) -> None:
    if revenue_table == "subscriptions":
        bounds = [
            "SELECT min(start_date) AS first, max(start_date) AS last FROM subscriptions",
            # An end date in year 9999 means "no end" and needs no rates up to it.
            "SELECT min(end_date), max(end_date) FROM subscriptions "
            "WHERE end_date < DATE '9999-01-01'",
        ]
    else:
        bounds = ["SELECT min(month) AS first, max(month) AS last FROM mrr_input"]
    bounds.append("SELECT min(month), max(month) FROM fx_rates")
    first, last = con.execute(
        f"SELECT min(first), max(last) FROM ({' UNION ALL '.join(bounds)})"
    ).fetchone()
    if first is not None:
        add_reporting_rates(con, ctx, first, last)


def add_reporting_rates(
    con: duckdb.DuckDBPyConnection, ctx: EngineContext, first: date, last: date
) -> None:
    """Add the reporting currency at rate 1 to ``fx_rates`` for the months first..last.

    Months that already have a reporting-currency rate keep it (it was checked to be 1).
    """
    currency = literal(ctx.reporting_currency)
    con.execute(
        f"INSERT INTO fx_rates SELECT CAST(m AS DATE), {currency}, 1 "
        "FROM range(date_trunc('month', CAST(? AS DATE)), "
        "date_trunc('month', CAST(? AS DATE)) + INTERVAL 1 MONTH, INTERVAL 1 MONTH) AS r(m) "
        f"WHERE NOT EXISTS (SELECT 1 FROM fx_rates AS f WHERE f.currency = {currency} "
        "AND f.month = CAST(r.m AS DATE))",
        [first, last],
    )


def _write_summary_table(con: duckdb.DuckDBPyConnection, summaries: list[SourceSummary]) -> None:
    con.execute(
        "CREATE OR REPLACE TABLE ingest_summary (source VARCHAR, table_name VARCHAR, "
        "files VARCHAR[], rows_read BIGINT, rows_accepted BIGINT, rows_quarantined BIGINT)"
    )
    con.executemany(
        "INSERT INTO ingest_summary VALUES (?, ?, ?, ?, ?, ?)",
        [
            (s.name, s.table, list(s.files), s.rows_read, s.rows_accepted, s.rows_quarantined)
            for s in summaries
        ],
    )
