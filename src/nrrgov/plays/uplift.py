"""Holdout uplift: treatment against holdout on NRR over each play's outcome window.

For an enrollment, the base month is the month before the month of ``enrolled_on`` and
the outcome month is ``outcome_window_months`` later. An enrollment is measured once
its outcome month is on or before the as-of month, and only when the account had MRR in
the base month (NRR has no base otherwise). Per group:

- ``nrr`` = Σ MRR(outcome month) / Σ MRR(base month)
- ``expansion_rate`` = Σ max(MRR(outcome) − MRR(base), 0) over accounts still paying,
  divided by Σ MRR(base month)

``uplift`` is treatment NRR minus holdout NRR. The 95% confidence interval comes from a
bootstrap over accounts: each resample draws each group's accounts with replacement,
keeping the group sizes, and the interval is the 2.5% and 97.5% quantiles of the
resampled uplifts. Draws come from the MD5 digest of the seed, play, group, resample and
draw numbers, computed in DuckDB, so a rerun gives the same interval on any machine.

When either group has fewer measured accounts than the play's ``min_sample_size``, the
interval is left empty and the decision is ``inconclusive``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import duckdb

from nrrgov.engine.slices import number_literal, string_literal
from nrrgov.spec.plays import PlaySpec

# TODO: slice holdouts by the project's dimensions; the table has one row per play only.
HOLDOUTS_TABLE = "holdouts"
OUTCOMES_TABLE = "plays_outcomes"
RESAMPLES = 2000
SEED = 20240917
# A sample-ratio-mismatch p-value below this flags a broken assignment.
SRM_ALPHA = 0.001


@dataclass(frozen=True)
class BootstrapSettings:
    """Settings of the bootstrap interval: the number of resamples and the seed."""

    resamples: int = RESAMPLES
    seed: int = SEED


DEFAULT_BOOTSTRAP = BootstrapSettings()


def srm_p_value(treatment: int, holdout: int, holdout_share: float) -> float | None:
    """Return the p-value of a chi-square test (1 degree of freedom) of the group sizes.

    The expected sizes are the total split by ``holdout_share``. None when there are no
    enrollments or the share is 0 or 1, where the test is undefined.

    >>> round(srm_p_value(80, 20, 0.2), 6)
    1.0
    >>> srm_p_value(50, 50, 0.2) < 1e-10
    True
    """
    total = treatment + holdout
    if total == 0 or not 0 < holdout_share < 1:
        return None
    expected_holdout = total * holdout_share
    expected_treatment = total - expected_holdout
    chi2 = (holdout - expected_holdout) ** 2 / expected_holdout + (
        treatment - expected_treatment
    ) ** 2 / expected_treatment
    return math.erfc(math.sqrt(chi2 / 2))


def create_holdouts(
    con: duckdb.DuckDBPyConnection,
    plays: tuple[PlaySpec, ...],
    as_of: date,
    settings: BootstrapSettings = DEFAULT_BOOTSTRAP,
) -> None:
    """Create ``plays_outcomes`` (one row per measured enrollment) and ``holdouts``.

    Reads ``play_enrollments`` and ``account_mrr``.
    """
    _create_parameters(con, plays)
    _create_outcomes(con, as_of)
    _create_group_figures(con)
    _create_bootstrap(con, settings)
    _create_holdouts_table(con, plays)


def _create_parameters(con: duckdb.DuckDBPyConnection, plays: tuple[PlaySpec, ...]) -> None:
    rows = [
        f"({string_literal(p.name)}, {p.outcome_window_months}, {number_literal(p.holdout_share)}, "
        f"{p.min_sample_size})"
        for p in plays
    ]
    values = ", ".join(rows) or "(NULL, NULL, NULL, NULL)"
    con.execute(
        "CREATE OR REPLACE TABLE plays_parameters AS SELECT * FROM (VALUES "
        f"{values}) AS t(play, window_months, holdout_share, min_sample_size) "
        "WHERE play IS NOT NULL"
    )


def _create_outcomes(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    # An account enrolled twice in one play counts once, from its first enrollment.
    con.execute(f"""
        CREATE OR REPLACE TABLE {OUTCOMES_TABLE} AS
        WITH firsts AS (
            SELECT play, account_id, arg_min("group", enrolled_on) AS grp,
                   min(enrolled_on) AS enrolled_on
            FROM play_enrollments
            WHERE enrolled_on < DATE '{as_of.isoformat()}' + INTERVAL 1 MONTH
            GROUP BY play, account_id
        ), windows AS (
            SELECT f.*, date_trunc('month', f.enrolled_on) - INTERVAL 1 MONTH AS base_month,
                   date_trunc('month', f.enrolled_on) - INTERVAL 1 MONTH
                     + to_months(p.window_months) AS outcome_month
            FROM firsts AS f JOIN plays_parameters AS p USING (play)
        )
        SELECT w.play, w.account_id, w.grp, w.enrolled_on, CAST(w.base_month AS DATE) AS base_month,
               CAST(w.outcome_month AS DATE) AS outcome_month,
               w.outcome_month <= DATE '{as_of.isoformat()}' AS measured,
               CAST(COALESCE(b.mrr, 0) AS DOUBLE) AS start_mrr,
               CAST(COALESCE(e.mrr, 0) AS DOUBLE) AS end_mrr
        FROM windows AS w
        LEFT JOIN account_mrr AS b ON b.account_id = w.account_id AND b.month = w.base_month
        LEFT JOIN account_mrr AS e ON e.account_id = w.account_id AND e.month = w.outcome_month
    """)


def _create_group_figures(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        CREATE OR REPLACE TABLE plays_groups AS
        SELECT play, grp,
               count(*) AS enrolled,
               count(*) FILTER (WHERE measured AND start_mrr > 0) AS measured,
               count(*) FILTER (WHERE NOT measured) AS pending,
               COALESCE(sum(start_mrr) FILTER (WHERE measured AND start_mrr > 0), 0) AS start_mrr,
               COALESCE(sum(end_mrr) FILTER (WHERE measured AND start_mrr > 0), 0) AS end_mrr,
               COALESCE(sum(greatest(end_mrr - start_mrr, 0))
                   FILTER (WHERE measured AND start_mrr > 0 AND end_mrr > 0), 0) AS expansion_mrr
        FROM {OUTCOMES_TABLE}
        GROUP BY play, grp
    """)


def _create_bootstrap(con: duckdb.DuckDBPyConnection, settings: BootstrapSettings) -> None:
    """Resample accounts within each group and keep the 2.5% and 97.5% uplift quantiles."""
    # 13 hex digits are 52 bits, exactly representable in a DOUBLE.
    digest = f"md5(concat_ws('|', {settings.seed}, g.play, g.grp, b.range, d.i))"
    uniform = f"CAST(('0x' || left({digest}, 13)) AS BIGINT) / 4503599627370496.0"
    con.execute(f"""
        CREATE OR REPLACE TABLE plays_bootstrap AS
        WITH indexed AS (
            SELECT play, grp, start_mrr, end_mrr,
                   row_number() OVER (PARTITION BY play, grp ORDER BY account_id) - 1 AS idx
            FROM {OUTCOMES_TABLE} WHERE measured AND start_mrr > 0
        ), sizes AS (
            SELECT play, grp, count(*) AS n FROM indexed GROUP BY play, grp
        ), draws AS (
            SELECT g.play, g.grp, b.range AS resample,
                   CAST(floor({uniform} * g.n) AS BIGINT) AS idx
            FROM sizes AS g
            CROSS JOIN range({settings.resamples}) AS b
            CROSS JOIN LATERAL (SELECT unnest(range(g.n)) AS i) AS d
        ), sums AS (
            SELECT d.play, d.grp, d.resample, sum(i.end_mrr) / sum(i.start_mrr) AS nrr
            FROM draws AS d JOIN indexed AS i USING (play, grp, idx)
            GROUP BY d.play, d.grp, d.resample
        ), uplifts AS (
            SELECT t.play, t.resample, t.nrr - h.nrr AS uplift
            FROM sums AS t JOIN sums AS h
              ON h.play = t.play AND h.resample = t.resample AND h.grp = 'holdout'
            WHERE t.grp = 'treatment'
        )
        SELECT play, quantile_cont(uplift, 0.025) AS ci_low,
               quantile_cont(uplift, 0.975) AS ci_high
        FROM uplifts GROUP BY play
    """)


def _create_holdouts_table(con: duckdb.DuckDBPyConnection, plays: tuple[PlaySpec, ...]) -> None:
    srm = {p.name: _srm(con, p) for p in plays}
    rows = ", ".join(
        f"({string_literal(name)}, {'NULL' if value is None else repr(value)})"
        for name, value in srm.items()
    )
    srm_values = rows or "(NULL, NULL)"
    con.execute(f"""
        CREATE OR REPLACE TABLE {HOLDOUTS_TABLE} AS
        WITH srm AS (
            SELECT play, CAST(srm_p_value AS DOUBLE) AS srm_p_value
            FROM (VALUES {srm_values}) AS s(play, srm_p_value) WHERE play IS NOT NULL
        ), figures AS (
            SELECT p.play, p.min_sample_size, p.window_months,
                   CAST(p.holdout_share AS DOUBLE) AS holdout_share,
                   COALESCE(t.enrolled, 0) AS treatment_enrolled,
                   COALESCE(h.enrolled, 0) AS holdout_enrolled,
                   COALESCE(t.measured, 0) AS treatment_size,
                   COALESCE(h.measured, 0) AS holdout_size,
                   COALESCE(t.pending, 0) + COALESCE(h.pending, 0) AS pending,
                   t.start_mrr AS treatment_starting_mrr,
                   t.end_mrr / NULLIF(t.start_mrr, 0) AS treatment_nrr,
                   h.end_mrr / NULLIF(h.start_mrr, 0) AS holdout_nrr,
                   t.expansion_mrr / NULLIF(t.start_mrr, 0) AS treatment_expansion_rate,
                   h.expansion_mrr / NULLIF(h.start_mrr, 0) AS holdout_expansion_rate,
                   least(COALESCE(t.measured, 0), COALESCE(h.measured, 0))
                     < p.min_sample_size AS inconclusive,
                   b.ci_low, b.ci_high, s.srm_p_value
            FROM plays_parameters AS p
            LEFT JOIN plays_groups AS t ON t.play = p.play AND t.grp = 'treatment'
            LEFT JOIN plays_groups AS h ON h.play = p.play AND h.grp = 'holdout'
            LEFT JOIN plays_bootstrap AS b ON b.play = p.play
            LEFT JOIN srm AS s ON s.play = p.play
        )
        SELECT play, outcome_window_months, holdout_share, treatment_enrolled,
               holdout_enrolled, treatment_size, holdout_size, pending,
               treatment_starting_mrr, treatment_nrr, holdout_nrr,
               treatment_nrr - holdout_nrr AS uplift,
               CASE WHEN NOT inconclusive THEN ci_low END AS ci_low,
               CASE WHEN NOT inconclusive THEN ci_high END AS ci_high,
               treatment_expansion_rate, holdout_expansion_rate,
               treatment_expansion_rate - holdout_expansion_rate AS expansion_uplift,
               srm_p_value,
               CASE WHEN inconclusive THEN 'inconclusive'
                    WHEN srm_p_value < {SRM_ALPHA} THEN 'sample_ratio_mismatch'
                    WHEN ci_low > 0 THEN 'positive'
                    WHEN ci_high < 0 THEN 'negative'
                    ELSE 'no_detectable_effect' END AS decision
        FROM (SELECT *, window_months AS outcome_window_months FROM figures)
        ORDER BY play
    """)


def _srm(con: duckdb.DuckDBPyConnection, play: PlaySpec) -> float | None:
    counts = dict(
        con.execute(
            f"SELECT grp, count(*) FROM {OUTCOMES_TABLE} WHERE play = ? GROUP BY grp",
            [play.name],
        ).fetchall()
    )
    return srm_p_value(counts.get("treatment", 0), counts.get("holdout", 0), play.holdout_share)
