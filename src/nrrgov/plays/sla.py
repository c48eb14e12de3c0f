"""SLA compliance: was each treatment enrollment touched within its play's first-touch SLA?

A touch is an ``activities`` row for the account, on or after the enrollment day, for the
play or with no play named. Business days are Monday to Friday; public holidays are not
known, so they count as business days. An enrollment is

- ``in_sla`` when its first touch came within ``first_touch_business_days`` business
  days (0 is the enrollment day itself),
- a ``breach`` when it had no touch in time and the deadline passed by the end of the
  as-of month,
- ``pending`` otherwise: the deadline has not passed yet.

Only activities up to the end of the as-of month count. Breaches are listed by the
account's ``csm_owner``.
"""

# TODO: measure follow_up_days too (the gap between later touches); only the first-touch
# SLA is computed.

from __future__ import annotations

from datetime import date

import duckdb

from nrrgov.engine.slices import string_literal
from nrrgov.plays.uplift import OUTCOMES_TABLE
from nrrgov.spec.plays import PlaySpec

SLA_TABLE = "play_sla"
# A Sunday: weekday counts are taken from it.
_EPOCH = "DATE '1970-01-04'"


def business_days_sql(start: str, end: str) -> str:
    """Return SQL for the Monday-to-Friday days in (start, end], for ``end >= start``."""
    return f"({_weekdays_since_epoch(end)} - {_weekdays_since_epoch(start)})"


def _weekdays_since_epoch(day: str) -> str:
    days = f"CAST({day} - {_EPOCH} AS BIGINT)"
    return f"(5 * ({days} // 7) + least({days} % 7, 5))"


def create_sla(con: duckdb.DuckDBPyConnection, plays: tuple[PlaySpec, ...], as_of: date) -> None:
    """Create ``play_sla``: per play and owner, enrollments due, in SLA, breached, pending.

    Reads ``plays_outcomes`` (from the uplift stage), ``activities`` and ``accounts``.
    """
    values = ", ".join(
        f"({string_literal(p.name)}, {p.sla.first_touch_business_days})" for p in plays
    )
    month_end = f"(DATE '{as_of.isoformat()}' + INTERVAL 1 MONTH - INTERVAL 1 DAY)"
    elapsed = business_days_sql("e.enrolled_on", f"CAST({month_end} AS DATE)")
    touched = business_days_sql("e.enrolled_on", "t.first_touch")
    con.execute(f"""
        CREATE OR REPLACE TABLE {SLA_TABLE} AS
        WITH sla AS (
            SELECT * FROM (VALUES {values or "(NULL, NULL)"}) AS s(play, days)
            WHERE play IS NOT NULL
        ), enrollments AS (
            SELECT o.play, o.account_id, o.enrolled_on, s.days
            FROM {OUTCOMES_TABLE} AS o JOIN sla AS s USING (play)
            WHERE o.grp = 'treatment'
        ), touches AS (
            SELECT e.play, e.account_id, min(a.occurred_at) AS first_touch
            FROM enrollments AS e
            JOIN activities AS a
              ON a.account_id = e.account_id AND (a.play = e.play OR a.play IS NULL)
             AND a.occurred_at >= e.enrolled_on AND a.occurred_at <= {month_end}
            GROUP BY e.play, e.account_id
        ), states AS (
            SELECT e.play, COALESCE(acc.csm_owner, '(no owner)') AS csm_owner,
                   t.first_touch IS NOT NULL AND {touched} <= e.days AS in_sla,
                   {elapsed} > e.days AS due
            FROM enrollments AS e
            LEFT JOIN touches AS t USING (play, account_id)
            LEFT JOIN accounts AS acc ON acc.account_id = e.account_id
        )
        SELECT play, csm_owner,
               count(*) FILTER (WHERE in_sla OR due) AS due,
               count(*) FILTER (WHERE in_sla) AS in_sla,
               count(*) FILTER (WHERE due AND NOT in_sla) AS breaches,
               count(*) FILTER (WHERE NOT in_sla AND NOT due) AS pending,
               count(*) FILTER (WHERE in_sla) / NULLIF(count(*) FILTER (WHERE in_sla OR due), 0)
                 AS compliance
        FROM states
        GROUP BY play, csm_owner
        ORDER BY play, csm_owner
    """)
