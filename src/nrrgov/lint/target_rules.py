"""NRG81x-NRG82x: targets and KPI settings in ``targets.yml``, and ``incentives.yml``."""

from __future__ import annotations

from collections.abc import Iterator

from nrrgov.health.kpis import KPI_NAMES
from nrrgov.lint.health_rules import file_finding, loaded_file
from nrrgov.lint.registry import LintContext, closest_hint, rule
from nrrgov.loader import Finding
from nrrgov.spec.health import WEIGHT_TOLERANCE
from nrrgov.spec.incentives import IncentivesFileSpec
from nrrgov.spec.targets import TargetsFileSpec, TargetSpec


def _targets(context: LintContext) -> TargetsFileSpec | None:
    return loaded_file(context, "targets").spec


def _incentives(context: LintContext) -> IncentivesFileSpec | None:
    return loaded_file(context, "incentives").spec


@rule("NRG811", name="target-unknown-metric")
def target_unknown_metric(context: LintContext) -> Iterator[Finding]:
    """Check that each target names a metric of metrics.yml or a KPI of the kpis table.

    Why: a target on a metric that does not exist never has an actual, so it shows as
    ``no_data`` every month instead of failing review.

    Failing example::

        targets:
          - {name: nrr_2026, metric: nrr_12m, start: 2026-01, end: 2026-12, ...}

    Fix: use a metric name from metrics.yml or a KPI name (the hint gives the closest).
    """
    spec = _targets(context)
    if spec is None or context.metrics is None:
        return
    known = [*(metric.name for metric in context.metrics), *KPI_NAMES]
    for index, target in enumerate(spec.targets):
        if target.metric not in known:
            yield file_finding(
                loaded_file(context, "targets"),
                "NRG811",
                ("targets", index, "metric"),
                f"target {target.name!r} names metric {target.metric!r}, which is neither "
                "a metric of metrics.yml nor a KPI",
                value=target.metric,
                hint=closest_hint(target.metric, known, "metrics and KPIs"),
            )


@rule("NRG812", name="target-unknown-slice")
def target_unknown_slice(context: LintContext) -> Iterator[Finding]:
    """Check that a target's slice names dimensions of the project and their values.

    Dimensions must be among ``dimensions`` in nrrgov.yml (the ones every table is cut
    by); values must be among the taxonomy's declared values, when it declares any.

    Why: a slice that matches no row of the metrics table leaves the target without
    an actual.

    Failing example::

        slice: {segment: Enterprize}

    Fix: use a declared dimension and value (the hint gives the closest).
    """
    spec = _targets(context)
    if spec is None or context.config is None or context.taxonomy is None:
        return
    dimensions = {d.name: d for d in context.taxonomy.dimensions}
    allowed = [name for name in context.config.dimensions if name in dimensions]
    for index, target in enumerate(spec.targets):
        for name, value in target.slice.items():
            path = ("targets", index, "slice", name)
            if name not in allowed:
                yield file_finding(
                    loaded_file(context, "targets"),
                    "NRG812",
                    path,
                    f"target {target.name!r} slices by {name!r}, which is not a dimension "
                    "of the project",
                    value=name,
                    hint=closest_hint(name, allowed, "project dimensions"),
                    key=True,
                )
                continue
            values = dimensions[name].allowed_values
            if values and value not in values:
                yield file_finding(
                    loaded_file(context, "targets"),
                    "NRG812",
                    path,
                    f"target {target.name!r} has {name} {value!r}, which is not a declared "
                    f"value of {name!r}",
                    value=value,
                    hint=closest_hint(value, values, f"values of {name}"),
                )


def _overlap(first: TargetSpec, second: TargetSpec) -> bool:
    same = first.metric == second.metric and first.slice == second.slice
    return same and first.start <= second.end and second.start <= first.end


@rule("NRG813", name="target-overlapping-periods")
def target_overlapping_periods(context: LintContext) -> Iterator[Finding]:
    """Check that no two targets of the same metric and slice cover the same month.

    Why: with two targets for one month the status depends on which one a reader looks
    at, and ``targets_vs_actuals`` reports both.

    Failing example::

        - {name: nrr_h1, metric: nrr, start: 2026-01, end: 2026-06, ...}
        - {name: nrr_fy, metric: nrr, start: 2026-01, end: 2026-12, ...}

    Fix: make the periods consecutive, or remove the target that is replaced.
    """
    spec = _targets(context)
    if spec is None:
        return
    for index, target in enumerate(spec.targets):
        earlier = next((t for t in spec.targets[:index] if _overlap(t, target)), None)
        if earlier is None:
            continue
        yield file_finding(
            loaded_file(context, "targets"),
            "NRG813",
            ("targets", index, "start"),
            f"target {target.name!r} ({target.start} to {target.end}) overlaps target "
            f"{earlier.name!r} ({earlier.start} to {earlier.end}) of the same metric "
            "and slice",
            value=target.start,
            hint="make the periods consecutive, or remove the target this one replaces",
        )


@rule("NRG814", name="signal-not-declared")
def signal_not_declared(context: LintContext) -> Iterator[Finding]:
    """Check that the activation and adoption-verification signals are declared in health.yml.

    Runs when health.yml exists. Why: time-to-value and credited bookings read these
    signals; a misspelt one finds no value, so no account ever activates and no
    expansion is ever credited.

    Failing example::

        # targets.yml
        kpis:
          activation: {signal: product_usge, min_value: 0.5}

    Fix: use a signal declared under ``signals`` in health.yml.
    """
    health = loaded_file(context, "health").spec
    if health is None:
        return
    declared = [signal.name for signal in health.signals]
    targets, incentives = _targets(context), _incentives(context)
    uses = []
    if targets is not None and targets.kpis.activation is not None:
        uses.append(("targets", ("kpis", "activation", "signal"), targets.kpis.activation.signal))
    if incentives is not None and incentives.adoption_verification is not None:
        signal = incentives.adoption_verification.signal
        uses.append(("incentives", ("adoption_verification", "signal"), signal))
    for kind, path, signal in uses:
        if signal not in declared:
            yield file_finding(
                loaded_file(context, kind),
                "NRG814",
                path,
                f"signal {signal!r} is not declared in health.yml",
                value=signal,
                hint=closest_hint(signal, declared, "declared signals"),
            )


@rule("NRG815", name="sla-unknown-decision")
def sla_unknown_decision(context: LintContext) -> Iterator[Finding]:
    """Check that ``kpis.decision_sla_days`` names decisions of raci/decisions.yml.

    Runs when raci/decisions.yml exists. Why: an SLA on a misspelt decision applies to
    nothing, so late decisions of the real one count as within SLA.

    Failing example::

        kpis:
          decision_sla_days: {budget_shfit: 14}

    Fix: use a decision name from raci/decisions.yml.
    """
    spec, decisions = _targets(context), context.decisions
    if spec is None or decisions is None:
        return
    names = [decision.name for decision in decisions]
    for name in spec.kpis.decision_sla_days:
        if name not in names:
            yield file_finding(
                loaded_file(context, "targets"),
                "NRG815",
                ("kpis", "decision_sla_days", name),
                f"decision_sla_days names decision {name!r}, which raci/decisions.yml "
                "does not define",
                value=name,
                hint=closest_hint(name, names, "decisions"),
                key=True,
            )


@rule("NRG821", name="incentive-weights-sum")
def incentive_weights_sum(context: LintContext) -> Iterator[Finding]:
    """Check that the plan's weights sum to 1 (within 1e-9) and that NRR carries one.

    Why: weights that do not add up to 1 pay more or less than 100% at quota; a plan
    without an NRR weight is not NRR-weighted.

    Failing example::

        plan:
          weights: {nrr: 0.5, bookings: 0.3}

    Fix: adjust the weights so that they add up to 1, with a weight on nrr.
    """
    spec = _incentives(context)
    if spec is None:
        return
    weights = spec.plan.weights
    total = sum(weights.values())
    if abs(total - 1) > WEIGHT_TOLERANCE:
        yield file_finding(
            loaded_file(context, "incentives"),
            "NRG821",
            ("plan", "weights"),
            f"the plan's weights sum to {total:g}, not 1",
            value=f"{total:g}",
            hint="adjust the weights so that they add up to 1",
        )
    if weights.get("nrr", 0) <= 0:
        yield file_finding(
            loaded_file(context, "incentives"),
            "NRG821",
            ("plan", "weights"),
            "the plan puts no weight on nrr",
            hint="give nrr a weight, usually the largest one",
            level="warning",
            key=True,
        )


@rule("NRG822", name="approval-limit-role")
def approval_limit_role(context: LintContext) -> Iterator[Finding]:
    """Check that approval limits name roles of raci/bodies.yml, in rising order.

    The role check runs when raci/bodies.yml exists. Why: a discount approved by a role
    nobody holds is approved by nobody; limits out of order leave a range of discounts
    with the wrong approver.

    Failing example::

        approval_limits:
          - {above_discount: 0.2, approver: cfoo}

    Fix: name a role held by a body member; list limits from the smallest discount up.
    """
    spec = _incentives(context)
    if spec is None:
        return
    loaded = loaded_file(context, "incentives")
    roles = [role for body in context.bodies or () for role in body.roles]
    limits = spec.approval_limits
    for index, limit in enumerate(limits):
        if context.bodies is not None and limit.approver not in roles:
            yield file_finding(
                loaded,
                "NRG822",
                ("approval_limits", index, "approver"),
                f"approver {limit.approver!r} is not a role of any body in raci/bodies.yml",
                value=limit.approver,
                hint=closest_hint(limit.approver, roles, "roles"),
            )
        if index and limit.above_discount <= limits[index - 1].above_discount:
            yield file_finding(
                loaded,
                "NRG822",
                ("approval_limits", index, "above_discount"),
                f"approval limit {limit.above_discount:g} does not rise above the "
                f"{limits[index - 1].above_discount:g} listed before it",
                value=f"{limit.above_discount:g}",
                hint="list approval limits from the smallest discount up",
            )
