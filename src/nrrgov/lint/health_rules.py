"""NRG80x: ``health.yml``, and the schema of ``targets.yml`` and ``incentives.yml``.

Each file is optional; a rule about a file yields nothing when the file is absent or
invalid (the schema rule has reported why). Rules that check names against
``raci/*.yml`` run only when that file exists.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import duckdb

from nrrgov.health.files import LoadedFile, read_definition
from nrrgov.lint.registry import LintContext, closest_hint, rule
from nrrgov.loader import Finding, Level
from nrrgov.spec.health import WEIGHT_TOLERANCE, HealthFileSpec

logger = logging.getLogger(__name__)


def loaded_file(context: LintContext, kind: str) -> LoadedFile:
    """Read the ``kind`` file of the linted project.

    Each rule reads the file again: the files are small, and a shared cache would have
    to be invalidated whenever a file changes between two lint runs.
    """
    return read_definition(context.root, kind)


def _spec(context: LintContext, kind: str):
    return loaded_file(context, kind).spec


def file_finding(
    loaded: LoadedFile,
    code: str,
    path: tuple,
    message: str,
    *,
    value: object = None,
    hint: str | None = None,
    level: Level = "error",
    key: bool = False,
) -> Finding:
    where = loaded.locate(path, key=key)
    return Finding(
        code=code,
        level=level,
        path=where.path,
        line=where.line,
        col=where.col,
        message=message,
        value=None if value is None else str(value),
        hint=hint,
    )


def definition_file_findings(context: LintContext) -> Iterator[Finding]:
    """Yield the YAML and schema problems of health.yml, targets.yml and incentives.yml.

    They carry the codes of the ``yaml-and-schema`` rule (NRG100-NRG108), which yields
    them, so that each code keeps one rule.
    """
    for kind in ("health", "targets", "incentives"):
        yield from loaded_file(context, kind).findings


@rule("NRG801", name="health-weights-sum")
def health_weights_sum(context: LintContext) -> Iterator[Finding]:
    """Check that the weights of the health score's components sum to 1 (within 1e-9).

    Why: with weights that sum to 0.9 a perfect account scores 0.9, so the bands no
    longer mean what their thresholds say.

    Failing example::

        components:
          - {name: usage, signal: product_usage, weight: 0.5, normalization: min_max}
          - {name: nps, signal: nps, weight: 0.4, normalization: percentile}

    Fix: adjust the weights so that they add up to 1.
    """
    spec: HealthFileSpec | None = _spec(context, "health")
    if spec is None:
        return
    total = sum(component.weight for component in spec.components)
    if abs(total - 1) > WEIGHT_TOLERANCE:
        yield file_finding(
            loaded_file(context, "health"),
            "NRG801",
            ("components",),
            f"the component weights sum to {total:g}, not 1",
            value=f"{total:g}",
            hint="adjust the weights so that they add up to 1",
            key=True,
        )


@rule("NRG802", name="health-unknown-signal")
def health_unknown_signal(context: LintContext) -> Iterator[Finding]:
    """Check that every component reads a signal declared under ``signals``.

    Why: a component on an undeclared (usually misspelt) signal never finds a value, so
    it scores every account by its missing-value policy.

    Failing example::

        signals: [{name: product_usage}]
        components:
          - {name: usage, signal: product_usge, weight: 1, normalization: min_max}

    Fix: use a declared signal (the hint gives the closest), or declare the signal.
    """
    spec: HealthFileSpec | None = _spec(context, "health")
    if spec is None:
        return
    declared = [signal.name for signal in spec.signals]
    for index, component in enumerate(spec.components):
        if component.signal not in declared:
            yield file_finding(
                loaded_file(context, "health"),
                "NRG802",
                ("components", index, "signal"),
                f"component {component.name!r} reads signal {component.signal!r}, which "
                "is not declared under 'signals'",
                value=component.signal,
                hint=closest_hint(component.signal, declared, "declared signals"),
            )


@rule("NRG803", name="health-bands-order")
def health_bands_order(context: LintContext) -> Iterator[Finding]:
    """Check that bands are listed from the highest ``min_score`` down, each name once,
    and that every band named under ``at_risk.bands`` is defined.

    Why: bands are cut from the top; a band listed out of order, or twice, would never
    be assigned, and an at-risk band that is not defined puts nobody at risk.

    Failing example::

        bands:
          - {name: green, min_score: 0.4}
          - {name: yellow, min_score: 0.7}

    Fix: list green, yellow, red with strictly falling ``min_score``.
    """
    spec: HealthFileSpec | None = _spec(context, "health")
    if spec is None:
        return
    loaded = loaded_file(context, "health")
    seen: set[str] = set()
    for index, band in enumerate(spec.bands):
        if band.name in seen:
            yield file_finding(
                loaded,
                "NRG803",
                ("bands", index, "name"),
                f"band {band.name!r} is listed twice",
                value=band.name,
                hint="list each band once",
            )
        seen.add(band.name)
        previous = spec.bands[index - 1] if index else None
        if previous is not None and band.min_score >= previous.min_score:
            yield file_finding(
                loaded,
                "NRG803",
                ("bands", index, "min_score"),
                f"band {band.name!r} has min_score {band.min_score:g}, not below the "
                f"{previous.min_score:g} of {previous.name!r} listed before it",
                value=f"{band.min_score:g}",
                hint="list bands from the highest min_score down, each strictly lower",
            )
    for index, name in enumerate(spec.at_risk.bands):
        if name not in seen:
            yield file_finding(
                loaded,
                "NRG803",
                ("at_risk", "bands", index),
                f"at_risk names band {name!r}, which is not defined under 'bands'",
                value=name,
                hint=closest_hint(name, sorted(seen), "defined bands"),
            )


@rule("NRG804", name="health-undeclared-signal")
def health_undeclared_signal(context: LintContext) -> Iterator[Finding]:
    """Warn about signals in the health_signals export that ``health.yml`` does not declare.

    Why: an undeclared signal is data nobody scores; often it is a declared signal
    spelt differently in the export.

    Failing example::

        # health_signals.csv
        account_id,month,signal,value
        A1,2026-01-01,nps_score,40      # health.yml declares the signal 'nps'

    Fix: declare the signal (and give it a component if it should count), or map the
    export's name onto the declared one with ``value_maps`` in sources.yml.
    """
    spec: HealthFileSpec | None = _spec(context, "health")
    if spec is None:
        return
    declared = [signal.name for signal in spec.signals]
    for signal in sorted(_export_signals(context) - set(declared)):
        yield file_finding(
            loaded_file(context, "health"),
            "NRG804",
            ("signals",),
            f"the health_signals export has signal {signal!r}, which is not declared",
            value=signal,
            hint=closest_hint(signal, declared, "declared signals"),
            level="warning",
            key=True,
        )


def _export_signals(context: LintContext) -> set[str]:
    """Return the distinct signals of the health_signals export, or none if unreadable."""
    source = next((s for s in context.sources or () if s.name == "health_signals"), None)
    if source is None or context.data_dir is None:
        return set()
    paths = sorted(str(path) for path in Path(context.data_dir).glob(source.path))
    if not paths:
        return set()
    column = source.columns.get("signal", "signal").replace('"', '""')
    listed = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"
    if source.file_format == "parquet":
        reader = f"read_parquet({listed})"
    else:
        delimiter = source.delimiter.replace("'", "''")
        reader = f"read_csv({listed}, all_varchar = true, header = true, delim = '{delimiter}')"
    mapped = source.value_maps.get("signal", {})
    try:
        with duckdb.connect() as con:
            rows = con.execute(f'SELECT DISTINCT "{column}" FROM {reader}').fetchall()
    except duckdb.Error:
        # Ingest reports unreadable exports with their row and column at compute time.
        logger.debug("could not read the health_signals export", exc_info=True)
        return set()
    return {mapped.get(str(row[0]), str(row[0])) for row in rows if row[0] is not None}


@rule("NRG805", name="health-escalation-tier")
def health_escalation_tier(context: LintContext) -> Iterator[Finding]:
    """Check that each escalation rule names a tier of ``raci/escalation.yml``.

    Why: at-risk accounts sent to a tier that does not exist reach nobody.

    Failing example::

        escalation:
          - {tier: account_teem}

    Fix: use a tier name from raci/escalation.yml (the hint gives the closest).
    """
    spec: HealthFileSpec | None = _spec(context, "health")
    tiers = context.tiers
    if spec is None or tiers is None:
        return
    names = [tier.name for tier in tiers]
    for index, escalation in enumerate(spec.escalation):
        if escalation.tier not in names:
            yield file_finding(
                loaded_file(context, "health"),
                "NRG805",
                ("escalation", index, "tier"),
                f"escalation names tier {escalation.tier!r}, which raci/escalation.yml "
                "does not define",
                value=escalation.tier,
                hint=closest_hint(escalation.tier, names, "tiers"),
            )


@rule("NRG806", name="health-threshold-steps")
def health_threshold_steps(context: LintContext) -> Iterator[Finding]:
    """Check that the steps of a ``thresholds`` normalization rise strictly in ``min``.

    Why: the score is that of the highest step the value reaches; steps out of order
    are read in sorted order, which is rarely what the author meant.

    Failing example::

        thresholds:
          - {min: 50, score: 1}
          - {min: 0, score: 0.5}

    Fix: list the steps from the lowest ``min`` up, without repeating a ``min``.
    """
    spec: HealthFileSpec | None = _spec(context, "health")
    if spec is None:
        return
    for index, component in enumerate(spec.components):
        steps = component.thresholds
        for step_index in range(1, len(steps)):
            if steps[step_index].min <= steps[step_index - 1].min:
                yield file_finding(
                    loaded_file(context, "health"),
                    "NRG806",
                    ("components", index, "thresholds", step_index, "min"),
                    f"threshold step {steps[step_index].min:g} of component "
                    f"{component.name!r} does not rise above the step before it",
                    value=f"{steps[step_index].min:g}",
                    hint="list the steps from the lowest min up",
                )
