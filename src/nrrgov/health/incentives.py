"""Attainment of each account owner against the NRR-weighted compensation plan.

For the lookback k of the plan and the as-of month M, a rep's accounts are those whose
``accounts.csm_owner`` is the rep today:

- nrr = Σ MRR(M) / Σ MRR(M - k) and grr = Σ min(MRR(M), MRR(M - k)) / Σ MRR(M - k) over
  the rep's accounts with MRR > 0 at M - k;
- bookings = expansion MRR (monthly ``expansion`` movements) of the rep's accounts in
  the months M - k + 1 .. M that passed adoption verification: the verification signal
  reached its threshold in a month starting no more than ``within_days`` days after
  the first day of the expansion month (that month included). Without an
  ``adoption_verification`` block every expansion counts.

Each measure's attainment is its value over its quota, capped at ``max_attainment``;
the rep's attainment is the weighted sum over the plan's weights.
"""

from __future__ import annotations

from nrrgov.engine.context import EngineContext
from nrrgov.engine.slices import number_literal, string_literal
from nrrgov.engine.sql import Pipeline
from nrrgov.engine.types import MONEY, RATIO
from nrrgov.health.risk import UNASSIGNED
from nrrgov.health.rollup import date_literal
from nrrgov.spec.incentives import PLAN_MEASURES, IncentivesFileSpec

ATTAINMENT_TABLE = "attainment"


def add_attainment(pipeline: Pipeline, ctx: EngineContext, spec: IncentivesFileSpec) -> None:
    """Add the ``attainment`` table: one row per rep at the as-of month."""
    pipeline.add(ATTAINMENT_TABLE, _attainment_select(ctx, spec), "attainment per rep")


def _owner(alias: str) -> str:
    return f"COALESCE(NULLIF({alias}.csm_owner, ''), {string_literal(UNASSIGNED)})"


def _attainment_select(ctx: EngineContext, spec: IncentivesFileSpec) -> str:
    plan = spec.plan
    as_of = date_literal(ctx.as_of)
    start = f"CAST({as_of} - to_months({plan.lookback_months}) AS DATE)"
    base = (
        f"SELECT {_owner('a')} AS csm_owner, count(*) AS base_accounts, "
        f"CAST(sum(s.mrr) AS {MONEY}) AS starting_mrr, "
        f"CAST(sum(COALESCE(e.mrr, 0)) AS {MONEY}) AS ending_mrr, "
        f"CAST(sum(least(s.mrr, COALESCE(e.mrr, 0))) AS {MONEY}) AS retained_mrr "
        "FROM account_mrr AS s LEFT JOIN account_mrr AS e ON e.account_id = s.account_id "
        f"AND e.month = {as_of} LEFT JOIN accounts AS a ON a.account_id = s.account_id "
        f"WHERE s.month = {start} AND s.mrr > 0 GROUP BY 1"
    )
    verified = _verified(spec)
    expansions = (
        f"SELECT {_owner('a')} AS csm_owner, "
        f"CAST(sum(x.movement_mrr) AS {MONEY}) AS expansion_mrr, "
        f"CAST(sum(CASE WHEN {verified} THEN x.movement_mrr ELSE 0 END) AS {MONEY}) "
        "AS bookings_mrr FROM account_mrr AS x "
        "LEFT JOIN accounts AS a ON a.account_id = x.account_id "
        f"WHERE x.movement = 'expansion' AND x.month > {start} AND x.month <= {as_of} "
        "GROUP BY 1"
    )
    measures = (
        "b.base_accounts, b.starting_mrr, b.ending_mrr, b.retained_mrr, "
        f"CAST(b.ending_mrr / NULLIF(b.starting_mrr, 0) AS {RATIO}) AS nrr, "
        f"CAST(b.retained_mrr / NULLIF(b.starting_mrr, 0) AS {RATIO}) AS grr, "
        f"COALESCE(x.expansion_mrr, 0) AS expansion_mrr, "
        f"COALESCE(x.bookings_mrr, 0) AS bookings_mrr, "
        "COALESCE(x.expansion_mrr, 0) - COALESCE(x.bookings_mrr, 0) "
        "AS unverified_expansion_mrr"
    )
    rows = (
        f"SELECT {as_of} AS as_of, COALESCE(b.csm_owner, x.csm_owner) AS csm_owner, "
        f"{measures} FROM ({base}) AS b FULL JOIN ({expansions}) AS x USING (csm_owner)"
    )
    return f"SELECT *, {_attainment_columns(spec)} FROM ({rows})"


def _verified(spec: IncentivesFileSpec) -> str:
    check = spec.adoption_verification
    if check is None:
        return "TRUE"
    return (
        "EXISTS (SELECT 1 FROM health_signals AS g WHERE g.account_id = x.account_id "
        f"AND g.signal = {string_literal(check.signal)} "
        f"AND g.value >= {number_literal(check.min_value)} "
        "AND date_trunc('month', g.month) >= x.month "
        f"AND date_trunc('month', g.month) <= x.month + INTERVAL {check.within_days} DAY)"
    )


def _attainment_columns(spec: IncentivesFileSpec) -> str:
    plan = spec.plan
    cap = number_literal(plan.max_attainment)
    values = {"nrr": "nrr", "grr": "grr", "bookings": "bookings_mrr"}
    columns, weighted = [], []
    for measure in PLAN_MEASURES:
        quota = plan.quotas.get(measure)
        attained = (
            f"least(CAST({values[measure]} AS {RATIO}) / {number_literal(quota)}, {cap})"
            if quota
            else "NULL"
        )
        columns.append(f"CAST({attained} AS {RATIO}) AS {measure}_attainment")
        if measure in plan.weights:
            weight = number_literal(plan.weights[measure])
            weighted.append(f"{weight} * COALESCE({attained}, 0)")
    total = " + ".join(weighted) or "NULL"
    columns.append(f"CAST({total} AS {RATIO}) AS attainment")
    return ", ".join(columns)
