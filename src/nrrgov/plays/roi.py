"""Return on investment of a play: incremental ARR over annual cost.

The incremental MRR is the uplift (treatment NRR minus holdout NRR) times the starting
MRR of the measured treatment accounts: the MRR the play added beyond what those accounts
would have had at the holdout's rate. Annualised (× 12) and divided by the annual cost
(12 × the monthly FTE cost plus program spend), it is the return: above 1 the play pays
for itself.

>>> return_on_investment(0.25, 40_000, 5_000)
2.0
"""

from __future__ import annotations

import duckdb

from nrrgov.engine.slices import number_literal, string_literal
from nrrgov.plays.uplift import HOLDOUTS_TABLE
from nrrgov.spec.plays import PlaySpec

RETURNS_TABLE = "plays_returns"


def return_on_investment(
    uplift: float | None, treated_starting_mrr: float | None, monthly_cost: float
) -> float | None:
    """Return incremental ARR over annual cost; None without an uplift or a cost."""
    if uplift is None or treated_starting_mrr is None or monthly_cost <= 0:
        return None
    return (12 * uplift * treated_starting_mrr) / (12 * monthly_cost)


def create_returns(con: duckdb.DuckDBPyConnection, plays: tuple[PlaySpec, ...]) -> None:
    """Create ``plays_returns`` (play, annual_cost, incremental_arr, roi) from ``holdouts``."""
    values = ", ".join(
        f"({string_literal(p.name)}, {number_literal(12 * p.cost_per_month.monthly_total)})"
        for p in plays
    )
    con.execute(f"""
        CREATE OR REPLACE TABLE {RETURNS_TABLE} AS
        WITH costs AS (
            SELECT * FROM (VALUES {values or "(NULL, NULL)"}) AS c(play, annual_cost)
            WHERE play IS NOT NULL
        )
        SELECT c.play, CAST(c.annual_cost AS DOUBLE) AS annual_cost,
               12 * h.uplift * h.treatment_starting_mrr AS incremental_arr,
               12 * h.uplift * h.treatment_starting_mrr / NULLIF(c.annual_cost, 0) AS roi
        FROM costs AS c LEFT JOIN {HOLDOUTS_TABLE} AS h USING (play)
    """)
