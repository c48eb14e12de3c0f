"""The operating KPIs, each computed where its export exists, in one ``kpis`` table.

Columns: kpi, as_of, the project's dimensions, csm_owner, body, decision, value,
numerator, denominator. A row that does not cut by a column has ``(all)`` in it. Each
KPI, with value = numerator / denominator unless stated:

- ``forecast_accuracy`` per forecast month: 1 - Σ|forecast - actual| / Σ actual over the
  accounts forecast that month, a mean absolute percentage error weighted by actual MRR
  (so accounts with no actual MRR still count, where an unweighted MAPE would divide by
  zero). The actual MRR of an account without MRR that month is 0.
- ``forecast_bias`` per forecast month: Σ(forecast - actual) / Σ actual; above 0 means
  over-forecast.
- ``time_to_value_days``: mean days from the first day of an account's first month with
  MRR to the first day of the first month its activation signal reaches the threshold
  (0 when it did so before paying), over accounts activated by the as-of month. Only
  accounts whose first month with MRR is on or after the first month of the
  ``health_signals`` export are measured.
- ``activation_rate``: of those accounts, the activated ones over all of them.
- ``net_dollars_retained``: NRR of each rep's base accounts (MRR > 0 at M - k, owner
  from ``accounts.csm_owner``): Σ MRR(M) / Σ MRR(M - k); ``(all)`` reps is the total.
- ``expansion_pct`` and ``churn_pct``: expansion MRR and churned MRR of the same base
  accounts over their starting MRR, as the retention table defines them.
- ``win_rate``: won expansion opportunities over won and lost ones (see
  :class:`~nrrgov.spec.targets.OpportunitySpec`).
- ``decision_cycle_days``: mean days from raised_on to decided_on of decisions decided
  by the end of the as-of month, by body and decision.
- ``decision_sla_met``: the share of those decisions with an SLA decided within it.
"""

from __future__ import annotations

from collections.abc import Sequence

from nrrgov.engine.context import EngineContext
from nrrgov.engine.slices import ALL, number_literal, quote, string_literal
from nrrgov.engine.sql import Pipeline
from nrrgov.engine.types import RATIO
from nrrgov.health.risk import UNASSIGNED, month_end
from nrrgov.health.rollup import date_literal, rollup, slice_columns
from nrrgov.spec.targets import KpiSettingsSpec

KPIS_TABLE = "kpis"
OWNER_COLUMNS = ("csm_owner", "body", "decision")
KPI_NAMES = (
    "forecast_accuracy",
    "forecast_bias",
    "time_to_value_days",
    "activation_rate",
    "net_dollars_retained",
    "expansion_pct",
    "churn_pct",
    "win_rate",
    "decision_cycle_days",
    "decision_sla_met",
)


def add_kpis(
    pipeline: Pipeline,
    ctx: EngineContext,
    settings: KpiSettingsSpec,
    decision_slas: dict[str, float],
) -> None:
    """Add the ``kpis`` table to ``pipeline``.

    Args:
        settings: the ``kpis`` block of ``targets.yml`` (its defaults without the file).
        decision_slas: SLA in days by decision name.
    """
    parts = [
        *_forecast_selects(ctx),
        *_retention_selects(ctx, settings.lookback_months),
        _win_rate_select(ctx, settings),
        *_decision_selects(ctx, decision_slas),
    ]
    if settings.activation is not None:
        parts.extend(_activation_selects(ctx, settings))
    pipeline.add(KPIS_TABLE, " UNION ALL ".join(parts), "operating KPIs")


def _dimension_names(ctx: EngineContext) -> list[str]:
    return [dimension.name for dimension in ctx.dimensions]


def _kpi(
    ctx: EngineContext,
    kpi: str,
    source: str,
    value: str,
    *,
    cut_by: Sequence[str] = (),
    sliced: bool = True,
) -> str:
    """Roll ``source`` (as_of, dimensions, ``cut_by`` columns, num, den) up into kpi rows.

    ``value`` is SQL over ``numerator`` and ``denominator``. With ``sliced=False`` the
    source has no dimension columns and every row has ``(all)`` in them.
    """
    dimensions = _dimension_names(ctx)
    measures = (
        f"CAST(sum(c.num) AS {RATIO}) AS numerator, CAST(sum(c.den) AS {RATIO}) AS denominator"
    )
    rolled = rollup(source, ["as_of"], [*(dimensions if sliced else []), *cut_by], measures)
    columns = [
        quote(name) if sliced else f"{string_literal(ALL)} AS {quote(name)}" for name in dimensions
    ]
    columns.extend(
        quote(name) if name in cut_by else f"{string_literal(ALL)} AS {quote(name)}"
        for name in OWNER_COLUMNS
    )
    return (
        f"SELECT {string_literal(kpi)} AS kpi, as_of, {', '.join(columns)}, "
        f"CAST({value} AS {RATIO}) AS value, numerator, denominator FROM ({rolled})"
    )


def _ratio() -> str:
    return "numerator / NULLIF(denominator, 0)"


def _account_slices(ctx: EngineContext, mrr: str) -> str:
    columns = slice_columns(ctx.dimensions, "a", mrr)
    return "".join(f", {column}" for column in columns)


def _forecast_selects(ctx: EngineContext) -> list[str]:
    as_of = date_literal(ctx.as_of)
    rows = (
        "SELECT CAST(date_trunc('month', f.month) AS DATE) AS as_of, "
        f"CAST(f.forecast_mrr AS {RATIO}) AS forecast, "
        f"CAST(COALESCE(m.mrr, 0) AS {RATIO}) AS actual{_account_slices(ctx, 'm.mrr')} "
        "FROM forecasts AS f LEFT JOIN account_mrr AS m ON m.account_id = f.account_id "
        "AND m.month = date_trunc('month', f.month) "
        "LEFT JOIN accounts AS a ON a.account_id = f.account_id "
        f"WHERE date_trunc('month', f.month) <= {as_of}"
    )
    error = f"SELECT *, abs(forecast - actual) AS num, actual AS den FROM ({rows})"
    bias = f"SELECT *, forecast - actual AS num, actual AS den FROM ({rows})"
    return [
        _kpi(ctx, "forecast_accuracy", error, f"1 - {_ratio()}"),
        _kpi(ctx, "forecast_bias", bias, _ratio()),
    ]


def _retention_selects(ctx: EngineContext, lookback: int) -> list[str]:
    as_of = date_literal(ctx.as_of)
    base = (
        f"SELECT {as_of} AS as_of, CAST(s.mrr AS {RATIO}) AS starting, "
        f"CAST(COALESCE(e.mrr, 0) AS {RATIO}) AS ending, "
        f"COALESCE(NULLIF(a.csm_owner, ''), {string_literal(UNASSIGNED)}) AS csm_owner"
        f"{_account_slices(ctx, 's.mrr')} "
        "FROM account_mrr AS s LEFT JOIN account_mrr AS e ON e.account_id = s.account_id "
        f"AND e.month = {as_of} LEFT JOIN accounts AS a ON a.account_id = s.account_id "
        f"WHERE s.month = CAST({as_of} - to_months({lookback}) AS DATE) AND s.mrr > 0"
    )
    retained = f"SELECT *, ending AS num, starting AS den FROM ({base})"
    expansion = (
        "SELECT *, CASE WHEN ending > 0 THEN greatest(ending - starting, 0) ELSE 0 END AS num, "
        f"starting AS den FROM ({base})"
    )
    churn = (
        "SELECT *, CASE WHEN ending = 0 THEN starting ELSE 0 END AS num, starting AS den "
        f"FROM ({base})"
    )
    return [
        _kpi(ctx, "net_dollars_retained", retained, _ratio(), cut_by=["csm_owner"]),
        _kpi(ctx, "expansion_pct", expansion, _ratio()),
        _kpi(ctx, "churn_pct", churn, _ratio()),
    ]


def _win_rate_select(ctx: EngineContext, settings: KpiSettingsSpec) -> str:
    as_of = date_literal(ctx.as_of)
    reference = date_literal(month_end(ctx.as_of))
    window = settings.opportunity.won_within_months
    opportunities = (
        "SELECT o.account_id, CAST(date_trunc('month', o.occurred_at) AS DATE) AS month "
        f"FROM activities AS o WHERE o.kind = {string_literal(settings.opportunity.kind)} "
        f"AND o.occurred_at <= {reference}"
    )
    won = (
        "EXISTS (SELECT 1 FROM account_mrr AS x WHERE x.account_id = o.account_id "
        "AND x.movement = 'expansion' AND x.month >= o.month "
        f"AND x.month <= CAST(o.month + to_months({window}) AS DATE) AND x.month <= {as_of})"
    )
    decided = (
        f"SELECT {as_of} AS as_of, CASE WHEN {won} THEN 1 ELSE 0 END AS num, 1 AS den"
        f"{_account_slices(ctx, 'COALESCE(m.mrr, 0)')} FROM ({opportunities}) AS o "
        f"LEFT JOIN account_mrr AS m ON m.account_id = o.account_id AND m.month = {as_of} "
        "LEFT JOIN accounts AS a ON a.account_id = o.account_id "
        f"WHERE {won} OR CAST(o.month + to_months({window}) AS DATE) <= {as_of}"
    )
    return _kpi(ctx, "win_rate", decided, _ratio())


def _decision_selects(ctx: EngineContext, slas: dict[str, float]) -> list[str]:
    as_of = date_literal(ctx.as_of)
    reference = date_literal(month_end(ctx.as_of))
    whens = " ".join(
        f"WHEN {string_literal(name)} THEN {number_literal(days)}" for name, days in slas.items()
    )
    sla = f"CASE d.decision {whens} ELSE NULL END" if whens else "CAST(NULL AS DOUBLE)"
    decided = (
        f"SELECT {as_of} AS as_of, d.body, d.decision, "
        "date_diff('day', d.raised_on, d.decided_on) AS days, "
        f"CAST({sla} AS DOUBLE) AS sla_days FROM decisions AS d "
        f"WHERE d.decided_on IS NOT NULL AND d.decided_on <= {reference}"
    )
    cycle = f"SELECT *, days AS num, 1 AS den FROM ({decided})"
    met = (
        "SELECT *, CASE WHEN days <= sla_days THEN 1 ELSE 0 END AS num, 1 AS den "
        f"FROM ({decided}) WHERE sla_days IS NOT NULL"
    )
    cut_by = ["body", "decision"]
    return [
        _kpi(ctx, "decision_cycle_days", cycle, _ratio(), cut_by=cut_by, sliced=False),
        _kpi(ctx, "decision_sla_met", met, _ratio(), cut_by=cut_by, sliced=False),
    ]


def _activation_selects(ctx: EngineContext, settings: KpiSettingsSpec) -> list[str]:
    activation = settings.activation
    as_of = date_literal(ctx.as_of)
    # Accounts that started paying before the signal history began may have activated
    # unseen, so only accounts whose first month with MRR is inside it are measured.
    firsts = (
        "SELECT account_id, min(month) AS first_month FROM account_mrr "
        f"WHERE mrr > 0 AND month <= {as_of} GROUP BY account_id "
        "HAVING min(month) >= (SELECT min(date_trunc('month', month)) FROM health_signals)"
    )
    activated = (
        "SELECT account_id, min(CAST(date_trunc('month', month) AS DATE)) AS activation_month "
        f"FROM health_signals WHERE signal = {string_literal(activation.signal)} "
        f"AND value >= {number_literal(activation.min_value)} "
        f"AND date_trunc('month', month) <= {as_of} GROUP BY account_id"
    )
    accounts = (
        f"SELECT {as_of} AS as_of, f.first_month, v.activation_month"
        f"{_account_slices(ctx, 'COALESCE(m.mrr, 0)')} FROM ({firsts}) AS f "
        f"LEFT JOIN ({activated}) AS v USING (account_id) "
        f"LEFT JOIN account_mrr AS m ON m.account_id = f.account_id AND m.month = {as_of} "
        "LEFT JOIN accounts AS a ON a.account_id = f.account_id"
    )
    days = (
        "SELECT *, greatest(date_diff('day', first_month, activation_month), 0) AS num, "
        f"1 AS den FROM ({accounts}) WHERE activation_month IS NOT NULL"
    )
    rate = (
        "SELECT *, CASE WHEN activation_month IS NULL THEN 0 ELSE 1 END AS num, 1 AS den "
        f"FROM ({accounts})"
    )
    return [
        _kpi(ctx, "time_to_value_days", days, _ratio()),
        _kpi(ctx, "activation_rate", rate, _ratio()),
    ]
