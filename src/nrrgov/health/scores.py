"""Health scores per account and month, and the band distribution and movement.

An account is scored in every month, up to the as-of month, in which the
``health_signals`` export has any signal for it. Several values of one signal within a
month are averaged. Each component's score lies between 0 and 1:

- ``min_max``: (value - min) / (max - min), clamped to [0, 1]. Without fixed bounds, min
  and max are the month's extremes across accounts with the signal; when they are equal
  every account scores 0.5.
- ``percentile``: the percent rank (rank - 1) / (n - 1) among the n accounts with the
  signal that month, ties sharing the lowest rank; 0.5 when n = 1.
- ``thresholds``: the score of the highest step whose ``min`` the value reaches, else 0.

The score is the sum of weight × component score over the components present, divided
by the sum of their weights (a component with ``missing: exclude`` and no signal is not
present). Bands are assigned from the highest ``min_score`` down; the lowest band takes
every score below the others.
"""

from __future__ import annotations

from nrrgov.engine.context import EngineContext
from nrrgov.engine.slices import number_literal, quote, string_literal
from nrrgov.engine.sql import Pipeline
from nrrgov.engine.types import RATIO
from nrrgov.health.rollup import date_literal, rollup, slice_columns
from nrrgov.spec.health import BandSpec, ComponentSpec, HealthFileSpec

HEALTH_SCORES_TABLE = "health_scores"
HEALTH_BANDS_TABLE = "health_bands"
# Component scores of accounts without the signal, by missing-value policy.
MISSING_SCORES = {"zero": "0.0", "neutral": "0.5", "exclude": "NULL"}


def add_health_scores(pipeline: Pipeline, ctx: EngineContext, spec: HealthFileSpec) -> None:
    """Add ``health_scores`` and ``health_bands`` to ``pipeline``."""
    pipeline.add(HEALTH_SCORES_TABLE, _scores_select(ctx, spec), "health score per account-month")
    pipeline.add(HEALTH_BANDS_TABLE, _bands_select(ctx), "health bands and moves between them")


def _scores_select(ctx: EngineContext, spec: HealthFileSpec) -> str:
    as_of = date_literal(ctx.as_of)
    ctes = [
        "signal_values AS (SELECT account_id, CAST(date_trunc('month', month) AS DATE) AS month, "
        f"signal, CAST(avg(value) AS {RATIO}) AS value FROM health_signals "
        f"WHERE date_trunc('month', month) <= {as_of} GROUP BY ALL)",
        "scored AS (SELECT DISTINCT account_id, month FROM signal_values)",
    ]
    ctes.extend(
        f"{_cte(index)} AS ({_component_select(component)})"
        for index, component in enumerate(spec.components)
    )
    joins = " ".join(
        f"LEFT JOIN {_cte(index)} USING (account_id, month)"
        for index in range(len(spec.components))
    )
    columns = [
        f"COALESCE({_cte(index)}.score, {MISSING_SCORES[component.missing]}) "
        f"AS {quote(component.name)}"
        for index, component in enumerate(spec.components)
    ]
    components = f"SELECT scored.account_id, scored.month, {', '.join(columns)} FROM scored {joins}"
    score = _weighted_score(spec.components)
    names = ", ".join(quote(component.name) for component in spec.components)
    return (
        f"WITH {', '.join(ctes)}, components AS ({components}), "
        f"weighted AS (SELECT account_id, month, {score} AS score, {names} FROM components) "
        f"SELECT account_id, month, score, {_band(spec.bands)} AS band, {names} FROM weighted"
    )


def _cte(index: int) -> str:
    return f"component_{index}"


def _component_select(component: ComponentSpec) -> str:
    value = "v.value"
    if component.normalization == "thresholds":
        steps = sorted(component.thresholds, key=lambda step: step.min, reverse=True)
        whens = " ".join(
            f"WHEN {value} >= {number_literal(step.min)} THEN {number_literal(step.score)}"
            for step in steps
        )
        score = f"CASE {whens} ELSE 0.0 END"
    elif component.normalization == "percentile":
        score = (
            "CASE WHEN count(*) OVER (PARTITION BY v.month) = 1 THEN 0.5 "
            f"ELSE percent_rank() OVER (PARTITION BY v.month ORDER BY {value}) END"
        )
    else:
        score = _min_max(component, value)
    if component.direction == "lower_is_better" and component.normalization != "thresholds":
        score = f"1.0 - ({score})"
    return (
        f"SELECT v.account_id, v.month, CAST({score} AS {RATIO}) AS score "
        f"FROM signal_values AS v WHERE v.signal = {string_literal(component.signal)}"
    )


def _min_max(component: ComponentSpec, value: str) -> str:
    low = (
        number_literal(component.min)
        if component.min is not None
        else "min(v.value) OVER (PARTITION BY v.month)"
    )
    high = (
        number_literal(component.max)
        if component.max is not None
        else "max(v.value) OVER (PARTITION BY v.month)"
    )
    scaled = f"({value} - {low}) / NULLIF({high} - {low}, 0)"
    return f"COALESCE(LEAST(GREATEST({scaled}, 0.0), 1.0), 0.5)"


def _weighted_score(components: tuple[ComponentSpec, ...]) -> str:
    weighted = " + ".join(
        f"COALESCE({number_literal(c.weight)} * {quote(c.name)}, 0.0)" for c in components
    )
    weights = " + ".join(
        f"CASE WHEN {quote(c.name)} IS NULL THEN 0.0 ELSE {number_literal(c.weight)} END"
        for c in components
    )
    return f"CAST(({weighted}) / NULLIF({weights}, 0.0) AS {RATIO})"


def _band(bands: tuple[BandSpec, ...]) -> str:
    ordered = sorted(bands, key=lambda band: band.min_score, reverse=True)
    whens = " ".join(
        f"WHEN score >= {number_literal(band.min_score)} THEN {string_literal(band.name)}"
        for band in ordered[:-1]
    )
    lowest = string_literal(ordered[-1].name)
    if not whens:
        return f"CASE WHEN score IS NULL THEN NULL ELSE {lowest} END"
    return f"CASE WHEN score IS NULL THEN NULL {whens} ELSE {lowest} END"


def _bands_select(ctx: EngineContext) -> str:
    """Accounts and MRR per month, slice and band, with the accounts that moved in and out.

    An account moved into a band when it was scored in another band the month before;
    it moved out of the band it was in the month before when it is scored in another
    one now. Accounts not scored in one of the two months move neither way.
    """
    dimensions = ctx.dimensions
    slices = ", ".join(slice_columns(dimensions, "a", "COALESCE(m.mrr, 0)"))
    slices = f", {slices}" if slices else ""
    names = [d.name for d in dimensions]
    carried = "".join(f", {quote(name)}" for name in names)
    base = (
        "SELECT h.account_id, h.month, h.band, p.band AS previous_band, "
        f"COALESCE(m.mrr, 0) AS mrr{slices} "
        f"FROM {HEALTH_SCORES_TABLE} AS h "
        f"LEFT JOIN {HEALTH_SCORES_TABLE} AS p ON p.account_id = h.account_id "
        "AND p.month = CAST(h.month - INTERVAL 1 MONTH AS DATE) AND p.band IS NOT NULL "
        "LEFT JOIN account_mrr AS m ON m.account_id = h.account_id AND m.month = h.month "
        "LEFT JOIN accounts AS a ON a.account_id = h.account_id WHERE h.band IS NOT NULL"
    )
    rows = (
        f"SELECT month, band{carried}, 1 AS accounts, mrr, "
        "CASE WHEN previous_band <> band THEN 1 ELSE 0 END AS moved_in, 0 AS moved_out "
        f"FROM ({base}) UNION ALL "
        f"SELECT month, previous_band AS band{carried}, 0, 0, 0, 1 "
        f"FROM ({base}) WHERE previous_band <> band"
    )
    measures = (
        "CAST(sum(c.accounts) AS BIGINT) AS accounts, CAST(sum(c.mrr) AS DOUBLE) AS mrr, "
        "CAST(sum(c.moved_in) AS BIGINT) AS moved_in, "
        "CAST(sum(c.moved_out) AS BIGINT) AS moved_out"
    )
    return rollup(rows, ["month", "band"], names, measures)
