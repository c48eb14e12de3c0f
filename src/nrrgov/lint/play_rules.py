"""NRG700-NRG708: play specs under ``plays/`` and the council rules in ``council.yml``.

The play files are read once per lint run with :func:`nrrgov.plays.loader.load_plays`.
Their YAML and schema problems are the ones NRG100-NRG108 report for the other files,
reported here as NRG700 so that every code belongs to one rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from nrrgov.lint.registry import LintContext, closest_hint, rule
from nrrgov.loader import Finding, ProjectFiles
from nrrgov.plays.council import FIGURES
from nrrgov.plays.expressions import ConditionError, compile_condition
from nrrgov.plays.features import feature_names
from nrrgov.plays.loader import LoadedPlay, Playbook, load_plays
from nrrgov.spec.plays import BUILTIN_MOTIONS
from nrrgov.yamlio import NodePath, YamlDocument

PLAY_FILE_CODE = "NRG700"
COUNCIL_RULE_CODE = "NRG708"


@dataclass(frozen=True)
class _Read:
    files: ProjectFiles
    playbook: Playbook
    findings: list[Finding]


# The last project read, so that the rules of one run parse the play files once. The
# ProjectFiles object is kept so that its id cannot be reused by another project.
_last_read: list[_Read] = []


def _playbook(context: LintContext) -> tuple[Playbook, list[Finding]]:
    if _last_read and _last_read[0].files is context.files:
        return _last_read[0].playbook, _last_read[0].findings
    playbook, findings = load_plays(context.root)
    _last_read[:] = [_Read(context.files, playbook, findings)]
    return playbook, findings


def _finding(
    document: YamlDocument,
    path: NodePath,
    code: str,
    message: str,
    *,
    value: object = None,
    hint: str | None = None,
    offset: int | None = None,
    level: str = "error",
) -> Finding:
    position = document.position(path)
    if offset is not None:
        position = position.at_offset(offset)
    return Finding(
        code=code,
        level=level,
        path=document.path,
        line=position.line,
        col=position.col,
        message=message,
        value=None if value is None else str(value),
        hint=hint,
    )


@rule(PLAY_FILE_CODE, name="play-file-schema")
def play_file_schema(context: LintContext) -> Iterator[Finding]:
    """Check that play files and ``council.yml`` are valid YAML that matches their schema.

    The checks are those of ``yaml-and-schema`` (syntax, duplicate keys, tags, aliases,
    unknown or missing keys, wrong values, contradicting values such as an active play
    without ``activated_on``). The message names the check that failed.

    Why: an invalid play file stops the compute run, and a play missing from the
    review would silently lose its holdout figures.

    Failing example::

        name: renewal_readiness
        holdout_share: 1.5        # must be at least 0 and below 1

    Fix: correct the key or value at the line shown; the hint names the closest valid
    choice.
    """
    _playbook_value, findings = _playbook(context)
    for finding in findings:
        yield replace(finding, code=PLAY_FILE_CODE)


@rule("NRG701", "NRG702", name="play-entry-criteria")
def play_entry_criteria(context: LintContext) -> Iterator[Finding]:
    """Check that each play's entry criteria parse and name only known features.

    Known names are the accounts columns, the taxonomy dimensions and the computed
    features (mrr, arr, mrr_change_1m/3m/6m/12m, months_to_renewal, tenure_months,
    health_band). NRG701 is a syntax error or a construct that is not allowed, NRG702
    an unknown name.

    Why: the criteria pick the accounts a play is for. A misspelt feature would stop
    the run, and a function or subquery has no place in a condition reviewed as data.

    Failing example::

        entry_criteria: mrr > 0 AND tenure_month <= 3   # tenure_months

    Fix: use a known name (the hint gives the closest one) and only comparisons,
    AND, OR, NOT, IN lists and literals.
    """
    playbook, _findings = _playbook(context)
    dimensions = context.taxonomy.dimensions if context.taxonomy else ()
    names = feature_names(dimensions)
    for play in playbook.plays:
        try:
            compile_condition(play.spec.entry_criteria, names)
        except ConditionError as error:
            yield _finding(
                play.document,
                (*play.path, "entry_criteria"),
                error.code,
                f"play {play.spec.name!r}: {error.message}",
                value=error.token,
                hint=error.hint,
                offset=error.col,
            )


@rule("NRG703", name="play-unknown-motion")
def play_unknown_motion(context: LintContext) -> Iterator[Finding]:
    """Check that each play's motion is a built-in motion or one listed in the taxonomy.

    Built-in motions: adoption_acceleration, value_realization, multi_threading,
    renewal_prep, use_case_expansion; ``motions:`` in taxonomy.yml may add more.

    Why: the council compares plays within a motion; a misspelt motion makes a group
    of its own.

    Failing example::

        motion: renewal_prepp

    Fix: use a listed motion, or add the new one under ``motions`` in taxonomy.yml.
    """
    playbook, _findings = _playbook(context)
    motions = [*BUILTIN_MOTIONS, *_taxonomy_motions(context)]
    for play in playbook.plays:
        if play.spec.motion in motions:
            continue
        yield _finding(
            play.document,
            (*play.path, "motion"),
            "NRG703",
            f"play {play.spec.name!r} has unknown motion {play.spec.motion!r}",
            value=play.spec.motion,
            hint=closest_hint(play.spec.motion, motions, "motions"),
        )


def _taxonomy_motions(context: LintContext) -> list[str]:
    """Read ``motions:`` from taxonomy.yml: a list of names or of mappings with a name."""
    document = context.files.locations.documents.get("taxonomy")
    data = document.data if document is not None else None
    items = data.get("motions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    names = [item.get("name") if isinstance(item, dict) else item for item in items]
    return [name for name in names if isinstance(name, str)]


@rule("NRG704", name="play-unknown-owner")
def play_unknown_owner(context: LintContext) -> Iterator[Finding]:
    """Check that each play's owner is a role, member or body of ``raci/bodies.yml``.

    A member is named by handle (``@acme-cs-ops``) or display name. The rule runs only
    when the project has ``raci/bodies.yml``.

    Why: the owner answers for the play's SLA and return at the monthly review, so a
    name that matches no role, member or body leaves the play without an owner.

    Failing example::

        owner: cs_opps

    Fix: use a role, handle or body from bodies.yml (the hint gives the closest one).
    """
    if not context.bodies:
        return
    playbook, _findings = _playbook(context)
    owners = _owner_names(context)
    for play in playbook.plays:
        if play.spec.owner in owners:
            continue
        yield _finding(
            play.document,
            (*play.path, "owner"),
            "NRG704",
            f"play {play.spec.name!r} is owned by {play.spec.owner!r}, which is not a role, "
            "member or body in raci/bodies.yml",
            value=play.spec.owner,
            hint=closest_hint(play.spec.owner, owners, "roles, members and bodies"),
        )


def _owner_names(context: LintContext) -> list[str]:
    names = []
    for body in context.bodies or ():
        names.append(body.name)
        for member in body.members:
            names.extend(name for name in (member.role, member.handle, member.name) if name)
    return list(dict.fromkeys(names))


@rule("NRG705", name="play-unknown-target-kpi")
def play_unknown_target_kpi(context: LintContext) -> Iterator[Finding]:
    """Check that each play's target KPI is a metric defined in metrics.yml.

    Why: the target KPI names the governed number the play is meant to move, and a
    metric that does not exist cannot be reviewed.

    Failing example::

        target_kpi: nrrr

    Fix: name a metric from metrics.yml.
    """
    if context.metrics is None:
        return
    playbook, _findings = _playbook(context)
    metrics = [metric.name for metric in context.metrics]
    for play in playbook.plays:
        if play.spec.target_kpi in metrics:
            continue
        yield _finding(
            play.document,
            (*play.path, "target_kpi"),
            "NRG705",
            f"play {play.spec.name!r} targets unknown metric {play.spec.target_kpi!r}",
            value=play.spec.target_kpi,
            hint=closest_hint(play.spec.target_kpi, metrics, "metrics"),
        )


@rule("NRG706", name="play-duplicate-name")
def play_duplicate_name(context: LintContext) -> Iterator[Finding]:
    """Check that no two plays share a name, across all files under ``plays/``.

    Why: enrollments, holdouts and the review are keyed by play name; two plays with
    one name would pool their accounts.

    Failing example::

        # plays/a.yml and plays/b.yml both define name: renewal_readiness

    Fix: rename one of them, or delete the older copy.
    """
    playbook, _findings = _playbook(context)
    first: dict[str, LoadedPlay] = {}
    for play in playbook.plays:
        earlier = first.setdefault(play.spec.name, play)
        if earlier is play:
            continue
        where = earlier.locate("name")
        yield _finding(
            play.document,
            (*play.path, "name"),
            "NRG706",
            f"play {play.spec.name!r} is already defined at {where}",
            value=play.spec.name,
            hint="give each play its own name",
        )


@rule("NRG707", name="play-unknown-successor")
def play_unknown_successor(context: LintContext) -> Iterator[Finding]:
    """Check that a retired play's successor is another play defined under ``plays/``.

    Why: the successor is where the retired play's accounts and budget went; a name
    that matches no play breaks that trail.

    Failing example::

        status: retired
        successor: renewal_readines

    Fix: name an existing play, or remove ``successor``.
    """
    playbook, _findings = _playbook(context)
    names = [play.spec.name for play in playbook.plays]
    for play in playbook.plays:
        successor = play.spec.successor
        if successor is None or (successor in names and successor != play.spec.name):
            continue
        problem = "itself" if successor == play.spec.name else f"unknown play {successor!r}"
        yield _finding(
            play.document,
            (*play.path, "successor"),
            "NRG707",
            f"retired play {play.spec.name!r} names {problem} as its successor",
            value=successor,
            hint=closest_hint(successor, [n for n in names if n != play.spec.name], "plays"),
        )


@rule(COUNCIL_RULE_CODE, name="council-rule-condition")
def council_rule_condition(context: LintContext) -> Iterator[Finding]:
    """Check that each council rule's condition parses and reads only known figures.

    Figures: status, motion, uplift, ci_low, ci_high, treatment_size, holdout_size,
    srm_p_value, roi, incremental_arr, annual_cost, sla_compliance, sla_breaches,
    eligible, enrolled, at_risk_mrr_covered, at_risk_mrr_uncovered.

    Why: every recommendation shows the rule that produced it; a rule that cannot be
    evaluated would stop the review.

    Failing example::

        rules:
          - name: keep_paying_play
            recommendation: keep
            when: ci_lo > 0          # ci_low

    Fix: use the figure names above and only comparisons, AND, OR, NOT and literals.
    """
    playbook, _findings = _playbook(context)
    document = playbook.council_document
    if document is None:
        return
    for index, council_rule in enumerate(playbook.rules):
        try:
            compile_condition(council_rule.when, FIGURES)
        except ConditionError as error:
            yield _finding(
                document,
                ("rules", index, "when"),
                COUNCIL_RULE_CODE,
                f"council rule {council_rule.name!r}: {error.message}",
                value=error.token,
                hint=error.hint,
                offset=error.col,
            )
