"""The health, risk, KPI, incentive and target stages of a compute run.

:func:`compute_health` runs after the analytic stages, reading ``account_mrr``,
``accounts``, ``metrics``, ``subscriptions`` and the activity exports, and creates every
table in :data:`HEALTH_TABLES`. A table whose definitions file is absent is created
empty with its columns, so that readers always find it.
"""

from __future__ import annotations

import logging

import duckdb

from nrrgov.engine.context import EngineContext
from nrrgov.engine.slices import quote
from nrrgov.engine.sql import Pipeline
from nrrgov.engine.types import MONEY, RATIO
from nrrgov.health.checks import check_activity_exports
from nrrgov.health.files import read_definition, require_valid
from nrrgov.health.incentives import ATTAINMENT_TABLE, add_attainment
from nrrgov.health.kpis import add_kpis
from nrrgov.health.risk import AT_RISK_TABLE, add_at_risk
from nrrgov.health.scores import HEALTH_BANDS_TABLE, HEALTH_SCORES_TABLE, add_health_scores
from nrrgov.health.targets import TARGETS_TABLE, add_targets
from nrrgov.spec.targets import KpiSettingsSpec, TargetsFileSpec

logger = logging.getLogger(__name__)

# Output tables of these stages, in the order they are created.
HEALTH_TABLES = (
    HEALTH_SCORES_TABLE,
    HEALTH_BANDS_TABLE,
    AT_RISK_TABLE,
    "kpis",
    ATTAINMENT_TABLE,
    TARGETS_TABLE,
)


def plan_health(ctx: EngineContext) -> Pipeline:
    """Build, without running, the pipeline of the health and KPI stages.

    Raises:
        UserError: ``health.yml``, ``targets.yml`` or ``incentives.yml`` is invalid.
    """
    if ctx.as_of is None:
        raise ValueError("plan_health needs ctx.as_of; call resolve_as_of first")
    root = ctx.project.root
    health = require_valid(read_definition(root, "health"))
    targets = require_valid(read_definition(root, "targets"))
    incentives = require_valid(read_definition(root, "incentives"))

    pipeline = Pipeline()
    if health is not None:
        add_health_scores(pipeline, ctx, health)
        add_at_risk(pipeline, ctx, health)
    settings = targets.kpis if targets is not None else KpiSettingsSpec()
    add_kpis(pipeline, ctx, settings, decision_slas(ctx, settings))
    if incentives is not None:
        add_attainment(pipeline, ctx, incentives)
    add_targets(pipeline, ctx, targets or TargetsFileSpec())
    return pipeline


def compute_health(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> None:
    """Create the health, at-risk, KPI, attainment and target tables in ``con``.

    Raises:
        UserError: a definitions file of these stages is invalid, or a decision is
            decided before it was raised, or a forecast is negative.
    """
    pipeline = plan_health(ctx)
    check_activity_exports(con)
    _create_empty_tables(con, ctx)
    pipeline.run(con)


def decision_slas(ctx: EngineContext, settings: KpiSettingsSpec) -> dict[str, float]:
    """Return the SLA in days of each decision that has one.

    ``raci/decisions.yml`` wins when a decision there carries ``sla_days`` or
    ``sla_hours``; ``decision_sla_days`` in ``targets.yml`` fills in the others.
    """
    slas = dict(settings.decision_sla_days)
    for decision in ctx.project.decisions:
        days = getattr(decision, "sla_days", None)
        hours = getattr(decision, "sla_hours", None)
        if days is not None:
            slas[decision.name] = float(days)
        elif hours is not None:
            slas[decision.name] = float(hours) / 24
    return slas


def _create_empty_tables(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> None:
    slices = "".join(f", {quote(d.name)} VARCHAR" for d in ctx.dimensions)
    empty = {
        HEALTH_SCORES_TABLE: f"account_id VARCHAR, month DATE, score {RATIO}, band VARCHAR",
        HEALTH_BANDS_TABLE: f"month DATE, band VARCHAR{slices}, accounts BIGINT, mrr {MONEY}, "
        "moved_in BIGINT, moved_out BIGINT",
        AT_RISK_TABLE: f"as_of DATE, account_id VARCHAR{slices}, csm_owner VARCHAR, "
        f"band VARCHAR, score {RATIO}, mrr_at_risk {MONEY}, contracting BOOLEAN, "
        f"contraction_mrr {MONEY}, reason VARCHAR, renewal_date DATE, days_to_renewal BIGINT, "
        "covered BOOLEAN, covering_plays VARCHAR, tier VARCHAR, acknowledge_hours DOUBLE, "
        "resolve_hours DOUBLE",
        ATTAINMENT_TABLE: f"as_of DATE, csm_owner VARCHAR, base_accounts BIGINT, "
        f"starting_mrr {MONEY}, ending_mrr {MONEY}, retained_mrr {MONEY}, nrr {RATIO}, "
        f"grr {RATIO}, expansion_mrr {MONEY}, bookings_mrr {MONEY}, "
        f"unverified_expansion_mrr {MONEY}, nrr_attainment {RATIO}, grr_attainment {RATIO}, "
        f"bookings_attainment {RATIO}, attainment {RATIO}",
    }
    for table, columns in empty.items():
        con.execute(f"CREATE OR REPLACE TABLE {table} ({columns})")


def health_figures(con: duckdb.DuckDBPyConnection) -> dict:
    """Return the headline figures of these stages for ``results.json``.

    ``at_risk_mrr`` and ``covered_mrr`` are in the reporting currency;
    ``accounts_scored`` counts the accounts with a health band at the as-of month.
    """
    accounts, mrr, covered = con.execute(
        "SELECT count(*), COALESCE(sum(mrr_at_risk), 0), "
        "COALESCE(sum(CASE WHEN covered THEN mrr_at_risk ELSE 0 END), 0) FROM at_risk"
    ).fetchone()
    scored = con.execute(
        f"SELECT count(*) FROM {HEALTH_SCORES_TABLE} WHERE band IS NOT NULL "
        f"AND month = (SELECT max(month) FROM {HEALTH_SCORES_TABLE})"
    ).fetchone()[0]
    return {
        "at_risk_accounts": accounts,
        "at_risk_mrr": float(mrr),
        "covered_mrr": float(covered),
        "accounts_scored": scored,
    }
