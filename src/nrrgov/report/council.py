"""Shape the play review page: each play's recommendation, the rule behind it, its figures,
and the rankings that show where budget and headcount should move."""

from __future__ import annotations

from nrrgov.report.tables import ReportTables, count, money, number, ratio

# Recommendation -> the badge style of the existing status colours.
BADGES = {
    "scale": "on_track",
    "keep": "on_track",
    "iterate": "at_risk",
    "start": "at_risk",
    "stop": "off_track",
}
BREACH_ROWS = 10


def council_data(tables: ReportTables) -> dict:
    """Shape the ``council``, ``holdouts`` and ``play_sla`` tables for the page.

    Returns:
        ``plays`` (one entry per reviewed play with its recommendation, rule, condition
        and figures), ``by_roi`` and ``by_risk`` (plays ranked by return and by at-risk
        MRR covered), ``uncovered`` (at-risk MRR that no active play covers),
        ``moves`` (plays to fund and plays to defund) and ``breaches`` (the owners with
        the most SLA breaches). Empty lists when the run has no plays.
    """
    if not tables.has("council"):
        return _empty()
    rows = tables.query("SELECT * FROM council ORDER BY play")
    if not rows:
        return _empty()
    holdouts = _holdouts(tables)
    plays = [_play(row, holdouts.get(row["play"], {})) for row in rows]
    by_roi = sorted((p for p in plays if p["roi"] is not None), key=lambda p: -p["roi"])
    by_risk = sorted(
        (p for p in plays if p["at_risk_mrr_covered"]), key=lambda p: -p["at_risk_mrr_covered"]
    )
    return {
        "plays": plays,
        "by_roi": by_roi,
        "by_risk": by_risk,
        "uncovered": money(rows[0].get("at_risk_mrr_uncovered")),
        "moves": _moves(plays),
        "breaches": _breaches(tables),
    }


def _empty() -> dict:
    return {
        "plays": [],
        "by_roi": [],
        "by_risk": [],
        "uncovered": None,
        "moves": {"fund": [], "defund": []},
        "breaches": [],
    }


def _holdouts(tables: ReportTables) -> dict[str, dict]:
    if not tables.has("holdouts"):
        return {}
    return {row["play"]: row for row in tables.query("SELECT * FROM holdouts")}


def _play(row: dict, holdout: dict) -> dict:
    recommendation = row.get("recommendation")
    return {
        "play": row["play"],
        "label": row.get("label") or row["play"],
        "motion": row.get("motion"),
        "owner": row.get("owner"),
        "status": row.get("status"),
        "recommendation": recommendation,
        "badge": BADGES.get(recommendation or "", "at_risk"),
        "rule": row.get("rule"),
        "condition": row.get("rule_condition"),
        "uplift": ratio(row.get("uplift")),
        "ci_low": ratio(row.get("ci_low")),
        "ci_high": ratio(row.get("ci_high")),
        "treatment_nrr": ratio(holdout.get("treatment_nrr")),
        "holdout_nrr": ratio(holdout.get("holdout_nrr")),
        "decision": holdout.get("decision"),
        "treatment_size": count(row.get("treatment_size")),
        "holdout_size": count(row.get("holdout_size")),
        "srm_p_value": number(row.get("srm_p_value")),
        "roi": number(row.get("roi")),
        "incremental_arr": money(row.get("incremental_arr")),
        "annual_cost": money(row.get("annual_cost")),
        "sla_compliance": ratio(row.get("sla_compliance")),
        "sla_breaches": count(row.get("sla_breaches")),
        "eligible": count(row.get("eligible")),
        "enrolled": count(row.get("enrolled")),
        "at_risk_mrr_covered": money(row.get("at_risk_mrr_covered")),
    }


def _moves(plays: list[dict]) -> dict[str, list[dict]]:
    """Plays to fund (scale, then keep, by return) and to defund (stop)."""
    fund = [p for p in plays if p["recommendation"] in ("scale", "keep")]
    fund.sort(key=lambda p: (p["recommendation"] != "scale", -(p["roi"] or 0)))
    defund = [p for p in plays if p["recommendation"] == "stop"]
    return {"fund": fund, "defund": defund}


def _breaches(tables: ReportTables) -> list[dict]:
    if not tables.has("play_sla"):
        return []
    return tables.query(
        "SELECT csm_owner, play, breaches, due, compliance FROM play_sla "
        f"WHERE breaches > 0 ORDER BY breaches DESC, csm_owner, play LIMIT {BREACH_ROWS}"
    )
