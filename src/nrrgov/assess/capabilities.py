"""The requirements of each maturity level, per capability, checked against the inputs.

Level 2 (defined) requires the charter or the definitions in the repository. Level 3
(managed) requires the rules that make them governable: owners, SLAs, weights, limits.
Level 4 (operationalized) requires evidence in the data that the loop runs.
"""

from __future__ import annotations

from collections.abc import Callable

from nrrgov.assess.inputs import Inputs, YamlFile
from nrrgov.assess.model import Requirement

COUNCIL_DECISIONS = ("target_setting", "budget_shift")


def text_of(value: object) -> str:
    return value if isinstance(value, str) else ""


def find_body(bodies: YamlFile, test: Callable[[dict], bool]) -> tuple[int, dict] | None:
    return next(((i, body) for i, body in bodies.items("bodies") if test(body)), None)


def _takes(body: dict, decision: str) -> bool:
    decisions = body.get("decisions")
    return isinstance(decisions, list) and decision in decisions


def council_body(inputs: Inputs) -> tuple[int, dict] | None:
    """Return the body that sets targets or shifts budget (the Revenue Council)."""
    bodies = inputs.file("bodies")
    found = find_body(bodies, lambda b: any(_takes(b, d) for d in COUNCIL_DECISIONS))
    return found or find_body(bodies, lambda b: b.get("name") == "revenue_council")


def decided_by(inputs: Inputs, body: str) -> int:
    """Decisions of ``body`` decided by the as-of month, from the kpis table."""
    count = inputs.tables.scalar(
        "SELECT max(denominator) FROM kpis WHERE kpi = 'decision_cycle_days' "
        "AND body = ? AND decision = '(all)' AND as_of = (SELECT max(as_of) FROM kpis)",
        [body],
    )
    return int(count or 0)


def revenue_council(inputs: Inputs) -> list[Requirement]:
    """NRR and GRR targets, risk coverage and budget owned by a chartered monthly body."""
    bodies, decisions, targets = (inputs.file(k) for k in ("bodies", "decisions", "targets"))
    found = council_body(inputs)
    name = text_of(found[1].get("name")) if found else ""
    chartered = monthly = rights = None
    if found:
        index, body = found
        chartered = f"{bodies.where('bodies', index, 'name')}: body {name!r}"
        if body.get("cadence") == "monthly":
            monthly = f"{bodies.where('bodies', index, 'cadence')}: cadence monthly"
    for index, decision in decisions.items("decisions"):
        if decision.get("name") == "target_setting" and _one_accountable(decision):
            rights = f"{decisions.where('decisions', index, 'accountable')}: target_setting"
    listed = targets.items("targets")
    target_evidence = f"{targets.where('targets')}: {len(listed)} targets" if listed else None
    logged = decided_by(inputs, name) if name else 0
    tracked = inputs.tables.scalar(
        "SELECT count(*) FROM targets_vs_actuals WHERE status <> 'no_data' "
        "AND as_of = (SELECT max(as_of) FROM targets_vs_actuals)"
    )
    return [
        Requirement(
            2, "a body chartered to set targets and shift budget", chartered, (bodies.display_path,)
        ),
        Requirement(2, "the council meets monthly", monthly, (bodies.display_path,)),
        Requirement(
            3, "target_setting has exactly one Accountable role", rights, (decisions.display_path,)
        ),
        Requirement(
            3, "targets per metric, slice and period", target_evidence, (targets.display_path,)
        ),
        Requirement(
            4,
            "decisions of the council logged in the decisions export",
            f"{inputs.table_where('kpis')}: {logged} decisions by {name}" if logged else None,
            (inputs.table_where("kpis"),),
        ),
        Requirement(
            4,
            "targets tracked against actuals in the last month",
            f"{inputs.table_where('targets_vs_actuals')}: {tracked} targets with actuals"
            if tracked
            else None,
            (inputs.table_where("targets_vs_actuals"),),
        ),
    ]


def _one_accountable(decision: dict) -> bool:
    accountable = decision.get("accountable")
    return isinstance(accountable, str) or (isinstance(accountable, list) and len(accountable) == 1)


def play_items(inputs: Inputs) -> list[tuple[YamlFile, tuple, dict]]:
    """Return (file, node path, play) for each play in ``plays/``, single or listed."""
    found = []
    for file in inputs.plays:
        if isinstance(file.data, dict) and "plays" in file.data:
            found.extend((file, ("plays", i), play) for i, play in file.items("plays"))
        elif isinstance(file.data, dict) and "name" in file.data:
            found.append((file, (), file.data))
    return found


def _all_plays(plays, test: Callable[[dict], bool], what: str) -> str | None:
    if not plays or not all(test(play) for _file, _path, play in plays):
        return None
    file, path, _play = plays[0]
    return f"{file.where(*path)}: all {len(plays)} plays {what}"


def playbook_pmo(inputs: Inputs) -> list[Requirement]:
    """Versioned plays with owners, SLAs, a return and holdouts, run by a body."""
    bodies = inputs.file("bodies")
    plays = play_items(inputs)
    pmo = find_body(bodies, lambda b: _takes(b, "play_approval"))
    first = f"{plays[0][0].where(*plays[0][1])}: {len(plays)} plays" if plays else None
    holdouts = inputs.tables.scalar("SELECT count(*) FROM holdouts")
    council = inputs.tables.scalar("SELECT count(*) FROM council")
    return [
        Requirement(2, "plays written down in plays/", first, ("plays/*.yml",)),
        Requirement(
            2,
            "a body approves plays (takes play_approval)",
            f"{bodies.where('bodies', pmo[0], 'decisions')}: {pmo[1].get('name')}" if pmo else None,
            (bodies.display_path,),
        ),
        Requirement(
            3,
            "every play has an owner and an SLA",
            _all_plays(
                plays,
                lambda p: bool(p.get("owner")) and bool(p.get("sla")),
                "name an owner and an SLA",
            ),
            ("plays/*.yml",),
        ),
        Requirement(
            3,
            "every play is versioned and holds out a share of accounts",
            _all_plays(
                plays,
                lambda p: bool(p.get("version")) and _positive(p.get("holdout_share")),
                "carry a version and a holdout share",
            ),
            ("plays/*.yml",),
        ),
        Requirement(
            3,
            "every play states its cost, so its return can be computed",
            _all_plays(plays, lambda p: bool(p.get("cost_per_month")), "state a monthly cost"),
            ("plays/*.yml",),
        ),
        Requirement(
            4,
            "uplift measured against holdouts",
            f"{inputs.table_where('holdouts')}: {holdouts} rows" if holdouts else None,
            (inputs.table_where("holdouts"),),
        ),
        Requirement(
            4,
            "a stop / keep / start recommendation per play",
            f"{inputs.table_where('council')}: {council} plays reviewed" if council else None,
            (inputs.table_where("council"),),
        ),
    ]


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def data_definitions(inputs: Inputs) -> list[Requirement]:
    """Governed metrics, taxonomy and data contracts, reviewed on every change."""
    metrics, taxonomy, sources = (inputs.file(k) for k in ("metrics", "taxonomy", "sources"))
    bodies = inputs.file("bodies")
    listed = metrics.items("metrics")
    names = {text_of(metric.get("name")) for _i, metric in listed}
    core = f"{metrics.where('metrics')}: nrr and grr defined" if {"nrr", "grr"} <= names else None
    contract = sources.items("sources")
    governed = listed and all(
        metric.get("owner") and metric.get("status", "approved") == "approved"
        for _i, metric in listed
    )
    dimensions = [d for _i, d in taxonomy.items("dimensions") if d.get("values") or d.get("bands")]
    board = find_body(bodies, lambda b: b.get("cadence") == "on_every_pr")
    cohorts = inputs.tables.scalar("SELECT count(*) FROM cohorts")
    holdouts = inputs.tables.scalar("SELECT count(*) FROM holdouts")
    return [
        Requirement(2, "NRR and GRR defined as code", core, (metrics.display_path,)),
        Requirement(
            2,
            "a data contract for the exports",
            f"{sources.where('sources')}: {len(contract)} sources" if contract else None,
            (sources.display_path,),
        ),
        Requirement(
            3,
            "every metric has an owner and is approved",
            f"{metrics.where('metrics')}: {len(listed)} approved metrics with owners"
            if governed
            else None,
            (metrics.display_path,),
        ),
        Requirement(
            3,
            "a taxonomy with declared values",
            f"{taxonomy.where('dimensions')}: {len(dimensions)} governed dimensions"
            if dimensions
            else None,
            (taxonomy.display_path,),
        ),
        Requirement(
            4,
            "a board reviews every pull request",
            f"{bodies.where('bodies', board[0], 'cadence')}: {board[1].get('name')}"
            if board
            else None,
            (bodies.display_path,),
        ),
        Requirement(
            4,
            "cohort and holdout views computed",
            f"{inputs.table_where('cohorts')}: {cohorts} rows; "
            f"{inputs.table_where('holdouts')}: {holdouts} rows"
            if cohorts and holdouts
            else None,
            (inputs.table_where("cohorts"), inputs.table_where("holdouts")),
        ),
    ]
