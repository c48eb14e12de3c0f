"""Small output tables written with DuckDB, in the column layout a run writes them."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from nrrgov.loader import Project, load_project
from nrrgov.report.tables import ReportTables

REPO = Path(__file__).resolve().parents[2]
MONEY = "DECIMAL(18, 6)"
RATE = "DECIMAL(18, 10)"
SLICES = "segment VARCHAR, region VARCHAR"

# Column layouts of the output tables, with the engine's types.
SCHEMAS = {
    "account_mrr": f"account_id VARCHAR, month DATE, mrr {MONEY}, "
    f"mrr_constant_currency {MONEY}, movement VARCHAR, movement_mrr {MONEY}",
    "movements": f"month DATE, {SLICES}, opening_mrr {MONEY}, new_mrr {MONEY}, "
    f"reactivation_mrr {MONEY}, expansion_mrr {MONEY}, contraction_mrr {MONEY}, "
    f"churned_mrr {MONEY}, fx_impact {MONEY}, closing_mrr {MONEY}, new_logos BIGINT, "
    "reactivated_logos BIGINT, expanded_logos BIGINT, contracted_logos BIGINT, "
    "churned_logos BIGINT, active_logos BIGINT",
    "retention": f"as_of DATE, lookback_months INTEGER, {SLICES}, starting_mrr {MONEY}, "
    f"ending_mrr {MONEY}, expansion_mrr {MONEY}, contraction_mrr {MONEY}, "
    f"churned_mrr {MONEY}, retained_mrr {MONEY}, starting_logos BIGINT, "
    f"retained_logos BIGINT, churned_logos BIGINT, nrr {RATE}, grr {RATE}, "
    f"logo_retention {RATE}",
    "metrics": f"metric VARCHAR, as_of DATE, {SLICES}, value {RATE}, target DOUBLE, status VARCHAR",
    "cohorts": f"cohort DATE, age_months INTEGER, {SLICES}, initial_mrr {MONEY}, "
    f"initial_logos BIGINT, mrr {MONEY}, retained_mrr {MONEY}, logos BIGINT, "
    f"net_mrr_retention {RATE}, gross_mrr_retention {RATE}, logo_retention {RATE}",
    "quarantine": 'source VARCHAR, file VARCHAR, "row" BIGINT, "column" VARCHAR, '
    "value VARCHAR, reason VARCHAR",
    "accounts": "account_id VARCHAR, account_name VARCHAR, segment VARCHAR, region VARCHAR, "
    "csm_owner VARCHAR",
}


class RunWriter:
    """Writes the ``tables/`` and ``results.json`` of a made-up run into ``out_dir``.

    Rows are dicts; a column a row leaves out is 0 for numbers, ``(all)`` for slice
    columns and NULL otherwise.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.tables_dir = out_dir / "tables"
        self.tables_dir.mkdir(parents=True, exist_ok=True)

    def table(self, name: str, rows: list[dict]) -> Path:
        """Write ``rows`` as ``tables/<name>.parquet`` with the engine's column types."""
        con = duckdb.connect()
        con.execute(f"CREATE TABLE {name} ({SCHEMAS[name]})")
        columns = [(row[0], row[1]) for row in con.execute(f"DESCRIBE {name}").fetchall()]
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(
            f"INSERT INTO {name} VALUES ({placeholders})",
            [[_value(row, column, kind) for column, kind in columns] for row in rows],
        )
        target = self.tables_dir / f"{name}.parquet"
        con.execute(f"COPY {name} TO '{target}' (FORMAT parquet)")
        con.close()
        return target

    def sql_table(self, name: str, select: str) -> Path:
        """Write the result of ``select`` as ``tables/<name>.parquet``, cast to the schema."""
        con = duckdb.connect()
        con.execute(f"CREATE TABLE {name} ({SCHEMAS[name]})")
        con.execute(f"INSERT INTO {name} BY NAME {select}")
        target = self.tables_dir / f"{name}.parquet"
        con.execute(f"COPY {name} TO '{target}' (FORMAT parquet)")
        con.close()
        return target

    def raw_table(self, name: str, select: str) -> Path:
        """Write the result of ``select`` as ``tables/<name>.parquet`` with its own columns."""
        target = self.tables_dir / f"{name}.parquet"
        con = duckdb.connect()
        con.execute(f"COPY ({select}) TO '{target}' (FORMAT parquet)")
        con.close()
        return target

    def results(self, **fields) -> Path:
        """Write ``results.json`` with an as-of month, currency and options, plus ``fields``."""
        payload = {
            "project": "test",
            "as_of": "2026-03",
            "reporting_currency": "USD",
            "options": {"snapshot": "month_end", "fx_mode": "month_rate"},
            "definitions_commit": None,
            "nrrgov_version": "0.1.0",
            **fields,
        }
        target = self.out_dir / "results.json"
        target.write_text(json.dumps(payload), encoding="utf-8")
        return target

    def open(self, dimensions=("segment", "region")) -> ReportTables:
        """Open the written tables as the report reads them."""
        return ReportTables(self.tables_dir, dimensions)


def _value(row: dict, column: str, kind: str):
    if column in row:
        return row[column]
    if column in ("segment", "region"):
        return "(all)"
    if kind.startswith(("DECIMAL", "BIGINT", "INTEGER", "DOUBLE")):
        return 0
    return None


@pytest.fixture
def run_writer(tmp_path) -> RunWriter:
    """A writer of made-up run outputs under ``tmp_path/target``."""
    return RunWriter(tmp_path / "target")


@pytest.fixture(scope="session")
def reference_definitions() -> Project:
    """The reference definitions: metrics nrr, grr, logo_retention and three more,
    sliced by segment and region."""
    return load_project(REPO)


def write_sample_run(writer: RunWriter, segments=("Enterprise", "SMB"), account_prefix="Acme"):
    """Write two years of made-up tables sliced by segment and region, as_of 2026-03.

    Every slice of the full cube over ``segments`` and regions EMEA and NA has rows, and
    its figures scale with a weight ``w`` per slice so that slices differ. Values are
    made up and need not agree across tables; tests read the expected figure from the
    table they check.
    """
    segment_rows = ", ".join(
        f"({_sql_text(name)}, {index + 1})" for index, name in enumerate(segments)
    )
    weights = (
        f"seg(segment, s) AS (VALUES ('(all)', {len(segments) + 1}), {segment_rows}), "
        "reg(region, r) AS (VALUES ('(all)', 3), ('EMEA', 1), ('NA', 2)), "
        "slices AS (SELECT segment, region, s * r AS w FROM seg, reg), "
        "months AS (SELECT m, (DATE '2024-04-01' + to_months(m))::DATE AS month "
        "FROM range(24) AS t(m))"
    )
    writer.sql_table(
        "movements",
        f"""
        WITH {weights}
        SELECT month, segment, region, 100000 * w + 1000 * m * w AS opening_mrr,
            5000 * w AS new_mrr, 500 * w AS reactivation_mrr, 3000 * w AS expansion_mrr,
            1000 * w AS contraction_mrr, 2000 * w AS churned_mrr,
            100 * w * (CASE WHEN m % 2 = 0 THEN 1 ELSE -1 END) AS fx_impact,
            100000 * w + 1000 * m * w + 5500 * w + 100 * w * (CASE WHEN m % 2 = 0 THEN 1
                ELSE -1 END) AS closing_mrr,
            5 * w AS new_logos, w AS reactivated_logos, 3 * w AS expanded_logos,
            w AS contracted_logos, 2 * w AS churned_logos, 100 * w + m AS active_logos
        FROM slices, months""",
    )
    writer.sql_table(
        "retention",
        f"""
        WITH {weights}, lookbacks(k) AS (VALUES (1), (3), (12))
        SELECT month AS as_of, k AS lookback_months, segment, region,
            100000 * w AS starting_mrr,
            100000 * w * (0.95 + 0.01 * w + 0.002 * m - 0.001 * k) AS ending_mrr,
            0.95 + 0.01 * w + 0.002 * m - 0.001 * k AS nrr,
            0.85 + 0.005 * w + 0.001 * m - 0.002 * k AS grr,
            0.80 + 0.004 * w + 0.001 * m - 0.003 * k AS logo_retention
        FROM slices, months, lookbacks""",
    )
    writer.sql_table(
        "metrics",
        f"""
        WITH {weights}, defs(metric, base, target) AS (VALUES
            ('nrr', 0.96, 1.05), ('grr', 0.86, 0.9), ('logo_retention', 0.8, 0.85),
            ('gross_mrr_churn_rate', 0.12, 0.1), ('expansion_rate', 0.12, 0.15),
            ('net_new_mrr', 4000, NULL))
        SELECT metric, month AS as_of, segment, region,
            CASE WHEN metric = 'net_new_mrr' THEN base * w + 10 * m
                ELSE base + 0.01 * w + 0.001 * m END AS value,
            target,
            CASE WHEN target IS NULL THEN NULL
                WHEN (w + m) % 3 = 0 THEN 'on_track'
                WHEN (w + m) % 3 = 1 THEN 'at_risk' ELSE 'off_track' END AS status
        FROM slices, months, defs""",
    )
    writer.sql_table(
        "cohorts",
        f"""
        WITH {weights}, ages AS (SELECT a FROM range(24) AS t(a))
        SELECT month AS cohort, a AS age_months, segment, region,
            1000 * w AS initial_mrr, 10 * w AS initial_logos,
            1000 * w * (1 - 0.02 * a + 0.005 * w) AS mrr,
            1000 * w * (1 - 0.03 * a) AS retained_mrr, 10 * w - a AS logos,
            1 - 0.02 * a + 0.005 * w AS net_mrr_retention, 1 - 0.03 * a AS gross_mrr_retention,
            (10 * w - a) / (10 * w) AS logo_retention
        FROM slices, months, ages WHERE m >= 12 AND m + a <= 23""",
    )
    writer.sql_table(
        "account_mrr",
        """
        WITH accounts AS (SELECT i FROM range(60) AS t(i)),
        months AS (SELECT m, (DATE '2024-04-01' + to_months(m))::DATE AS month
            FROM range(24) AS t(m))
        SELECT 'A' || lpad(i::VARCHAR, 3, '0') AS account_id, month,
            100 * (i + 1) + 10 * m * (i % 3) AS mrr, 100 * (i + 1) + 10 * m * (i % 3)
                AS mrr_constant_currency,
            CASE WHEN m = 0 THEN 'new' WHEN i % 3 = 0 THEN NULL WHEN i % 2 = 0
                THEN 'expansion' ELSE 'contraction' END AS movement,
            CASE WHEN m = 0 THEN 100 * (i + 1) ELSE 10 * (i % 3) END AS movement_mrr
        FROM accounts, months""",
    )
    writer.table(
        "accounts",
        [
            {
                "account_id": f"A{i:03d}",
                "account_name": f"{account_prefix} {i}",
                "segment": segments[i % len(segments)],
                "region": ("EMEA", "NA")[i % 2],
                "csm_owner": f"owner{i % 4}",
            }
            for i in range(60)
        ],
    )
    writer.sql_table(
        "quarantine",
        """
        SELECT 'subscriptions' AS source, 'subscriptions.csv' AS file, i + 2 AS "row",
            'amount' AS "column", 'x' || i AS value,
            CASE WHEN i % 2 = 0 THEN 'not a number' ELSE 'negative amount' END AS reason
        FROM range(130) AS t(i)""",
    )
    writer.results(
        inputs={"accounts": {"rows": 60, "files": 1}, "subscriptions": {"rows": 900, "files": 1}},
        reconciliation={"input_mrr": 12345.5, "output_mrr": 12345.5, "difference": 0.0},
        quarantined_rows=130,
    )


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@pytest.fixture(scope="session")
def sample_run():
    """The writer of a two-year sample run, for tests that need every table filled."""
    return write_sample_run


@pytest.fixture(scope="session")
def writer_class():
    """:class:`RunWriter`, for module-scoped fixtures that cannot use ``run_writer``."""
    return RunWriter
