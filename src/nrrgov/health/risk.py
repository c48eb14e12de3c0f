"""At-risk MRR: red or contracting accounts that renew soon, their play coverage and tier.

The reference day is the last day of the as-of month. An account with MRR at the as-of
month is at risk when its band is one of ``at_risk.bands`` or it is contracting (its MRR
is below its MRR ``contraction_lookback_months`` before), and its next renewal is at
most ``renewal_window_days`` after the reference day.

Renewal dates, from the subscriptions in service on the reference day:

- a subscription billed every p > 1 months (annual, semiannual, quarterly) renews on
  the first date start_date + k × p months after the reference day;
- a monthly subscription renews at the end of the following month, its next chance to
  cancel after the current month is paid;
- an account renews on the earliest renewal of its subscriptions. An account with none
  in service (or an ``mrr`` revenue input, which has no subscriptions) renews monthly.

An at-risk account is covered when it is enrolled, on or before the reference day, in
the treatment group of a play whose spec in ``plays/`` has status ``active`` (of any
enrolled play when the project has no play files). The escalation tier is that of the
last rule in ``health.yml`` ``escalation`` whose conditions hold.
"""

from __future__ import annotations

import importlib
import logging
from datetime import date, timedelta
from pathlib import Path

from nrrgov.engine.context import EngineContext
from nrrgov.engine.slices import number_literal, quote, string_literal
from nrrgov.engine.sql import Pipeline
from nrrgov.engine.types import MONEY
from nrrgov.health.rollup import date_literal, slice_columns
from nrrgov.spec.health import HealthFileSpec

logger = logging.getLogger(__name__)

AT_RISK_TABLE = "at_risk"
# The csm_owner of accounts without one.
UNASSIGNED = "(unassigned)"


def month_end(month: date) -> date:
    """Return the last day of the month that starts on ``month``.

    >>> month_end(date(2026, 2, 1))
    datetime.date(2026, 2, 28)
    """
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)


def add_at_risk(pipeline: Pipeline, ctx: EngineContext, spec: HealthFileSpec) -> None:
    """Add ``at_risk``: one row per at-risk account at the as-of month."""
    pipeline.add(AT_RISK_TABLE, _at_risk_select(ctx, spec), "at-risk accounts and coverage")


def _at_risk_select(ctx: EngineContext, spec: HealthFileSpec) -> str:
    reference = date_literal(month_end(ctx.as_of))
    as_of = date_literal(ctx.as_of)
    lookback = spec.at_risk.contraction_lookback_months
    bands = ", ".join(string_literal(band) for band in spec.at_risk.bands)
    slices = "".join(f", {column}" for column in slice_columns(ctx.dimensions, "a", "m.mrr"))
    candidates = (
        f"SELECT m.account_id, CAST(m.mrr AS {MONEY}) AS mrr, h.band, h.score, "
        f"CAST(COALESCE(p.mrr, 0) AS {MONEY}) AS earlier_mrr, "
        f"COALESCE(NULLIF(a.csm_owner, ''), {string_literal(UNASSIGNED)}) AS csm_owner{slices}, "
        f"COALESCE(h.band IN ({bands}), FALSE) AS risk_band, "
        "COALESCE(m.mrr < p.mrr, FALSE) AS contracting "
        "FROM account_mrr AS m "
        "LEFT JOIN health_scores AS h ON h.account_id = m.account_id AND h.month = m.month "
        "LEFT JOIN account_mrr AS p ON p.account_id = m.account_id "
        f"AND p.month = CAST({as_of} - to_months({lookback}) AS DATE) "
        "LEFT JOIN accounts AS a ON a.account_id = m.account_id "
        f"WHERE m.month = {as_of} AND m.mrr > 0"
    )
    renewals = _renewals_select(ctx, reference)
    coverage = _coverage_select(ctx, reference)
    tier = _tier_case(spec)
    hours = _tier_hours(ctx)
    names = "".join(f", c.{quote(d.name)}" for d in ctx.dimensions)
    window = spec.at_risk.renewal_window_days
    return (
        f"WITH candidates AS ({candidates}), renewals AS ({renewals}), "
        f"coverage AS ({coverage}), "
        f"risky AS (SELECT c.*, COALESCE(r.renewal_date, {_monthly_renewal(ctx.as_of)}) "
        "AS renewal_date FROM candidates AS c LEFT JOIN renewals AS r USING (account_id) "
        "WHERE c.risk_band OR c.contracting), "
        f"dated AS (SELECT *, date_diff('day', {reference}, renewal_date) AS days_to_renewal "
        f"FROM risky), "
        f"tiered AS (SELECT *, {tier} AS tier FROM dated WHERE days_to_renewal <= {window}) "
        f"SELECT {as_of} AS as_of, c.account_id{names}, c.csm_owner, c.band, c.score, "
        "c.mrr AS mrr_at_risk, c.contracting, "
        f"CAST(CASE WHEN c.contracting THEN c.earlier_mrr - c.mrr ELSE 0 END AS {MONEY}) "
        "AS contraction_mrr, "
        "CASE WHEN c.risk_band AND c.contracting THEN 'band and contraction' "
        "WHEN c.risk_band THEN 'band' ELSE 'contraction' END AS reason, "
        "c.renewal_date, c.days_to_renewal, v.plays IS NOT NULL AS covered, "
        f"v.plays AS covering_plays, c.tier, {hours} "
        "FROM tiered AS c LEFT JOIN coverage AS v USING (account_id)"
    )


def _monthly_renewal(as_of: date) -> str:
    following = date(as_of.year + as_of.month // 12, as_of.month % 12 + 1, 1)
    return date_literal(month_end(following))


def _renewals_select(ctx: EngineContext, reference: str) -> str:
    """Return SQL of each account's earliest renewal, from its subscriptions in service."""
    if ctx.project.source("subscriptions") is None:
        return "SELECT CAST(NULL AS VARCHAR) AS account_id, CAST(NULL AS DATE) AS renewal_date"
    statuses = ", ".join(string_literal(s) for s in ctx.options.no_revenue_statuses) or "''"
    months = f"date_diff('month', s.start_date, {reference})"
    period = "s.period_months"
    anniversary = (
        f"CAST(s.start_date + to_months(CAST((floor({months} / {period}) + 1) * {period} "
        "AS INTEGER)) AS DATE)"
    )
    renewal = f"CASE WHEN {period} > 1 THEN {anniversary} ELSE {_monthly_renewal(ctx.as_of)} END"
    return (
        f"SELECT s.account_id, min({renewal}) AS renewal_date FROM subscriptions AS s "
        f"WHERE s.start_date <= {reference} "
        f"AND (s.end_date IS NULL OR s.end_date > {reference}) "
        f"AND COALESCE(s.status, '') NOT IN ({statuses}) GROUP BY s.account_id"
    )


def _coverage_select(ctx: EngineContext, reference: str) -> str:
    active = active_plays(ctx.project.root)
    condition = ""
    if active is not None:
        listed = ", ".join(string_literal(play) for play in sorted(active)) or "NULL"
        condition = f"AND e.play IN ({listed}) "
    return (
        "SELECT e.account_id, string_agg(DISTINCT e.play, ', ' ORDER BY e.play) AS plays "
        "FROM play_enrollments AS e WHERE e.\"group\" = 'treatment' "
        f"AND e.enrolled_on <= {reference} {condition}GROUP BY e.account_id"
    )


def active_plays(root: Path) -> set[str] | None:
    """Return the plays whose spec in ``plays/`` has status ``active``.

    Returns None, so that every enrolled play counts, when the project has no play
    files or ``nrrgov.plays`` is not installed.
    """
    try:
        loader = importlib.import_module("nrrgov.plays.loader")
    except ImportError:
        return None
    playbook, _findings = loader.load_plays(root)
    if not playbook.files:
        return None
    return {spec.name for spec in playbook.specs if spec.status == "active"}


def _tier_case(spec: HealthFileSpec) -> str:
    if not spec.escalation:
        return "CAST(NULL AS VARCHAR)"
    whens = []
    for rule in reversed(spec.escalation):
        conditions = [f"mrr >= {number_literal(rule.min_mrr_at_risk)}"]
        if rule.max_days_to_renewal is not None:
            conditions.append(f"days_to_renewal <= {rule.max_days_to_renewal}")
        whens.append(f"WHEN {' AND '.join(conditions)} THEN {string_literal(rule.tier)}")
    return f"CASE {' '.join(whens)} ELSE NULL END"


def _tier_hours(ctx: EngineContext) -> str:
    """Return SQL of the acknowledge and resolve hours of the row's escalation tier."""
    tiers = ctx.project.escalation_tiers
    columns = []
    for field in ("acknowledge_hours", "resolve_hours"):
        whens = " ".join(
            f"WHEN {string_literal(tier.name)} THEN {number_literal(getattr(tier, field))}"
            for tier in tiers
            if getattr(tier, field) is not None
        )
        value = f"CASE c.tier {whens} ELSE NULL END" if whens else "NULL"
        columns.append(f"CAST({value} AS DOUBLE) AS {field}")
    return ", ".join(columns)
