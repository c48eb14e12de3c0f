"""Run the analytic stages on small inputs written straight into a DuckDB file.

The inputs follow the contract that normalize fulfils. ``revenue`` has a row per account,
currency and month. ``fx_rates`` has the reporting currency (USD) at 1 every month.
``calendar`` runs from the first revenue month to the as-of month, and ``accounts`` has
the accounts' attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from nrrgov.engine.analytics import add_analytics
from nrrgov.engine.context import EngineContext
from nrrgov.engine.sql import Pipeline
from nrrgov.loader import Project
from nrrgov.spec import MetricsFileSpec, ProjectSpec, TaxonomyFileSpec
from nrrgov.spec.metrics import MetricSpec
from nrrgov.spec.options import OptionsSpec

REPO = Path(__file__).resolve().parents[2]
REFERENCE_TAXONOMY = TaxonomyFileSpec.model_validate(
    yaml.safe_load((REPO / "definitions" / "taxonomy.yml").read_text())
)
REFERENCE_METRICS = MetricsFileSpec.model_validate(
    yaml.safe_load((REPO / "definitions" / "metrics.yml").read_text())
).metrics


def month(text: str) -> date:
    """The first day of the month ``YYYY-MM``."""
    return date.fromisoformat(f"{text}-01")


def months_between(first: date, last: date) -> list[date]:
    """Every first-of-month from ``first`` to ``last``, both included."""
    found, current = [], first
    while current <= last:
        found.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return found


@dataclass
class AnalyticsRun:
    """Inputs of one run; :meth:`run` writes them to DuckDB and runs the stages.

    Attributes:
        revenue: (account, currency, YYYY-MM, native MRR) rows.
        rates: (currency, YYYY-MM) -> rate for currencies other than USD.
        accounts: account -> attributes (segment, region, ...); accounts with revenue
            and no entry get no attributes.
        as_of: the as-of month, YYYY-MM.
    """

    path: Path
    revenue: list[tuple[str, str, str, str]] = field(default_factory=list)
    rates: dict[tuple[str, str], str] = field(default_factory=dict)
    accounts: dict[str, dict[str, str | None]] = field(default_factory=dict)
    as_of: str = "2024-12"
    dimensions: tuple[str, ...] = ()
    lookbacks: tuple[int, ...] = (1, 3, 12)
    options: dict = field(default_factory=dict)
    metrics: Sequence[MetricSpec] = ()
    pipeline: Pipeline | None = None
    con: duckdb.DuckDBPyConnection | None = None

    def context(self) -> EngineContext:
        config = ProjectSpec(
            dimensions=self.dimensions,
            lookbacks=self.lookbacks,
            options=OptionsSpec(**self.options),
        )
        project = Project(
            root=self.path,
            config=config,
            metrics=tuple(self.metrics),
            taxonomy=REFERENCE_TAXONOMY,
            sources=(),
        )
        return EngineContext(project, self.path, as_of=month(self.as_of))

    def run(self) -> duckdb.DuckDBPyConnection:
        """Write the inputs, run every analytic stage and return the connection."""
        con = duckdb.connect(str(self.path / "analytics.duckdb"))
        self._write_inputs(con)
        self.pipeline = Pipeline()
        add_analytics(self.pipeline, self.context())
        self.pipeline.run(con)
        self.con = con
        return con

    def rows(self, query: str, *parameters) -> list[dict]:
        """The result of ``query`` on the last run, as dicts keyed by column name."""
        cursor = self.con.execute(query, list(parameters))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def one(self, query: str, *parameters) -> dict:
        """The single row of ``query``; fails when there is not exactly one."""
        found = self.rows(query, *parameters)
        assert len(found) == 1, f"expected one row, got {len(found)}: {found}"
        return found[0]

    def _write_inputs(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(
            "CREATE TABLE revenue (account_id VARCHAR, currency VARCHAR, month DATE, "
            "mrr_native DECIMAL(18, 6))"
        )
        rows = [(a, c, month(m), Decimal(v)) for a, c, m, v in self.revenue]
        con.executemany("INSERT INTO revenue VALUES (?, ?, ?, ?)", rows)

        first = min(row[2] for row in rows)
        calendar = months_between(first, month(self.as_of))
        con.execute("CREATE TABLE calendar (month DATE)")
        con.executemany("INSERT INTO calendar VALUES (?)", [(m,) for m in calendar])

        con.execute("CREATE TABLE fx_rates (month DATE, currency VARCHAR, rate DECIMAL(18, 10))")
        usd = [(m, "USD", Decimal(1)) for m in calendar]
        other = [(month(m), c, Decimal(r)) for (c, m), r in self.rates.items()]
        con.executemany("INSERT INTO fx_rates VALUES (?, ?, ?)", usd + other)

        columns = ("segment", "region", "csm_owner")
        con.execute(
            "CREATE TABLE accounts (account_id VARCHAR, account_name VARCHAR, segment VARCHAR, "
            "region VARCHAR, csm_owner VARCHAR, created_at DATE, parent_account_id VARCHAR)"
        )
        ids = sorted({row[0] for row in rows} | set(self.accounts))
        values = [
            (a, a.upper(), *(self.accounts.get(a, {}).get(c) for c in columns), None, None)
            for a in ids
        ]
        con.executemany("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?)", values)


@pytest.fixture
def analytics(tmp_path: Path) -> AnalyticsRun:
    """An empty run writing its database under the test's temporary folder."""
    return AnalyticsRun(path=tmp_path)


@pytest.fixture(scope="session")
def new_analytics(tmp_path_factory: pytest.TempPathFactory):
    """A factory of empty runs, each in a folder of its own, for property tests."""
    return lambda: AnalyticsRun(path=tmp_path_factory.mktemp("analytics"))


@pytest.fixture
def reference_metrics() -> tuple[MetricSpec, ...]:
    """The metrics of the reference ``definitions/metrics.yml``."""
    return REFERENCE_METRICS
