"""Requirements of Incentives & Guardrails, Operating Cadence and Risk & Escalation."""

from __future__ import annotations

from nrrgov.assess.capabilities import decided_by, find_body, play_items, text_of
from nrrgov.assess.inputs import Inputs
from nrrgov.assess.model import Requirement

WEIGHT_TOLERANCE = 1e-9
QBR_WORDS = ("qbr", "business review")


def incentives(inputs: Inputs) -> list[Requirement]:
    """NRR-weighted compensation with adoption verification and approval limits."""
    file, bodies = inputs.file("incentives"), inputs.file("bodies")
    data = file.data if isinstance(file.data, dict) else {}
    plan = data.get("plan") if isinstance(data.get("plan"), dict) else {}
    weights = plan.get("weights") if isinstance(plan.get("weights"), dict) else {}
    numbers = {k: v for k, v in weights.items() if isinstance(v, int | float)}

    nrr_led = (
        numbers
        and abs(sum(numbers.values()) - 1) <= WEIGHT_TOLERANCE
        and numbers.get("nrr", 0) == max(numbers.values())
    )

    roles = {
        text_of(member.get("role"))
        for _i, body in bodies.items("bodies")
        for member in body.get("members") or []
        if isinstance(member, dict)
    }
    limits = [limit for limit in data.get("approval_limits") or [] if isinstance(limit, dict)]
    limited = limits and all(limit.get("approver") in roles for limit in limits)

    verification = data.get("adoption_verification")
    reps = inputs.tables.scalar("SELECT count(*) FROM attainment")
    return [
        Requirement(
            2,
            "a compensation plan written down",
            f"{file.where('plan')}: plan {plan.get('name')!r}" if plan else None,
            (file.display_path,),
        ),
        Requirement(
            3,
            "NRR carries the largest weight and the weights sum to 1",
            f"{file.where('plan', 'weights')}: nrr {numbers.get('nrr')}" if nrr_led else None,
            (file.display_path,),
        ),
        Requirement(
            3,
            "discounts above a limit need a named role's approval",
            f"{file.where('approval_limits')}: {len(limits)} limits" if limited else None,
            (file.display_path, bodies.display_path),
        ),
        Requirement(
            4,
            "expansion credited only after adoption is verified",
            f"{file.where('adoption_verification')}: signal {verification.get('signal')!r}"
            if isinstance(verification, dict)
            else None,
            (file.display_path,),
        ),
        Requirement(
            4,
            "attainment computed per rep",
            f"{inputs.table_where('attainment')}: {reps} reps" if reps else None,
            (inputs.table_where("attainment"),),
        ),
    ]


def operating_cadence(inputs: Inputs) -> list[Requirement]:
    """Weekly health and pipeline reviews, QBRs and a monthly council, held and logged."""
    bodies, health = inputs.file("bodies"), inputs.file("health")
    cadenced = find_body(bodies, lambda b: bool(b.get("cadence")))
    weekly = find_body(bodies, lambda b: b.get("cadence") == "weekly")
    monthly = find_body(bodies, lambda b: b.get("cadence") == "monthly")
    qbr = _qbr_evidence(inputs)
    scored = inputs.tables.scalar(
        "SELECT count(*) FROM health_scores WHERE month = (SELECT max(as_of) FROM metrics)"
    )
    deciding = [
        text_of(body.get("name"))
        for _i, body in bodies.items("bodies")
        if decided_by(inputs, text_of(body.get("name")))
    ]
    return [
        Requirement(
            2, "bodies meet on a set cadence", _cadence(bodies, cadenced), (bodies.display_path,)
        ),
        Requirement(
            3,
            "a weekly review (health and pipeline)",
            _cadence(bodies, weekly),
            (bodies.display_path,),
        ),
        Requirement(3, "a monthly council", _cadence(bodies, monthly), (bodies.display_path,)),
        Requirement(3, "quarterly business reviews", qbr, (bodies.display_path, "plays/*.yml")),
        Requirement(
            3,
            "a health score to review",
            f"{health.where('components')}: health score defined" if health.exists else None,
            (health.display_path,),
        ),
        Requirement(
            4,
            "health scored for the last month",
            f"{inputs.table_where('health_scores')}: {scored} accounts" if scored else None,
            (inputs.table_where("health_scores"),),
        ),
        Requirement(
            4,
            "decisions logged by at least two bodies",
            f"{inputs.table_where('kpis')}: decisions by {', '.join(deciding)}"
            if len(deciding) >= 2
            else None,
            (inputs.table_where("kpis"),),
        ),
    ]


def _cadence(bodies, found) -> str | None:
    if found is None:
        return None
    index, body = found
    return f"{bodies.where('bodies', index, 'cadence')}: {body.get('name')} {body.get('cadence')}"


def _qbr_evidence(inputs: Inputs) -> str | None:
    bodies = inputs.file("bodies")
    quarterly = find_body(bodies, lambda b: b.get("cadence") == "quarterly")
    if quarterly is not None:
        return _cadence(bodies, quarterly)
    for file, path, play in play_items(inputs):
        for index, step in enumerate(play.get("steps") or []):
            if any(word in text_of(step).lower() for word in QBR_WORDS):
                return f"{file.where(*path, 'steps', index)}: {step}"
    return None


def risk_escalation(inputs: Inputs) -> list[Requirement]:
    """At-risk accounts found early and escalated through tiers with SLAs."""
    health, escalation = inputs.file("health"), inputs.file("escalation")
    data = health.data if isinstance(health.data, dict) else {}
    bands = [b for b in data.get("bands") or [] if isinstance(b, dict)]
    tiers = escalation.items("tiers")
    timed = tiers and all(
        tier.get("acknowledge_hours") and tier.get("resolve_hours") for _i, tier in tiers
    )
    rules = data.get("escalation") or []
    at_risk = inputs.tables.rows(
        "SELECT count(*), count(tier), sum(CASE WHEN covered THEN 1 ELSE 0 END) FROM at_risk"
    )
    accounts, tiered, covered = at_risk[0] if at_risk else (0, 0, 0)
    return [
        Requirement(
            2,
            "health bands that flag red accounts",
            f"{health.where('bands')}: {len(bands)} bands"
            if any(b.get("name") == "red" for b in bands)
            else None,
            (health.display_path,),
        ),
        Requirement(
            2,
            "escalation tiers",
            f"{escalation.where('tiers')}: {len(tiers)} tiers" if tiers else None,
            (escalation.display_path,),
        ),
        Requirement(
            3,
            "every tier has acknowledge and resolve SLAs",
            f"{escalation.where('tiers')}: SLA hours on every tier" if timed else None,
            (escalation.display_path,),
        ),
        Requirement(
            3,
            "rules send at-risk accounts to a tier",
            f"{health.where('escalation')}: {len(rules)} rules" if rules else None,
            (health.display_path,),
        ),
        Requirement(
            4,
            "at-risk accounts computed and assigned a tier",
            f"{inputs.table_where('at_risk')}: {accounts} accounts, {tiered} with a tier"
            if accounts and tiered == accounts
            else None,
            (inputs.table_where("at_risk"),),
        ),
        Requirement(
            4,
            "plays cover at-risk accounts",
            f"{inputs.table_where('at_risk')}: {covered} of {accounts} covered"
            if covered
            else None,
            (inputs.table_where("at_risk"),),
        ),
    ]
