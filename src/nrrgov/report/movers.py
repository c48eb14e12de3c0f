"""Shape the top movers page: the accounts with the largest movements of each month.

This is the one place the report reads single accounts, and only those it lists.
"""

from __future__ import annotations

from collections import defaultdict

from nrrgov.report.tables import (
    ReportTables,
    aligned,
    money,
    month_date,
    months_between,
    shift_month,
)

# Movement kinds listed, with their heading and the sign of their change in MRR.
MOVER_KINDS = (
    ("new", "New", 1),
    ("expansion", "Expansion", 1),
    ("contraction", "Contraction", -1),
    ("churn", "Churn", -1),
)
TOP_N = 20
MOVER_MONTHS = 12
# Longer than MOVER_MONTHS, because the MRR before each listed movement is read from it.
HISTORY_MONTHS = 24

# Columns of the optional ``accounts`` table, by what the page shows; first match wins.
ACCOUNT_COLUMNS = {
    "name": ("account_name", "name"),
    "segment": ("segment",),
    "region": ("region",),
    "owner": ("csm_owner", "owner"),
}


def top_movers(tables: ReportTables, as_of: str) -> dict:
    """List the largest movements of each kind for each of the last twelve months.

    Accounts are ranked by the absolute MRR of their movement, on constant currency.
    Ties go to the smaller account id, so that reruns list the same accounts.

    Returns:
        ``months`` (newest first), ``kinds`` (key, label), ``has_accounts`` (whether
        names and attributes were available), ``movers``: month -> kind -> rows of
        ``account_id``, ``name``, ``segment``, ``region``, ``owner``, ``before``,
        ``after`` (MRR in the month before and the month) and ``change`` (the movement,
        signed), and ``history``: ``months`` and ``accounts`` (account id -> MRR of the
        last 24 months) for the listed accounts only.
    """
    months = months_between(shift_month(as_of, 1 - MOVER_MONTHS), as_of)
    kinds = [{"key": key, "label": label} for key, label, _sign in MOVER_KINDS]
    history_months = months_between(shift_month(as_of, 1 - HISTORY_MONTHS), as_of)
    empty = {
        "months": months[::-1],
        "top_n": TOP_N,
        "kinds": kinds,
        "has_accounts": False,
        "movers": {},
        "history": {"months": history_months, "accounts": {}},
    }
    if not tables.has("account_mrr"):
        return empty

    _rank_movers(tables, months)
    attributes = _account_attributes(tables)
    rows = tables.query(
        "SELECT CAST(account_id AS VARCHAR) AS account_id, strftime(month, '%Y-%m') AS month, "
        "movement, movement_mrr, mrr FROM top_movers ORDER BY month DESC, movement, rank"
    )
    # The history reaches a month before the first mover month, so it supplies the MRR
    # before each movement without a second scan of account_mrr.
    history = _history(tables, history_months)
    return {
        **empty,
        "has_accounts": attributes is not None,
        "movers": _movers_by_month(rows, attributes or {}, history, history_months),
        "history": {"months": history_months, "accounts": history},
    }


def _rank_movers(tables: ReportTables, months: list[str]) -> None:
    kinds = ", ".join(f"'{key}'" for key, _label, _sign in MOVER_KINDS)
    tables.con.execute(
        "CREATE OR REPLACE TEMP TABLE top_movers AS "
        "SELECT account_id, month, movement, movement_mrr, coalesce(mrr, 0) AS mrr, "
        "row_number() OVER (PARTITION BY month, movement "
        "ORDER BY abs(movement_mrr) DESC, CAST(account_id AS VARCHAR)) AS rank "
        f"FROM account_mrr WHERE month BETWEEN ? AND ? AND movement IN ({kinds}) "
        f"QUALIFY rank <= {TOP_N}",
        [month_date(months[0]), month_date(months[-1])],
    )


def _account_attributes(tables: ReportTables) -> dict[str, dict] | None:
    """Name, segment, region and owner of the listed accounts; None without the table."""
    if not tables.has("accounts") or "account_id" not in tables.columns("accounts"):
        return None
    present = set(tables.columns("accounts"))
    selected = []
    for field, candidates in ACCOUNT_COLUMNS.items():
        column = next((name for name in candidates if name in present), None)
        selected.append(f'CAST("{column}" AS VARCHAR) AS {field}' if column else f"NULL AS {field}")
    rows = tables.query(
        f"SELECT CAST(account_id AS VARCHAR) AS account_id, {', '.join(selected)} FROM accounts "
        "WHERE CAST(account_id AS VARCHAR) IN "
        "(SELECT DISTINCT CAST(account_id AS VARCHAR) FROM top_movers)"
    )
    return {row.pop("account_id"): row for row in rows}


def _movers_by_month(
    rows: list[dict], attributes: dict[str, dict], history: dict[str, list], months: list[str]
) -> dict:
    signs = {key: sign for key, _label, sign in MOVER_KINDS}
    position = {month: index for index, month in enumerate(months)}
    movers: dict[str, dict[str, list]] = defaultdict(lambda: {key: [] for key in signs})
    for row in rows:
        known = attributes.get(row["account_id"], {})
        series = history.get(row["account_id"], [])
        before_index = position[row["month"]] - 1
        movers[row["month"]][row["movement"]].append(
            {
                "account_id": row["account_id"],
                "name": known.get("name"),
                "segment": known.get("segment"),
                "region": known.get("region"),
                "owner": known.get("owner"),
                "before": series[before_index] if series else 0.0,
                "after": money(row["mrr"]),
                "change": money(abs(row["movement_mrr"]) * signs[row["movement"]]),
            }
        )
    return dict(movers)


def _history(tables: ReportTables, months: list[str]) -> dict[str, list]:
    rows = tables.query(
        "SELECT CAST(account_id AS VARCHAR) AS account_id, strftime(month, '%Y-%m') AS month, "
        "mrr FROM account_mrr WHERE month BETWEEN ? AND ? "
        "AND account_id IN (SELECT account_id FROM top_movers)",
        [month_date(months[0]), month_date(months[-1])],
    )
    by_account: dict[str, dict[str, float | None]] = defaultdict(dict)
    for row in rows:
        by_account[row["account_id"]][row["month"]] = money(row["mrr"])
    return {
        account: [value or 0.0 for value in aligned(series, months)]
        for account, series in sorted(by_account.items())
    }
