"""Which accounts meet each active play's entry criteria in a month, and the MRR at risk.

An account is at risk in a month when it has MRR and either contracted over the last
three months (``mrr_change_3m < 0``) or sits in the red health band. A play covers an
at-risk account when the account meets its entry criteria.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb

from nrrgov.engine.slices import string_literal
from nrrgov.errors import Location, UserError
from nrrgov.plays.expressions import ConditionError, compile_condition
from nrrgov.plays.features import FEATURES_TABLE, create_features, feature_names
from nrrgov.plays.loader import LoadedPlay, Playbook
from nrrgov.spec.taxonomy import DimensionSpec

ELIGIBLE_TABLE = "plays_eligible"
AT_RISK_TABLE = "plays_at_risk"
AT_RISK_CONDITION = "mrr > 0 AND (mrr_change_3m < 0 OR health_band = 'red')"


def active_plays(playbook: Playbook) -> tuple[LoadedPlay, ...]:
    """Return the plays whose status is ``active``, in file order."""
    return tuple(play for play in playbook.plays if play.spec.status == "active")


def criteria_sql(play: LoadedPlay, dimensions: Iterable[DimensionSpec]) -> str:
    """Compile a play's entry criteria to a SQL condition over the features table.

    Raises:
        UserError: the criteria do not compile; the location is the criterion's line and
            the column of the offending name.
    """
    try:
        return compile_condition(play.spec.entry_criteria, feature_names(dimensions)).sql(
            dialect="duckdb"
        )
    except ConditionError as error:
        position = play.document.position((*play.path, "entry_criteria")).at_offset(error.col)
        where = Location(play.document.path, line=position.line, col=position.col)
        raise UserError(
            error.code,
            f"play {play.spec.name!r}: {error.message}",
            where=where,
            hint=error.hint,
        ) from None


def create_eligibility(
    con: duckdb.DuckDBPyConnection,
    plays: Iterable[LoadedPlay],
    month: date,
    dimensions: Iterable[DimensionSpec],
) -> None:
    """Create the features for ``month``, then ``plays_eligible`` and ``plays_at_risk``.

    ``plays_eligible`` has one row per (play, account_id) meeting the play's criteria;
    ``plays_at_risk`` one row per at-risk account with its MRR.
    """
    dimensions = tuple(dimensions)
    create_features(con, month, dimensions)
    selects = [
        f"SELECT {string_literal(play.spec.name)} AS play, account_id "
        f"FROM {FEATURES_TABLE} WHERE {criteria_sql(play, dimensions)}"
        for play in plays
    ]
    empty = "SELECT CAST(NULL AS VARCHAR) AS play, CAST(NULL AS VARCHAR) AS account_id WHERE false"
    union = " UNION ALL ".join(selects) if selects else empty
    con.execute(f"CREATE OR REPLACE TABLE {ELIGIBLE_TABLE} AS {union}")

    at_risk = compile_condition(AT_RISK_CONDITION, feature_names(dimensions)).sql(dialect="duckdb")
    con.execute(
        f"CREATE OR REPLACE TABLE {AT_RISK_TABLE} AS "
        f"SELECT account_id, mrr FROM {FEATURES_TABLE} WHERE {at_risk}"
    )


def eligible_accounts(con: duckdb.DuckDBPyConnection, play: str) -> list[str]:
    """Return the ids of the accounts eligible for ``play``, sorted."""
    rows = con.execute(
        f"SELECT account_id FROM {ELIGIBLE_TABLE} WHERE play = ? ORDER BY account_id", [play]
    ).fetchall()
    return [row[0] for row in rows]
