"""NRG201-NRG204: names that must refer to something defined elsewhere, and duplicates."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from nrrgov.lint.registry import LintContext, rule
from nrrgov.loader import Finding
from nrrgov.spec import DimensionSpec


def _did_you_mean(name: str, choices: Iterable[str], what: str) -> str:
    choices = list(choices)
    close = difflib.get_close_matches(name, choices, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    if choices:
        return f"{what}: {', '.join(choices)}"
    return f"no {what} are defined; add them to taxonomy.yml"


def _dimensions(context: LintContext) -> dict[str, DimensionSpec] | None:
    if context.taxonomy is None:
        return None
    return {dimension.name: dimension for dimension in context.taxonomy.dimensions}


@rule("NRG201", name="metric-unknown-dimension")
def metric_unknown_dimension(context: LintContext) -> Iterator[Finding]:
    """Check that every dimension a metric is reported by is defined in the taxonomy.

    Why: the engine slices a metric only by taxonomy dimensions, so a misspelt one
    would silently drop the breakdown the metric's owner asked for.

    Failing example::

        metrics:
          - name: nrr
            dimensions: [segmnt]      # taxonomy.yml defines segment

    Fix: use a dimension name from taxonomy.yml, or add the dimension there.
    """
    dimensions = _dimensions(context)
    if dimensions is None or context.metrics is None:
        return
    for index, metric in enumerate(context.metrics):
        for position, name in enumerate(metric.dimensions):
            if name not in dimensions:
                yield context.finding(
                    "NRG201",
                    "metrics",
                    ("metrics", index, "dimensions", position),
                    f"metric {metric.name!r} names unknown dimension {name!r}",
                    value=name,
                    hint=_did_you_mean(name, dimensions, "taxonomy dimensions"),
                )


@rule("NRG202", name="metric-unknown-filter")
def metric_unknown_filter(context: LintContext) -> Iterator[Finding]:
    """Check that a metric's filters name taxonomy dimensions and their declared values.

    Why: a filter value that matches no account (a typo such as ``Entreprise``) makes
    the metric compute over nothing, or over everything when the dimension is unknown.

    Failing example::

        metrics:
          - name: nrr_enterprise
            filters: {segment: [Entreprise]}   # values are Enterprise, Mid-Market, SMB

    Fix: use a value listed under the dimension's ``values`` in taxonomy.yml. A
    dimension without declared values accepts any value.
    """
    dimensions = _dimensions(context)
    if dimensions is None or context.metrics is None:
        return
    for index, metric in enumerate(context.metrics):
        for name, values in metric.filters.items():
            path = ("metrics", index, "filters", name)
            if name not in dimensions:
                hint = _did_you_mean(name, dimensions, "taxonomy dimensions")
                message = f"metric {metric.name!r} filters on unknown dimension {name!r}"
                yield context.finding(
                    "NRG202", "metrics", path, message, value=name, hint=hint, key=True
                )
                continue
            yield from _unknown_values(context, metric.name, dimensions[name], values, path)


def _unknown_values(
    context: LintContext,
    metric: str,
    dimension: DimensionSpec,
    values: tuple[str, ...],
    path: tuple,
) -> Iterator[Finding]:
    allowed = dimension.allowed_values
    if not allowed:
        return
    for position, value in enumerate(values):
        if value not in allowed:
            yield context.finding(
                "NRG202",
                "metrics",
                (*path, position),
                f"metric {metric!r} filters {dimension.name} on unknown value {value!r}",
                value=value,
                hint=_did_you_mean(value, allowed, f"values of {dimension.name}"),
            )


@rule("NRG203", name="project-unknown-dimension")
def project_unknown_dimension(context: LintContext) -> Iterator[Finding]:
    """Check that the project's ``dimensions`` are defined in the taxonomy.

    Why: movements, retention and cohorts are sliced by these dimensions. An unknown
    one would be skipped, and the report would lack the slice without a warning.

    Failing example::

        # nrrgov.yml
        dimensions: [segment, regoin]

    Fix: use a dimension name from taxonomy.yml, or add the dimension there.
    """
    dimensions = _dimensions(context)
    if dimensions is None or context.config is None:
        return
    for position, name in enumerate(context.config.dimensions):
        if name not in dimensions:
            yield context.finding(
                "NRG203",
                "project",
                ("dimensions", position),
                f"the project slices by unknown dimension {name!r}",
                value=name,
                hint=_did_you_mean(name, dimensions, "taxonomy dimensions"),
            )


@rule("NRG204", name="duplicate-name")
def duplicate_name(context: LintContext) -> Iterator[Finding]:
    """Check that the names of metrics, dimensions, source tables and RACI items are unique.

    RACI items are bodies, decisions and escalation tiers.

    Why: names identify rows in the output tables and links in the report. With two
    definitions under one name, only one is used and the other is silently ignored.

    Failing example::

        metrics:
          - name: nrr
            ...
          - name: nrr        # a second definition of nrr

    Fix: rename or remove one of the two. Two sources for one canonical table should
    be one source with a glob path.
    """
    if context.metrics is not None:
        names = [metric.name for metric in context.metrics]
        yield from _duplicates(context, "metrics", "metrics", names, "metric name")
    if context.taxonomy is not None:
        names = [dimension.name for dimension in context.taxonomy.dimensions]
        yield from _duplicates(context, "taxonomy", "dimensions", names, "dimension name")
    if context.sources is not None:
        names = [source.name for source in context.sources]
        yield from _duplicates(context, "sources", "sources", names, "source for table")
    raci = (
        ("bodies", "bodies", context.bodies, "body name"),
        ("decisions", "decisions", context.decisions, "decision name"),
        ("escalation", "tiers", context.tiers, "escalation tier name"),
    )
    for kind, section, items, what in raci:
        if items is not None:
            names = [item.name for item in items]
            yield from _duplicates(context, kind, section, names, what)


def _duplicates(
    context: LintContext, kind: str, section: str, names: list[str], what: str
) -> Iterator[Finding]:
    first_index: dict[str, int] = {}
    for index, name in enumerate(names):
        if name not in first_index:
            first_index[name] = index
            continue
        first = context.position(kind, (section, first_index[name], "name"))
        first_line = f" (first at line {first.line})" if first else ""
        yield context.finding(
            "NRG204",
            kind,
            (section, index, "name"),
            f"duplicate {what} {name!r}{first_line}",
            value=name,
            hint="rename or remove one of the two",
        )


# Columns of the output tables that a slice column must not shadow.
RESERVED_COLUMNS = frozenset(
    {
        "account_id",
        "month",
        "as_of",
        "lookback_months",
        "metric",
        "value",
        "target",
        "status",
        "cohort",
        "age_months",
        "movement",
        "movement_mrr",
        "mrr",
        "play",
        "source",
        "file",
        "row",
        "column",
        "reason",
    }
)


@rule("NRG209", name="dimension-reserved-name")
def dimension_reserved_name(context: LintContext) -> Iterator[Finding]:
    """Check that no dimension is named like a column of the output tables.

    Why: each dimension becomes a slice column of movements, retention, metrics and
    cohorts, so a dimension called ``month`` or ``value`` would collide with the
    table's own column and the run would fail or write an ambiguous table.

    Failing example::

        dimensions:
          - name: status       # metrics already has a status column

    Fix: rename the dimension, for example ``account_status``; ``column`` can still
    read the export's ``status`` column.
    """
    if context.taxonomy is None:
        return
    for index, dimension in enumerate(context.taxonomy.dimensions):
        if dimension.name in RESERVED_COLUMNS:
            yield context.finding(
                "NRG209",
                "taxonomy",
                ("dimensions", index, "name"),
                f"dimension name {dimension.name!r} is a column of the output tables",
                value=dimension.name,
                hint=f"rename it, for example 'account_{dimension.name}', and keep "
                f"'column: {dimension.source_column}' to read the same export column",
            )
