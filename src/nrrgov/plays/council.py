"""The monthly review: a stop / keep / scale / iterate / start recommendation per play.

Each play that is not retired gets the figures in :data:`FIGURES`. The council rules are
tried in order and the first whose condition holds gives the recommendation; the
``council`` table keeps the rule's name and condition beside the figures it read. A
rule reading a figure that is NULL (no interval for an inconclusive play, say) does not
hold, so the next rule is tried. A play that no rule matches gets no recommendation.
"""

from __future__ import annotations

import duckdb

from nrrgov.engine.slices import string_literal
from nrrgov.plays.eligibility import AT_RISK_TABLE, ELIGIBLE_TABLE
from nrrgov.plays.expressions import compile_condition
from nrrgov.plays.roi import RETURNS_TABLE
from nrrgov.plays.sla import SLA_TABLE
from nrrgov.plays.uplift import HOLDOUTS_TABLE
from nrrgov.spec.plays import CouncilRuleSpec, PlaySpec

COUNCIL_TABLE = "council"

FIGURES: dict[str, str] = {
    "status": "the play's status: 'draft', 'active' or 'paused'",
    "motion": "the play's motion, such as 'renewal_prep'",
    "uplift": "treatment NRR minus holdout NRR over the outcome window",
    "ci_low": "lower bound of the 95% bootstrap interval of the uplift; NULL if inconclusive",
    "ci_high": "upper bound of that interval; NULL if inconclusive",
    "treatment_size": "measured treatment accounts",
    "holdout_size": "measured holdout accounts",
    "srm_p_value": "p-value of the sample-ratio test against the declared holdout share",
    "roi": "incremental ARR over annual cost",
    "incremental_arr": "12 × uplift × the starting MRR of the measured treatment accounts",
    "annual_cost": "12 × (FTE × loaded monthly cost + program spend per month)",
    "sla_compliance": "share of due treatment enrollments touched within the first-touch SLA",
    "sla_breaches": "due treatment enrollments not touched within the SLA",
    "eligible": "accounts meeting the entry criteria in the as-of month",
    "enrolled": "eligible accounts enrolled in the play (either group)",
    "at_risk_mrr_covered": "MRR of at-risk accounts that meet the play's entry criteria",
    "at_risk_mrr_uncovered": "MRR of at-risk accounts that no active play covers (the "
    "same for every play)",
}

DEFAULT_RULES: tuple[CouncilRuleSpec, ...] = (
    CouncilRuleSpec(
        name="start_when_approved",
        recommendation="start",
        when="status = 'draft'",
        description="A draft play awaits approval to start.",
    ),
    CouncilRuleSpec(
        name="fix_assignment",
        recommendation="iterate",
        when="srm_p_value < 0.001",
        description="The group sizes do not match the holdout share: fix the assignment.",
    ),
    CouncilRuleSpec(
        name="stop_when_harmful",
        recommendation="stop",
        when="ci_high < 0",
        description="The whole interval is below zero once the outcome window has passed.",
    ),
    CouncilRuleSpec(
        name="scale_strong_return",
        recommendation="scale",
        when="ci_low > 0 AND roi > 3 AND at_risk_mrr_uncovered > 50000",
        description="A proven play with a high return while much at-risk MRR is uncovered.",
    ),
    CouncilRuleSpec(
        name="keep_paying_play",
        recommendation="keep",
        when="ci_low > 0 AND roi > 1",
        description="The uplift is above zero and the play pays for itself.",
    ),
    CouncilRuleSpec(
        name="iterate_otherwise",
        recommendation="iterate",
        when="TRUE",
        description="The interval spans zero, the sample is too small, or the return is low.",
    ),
)


def create_council(
    con: duckdb.DuckDBPyConnection,
    plays: tuple[PlaySpec, ...],
    rules: tuple[CouncilRuleSpec, ...],
) -> None:
    """Create ``council`` from the figures of every play that is not retired.

    Reads ``holdouts``, ``plays_returns``, ``play_sla``, ``plays_eligible`` and
    ``plays_at_risk``. Adds ``rank_by_roi`` and ``rank_by_at_risk_covered`` (1 is best)
    to show where budget and headcount should move.
    """
    reviewed = tuple(play for play in plays if play.status != "retired")
    active = [play.name for play in plays if play.status == "active"]
    _create_figures(con, reviewed, active)
    recommendation, rule_name, condition = _rule_columns(rules)
    figures = ", ".join(f"f.{name}" for name in FIGURES if name not in ("status", "motion"))
    con.execute(f"""
        CREATE OR REPLACE TABLE {COUNCIL_TABLE} AS
        SELECT f.play, f.label, f.motion, f.owner, f.status, f.version,
               {recommendation} AS recommendation, {rule_name} AS rule,
               {condition} AS rule_condition, {figures},
               CASE WHEN f.roi IS NOT NULL
                    THEN rank() OVER (ORDER BY f.roi DESC NULLS LAST) END AS rank_by_roi,
               CASE WHEN f.at_risk_mrr_covered > 0
                    THEN rank() OVER (ORDER BY f.at_risk_mrr_covered DESC) END
                 AS rank_by_at_risk_covered
        FROM plays_figures AS f
        ORDER BY f.play
    """)


def _rule_columns(rules: tuple[CouncilRuleSpec, ...]) -> tuple[str, str, str]:
    """Return three CASE expressions: the recommendation, the rule name, its condition."""
    if not rules:
        return "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    conditions = [compile_condition(rule.when, FIGURES).sql(dialect="duckdb") for rule in rules]
    cases = []
    for field in ("recommendation", "name", "when"):
        whens = " ".join(
            f"WHEN ({condition}) THEN {string_literal(getattr(rule, field))}"
            for condition, rule in zip(conditions, rules, strict=True)
        )
        cases.append(f"CASE {whens} END")
    return cases[0], cases[1], cases[2]


def _create_figures(
    con: duckdb.DuckDBPyConnection, plays: tuple[PlaySpec, ...], active: list[str]
) -> None:
    values = ", ".join(
        "(" + ", ".join(
            [string_literal(p.name), string_literal(p.label), string_literal(p.motion),
             string_literal(p.owner), string_literal(p.status), str(p.version)]
        ) + ")"
        for p in plays
    )  # fmt: skip
    active_list = ", ".join(string_literal(name) for name in active) or "NULL"
    con.execute(f"""
        CREATE OR REPLACE TABLE plays_figures AS
        WITH specs AS (
            SELECT * FROM (VALUES {values or "(NULL, NULL, NULL, NULL, NULL, NULL)"})
              AS s(play, label, motion, owner, status, version)
            WHERE play IS NOT NULL
        ), sla AS (
            SELECT play, sum(in_sla) / NULLIF(sum(due), 0) AS sla_compliance,
                   sum(breaches) AS sla_breaches
            FROM {SLA_TABLE} GROUP BY play
        ), eligibility AS (
            SELECT e.play, count(*) AS eligible,
                   count(*) FILTER (WHERE e.account_id IN (
                       SELECT account_id FROM play_enrollments AS p WHERE p.play = e.play
                   )) AS enrolled,
                   COALESCE(sum(r.mrr), 0) AS at_risk_mrr_covered
            FROM {ELIGIBLE_TABLE} AS e
            LEFT JOIN {AT_RISK_TABLE} AS r ON r.account_id = e.account_id
            GROUP BY e.play
        ), uncovered AS (
            SELECT COALESCE(sum(r.mrr), 0) AS at_risk_mrr_uncovered
            FROM {AT_RISK_TABLE} AS r
            WHERE r.account_id NOT IN (
                SELECT account_id FROM {ELIGIBLE_TABLE} WHERE play IN ({active_list})
            )
        )
        SELECT s.*, h.uplift, h.ci_low, h.ci_high, h.treatment_size, h.holdout_size,
               h.srm_p_value, r.roi, r.incremental_arr, r.annual_cost,
               l.sla_compliance, COALESCE(l.sla_breaches, 0) AS sla_breaches,
               COALESCE(e.eligible, 0) AS eligible, COALESCE(e.enrolled, 0) AS enrolled,
               COALESCE(e.at_risk_mrr_covered, 0) AS at_risk_mrr_covered,
               u.at_risk_mrr_uncovered
        FROM specs AS s
        CROSS JOIN uncovered AS u
        LEFT JOIN {HOLDOUTS_TABLE} AS h USING (play)
        LEFT JOIN {RETURNS_TABLE} AS r USING (play)
        LEFT JOIN sla AS l USING (play)
        LEFT JOIN eligibility AS e USING (play)
    """)
