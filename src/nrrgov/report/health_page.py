"""Shape the health and KPI page and the maturity page from a run's tables.

Both pages are static HTML tables. Each section renders an explanatory empty state when
its table is absent or has no rows, for example when ``health.yml`` does not exist.
"""

from __future__ import annotations

from pathlib import Path

from nrrgov.assess import assess
from nrrgov.loader import Project
from nrrgov.report.tables import ALL, ReportTables, money, number, ratio

BAND_MONTHS = 12
AT_RISK_ROWS = 50
# Columns of the kpis table that cut it besides the project's dimensions.
KPI_CUTS = ("csm_owner", "body", "decision")
KPI_UNITS = {"time_to_value_days": "days", "decision_cycle_days": "days"}


def health_page_extras(tables: ReportTables, out_dir: Path, project: Project) -> dict:
    """Return the template context of the ``health`` and ``maturity`` pages."""
    return {
        "health": {"health": health_data(tables)},
        "maturity": {"maturity": _maturity(out_dir, project)},
    }


def _maturity(out_dir: Path, project: Project) -> dict:
    # A compute run renders in a staging folder that is renamed to ``out`` at the end,
    # so evidence names the tables by where they end up.
    display = f"{project.config.out}/tables"
    return assess(project.root, out_dir / "tables", display).to_dict()


def health_data(tables: ReportTables) -> dict:
    """Shape the health bands, at-risk accounts, KPIs, targets and attainment.

    Returns:
        ``bands`` (one row per month: accounts, MRR and moves per band, over every
        slice), ``at_risk`` (totals, per tier, and the largest accounts), ``kpis``,
        ``reps`` (net dollars retained per rep), ``targets`` and ``attainment``.
    """
    return {
        "bands": _bands(tables),
        "at_risk": _at_risk(tables),
        "kpis": _kpis(tables),
        "reps": _reps(tables),
        "targets": _targets(tables),
        "attainment": _attainment(tables),
    }


def _all_slices(tables: ReportTables, table: str, extra: tuple[str, ...] = ()) -> str:
    columns = [*tables.slice_columns(table), *(c for c in extra if c in tables.columns(table))]
    return " AND ".join(f"\"{column}\" = '{ALL}'" for column in columns) or "TRUE"


def _bands(tables: ReportTables) -> list[dict]:
    if not tables.has("health_bands"):
        return []
    found = tables.query(
        "SELECT strftime(month, '%Y-%m') AS month, band, accounts, mrr, moved_in, moved_out "
        f"FROM health_bands WHERE {_all_slices(tables, 'health_bands')} "
        "AND month > (SELECT max(month) FROM health_bands) - INTERVAL "
        f"{BAND_MONTHS} MONTH ORDER BY month, band"
    )
    months: dict[str, dict] = {}
    for row in found:
        entry = months.setdefault(row["month"], {"month": row["month"], "bands": {}})
        entry["bands"][row["band"]] = {
            "accounts": number(row["accounts"]),
            "mrr": money(row["mrr"]),
            "moved_in": number(row["moved_in"]),
            "moved_out": number(row["moved_out"]),
        }
    return list(months.values())


def _at_risk(tables: ReportTables) -> dict:
    if not tables.has("at_risk"):
        return {"accounts": 0, "tiers": [], "rows": []}
    totals = tables.query(
        "SELECT count(*) AS accounts, sum(mrr_at_risk) AS mrr, "
        "sum(CASE WHEN covered THEN mrr_at_risk ELSE 0 END) AS covered_mrr FROM at_risk"
    )[0]
    tiers = tables.query(
        "SELECT COALESCE(tier, '(none)') AS tier, count(*) AS accounts, "
        "sum(mrr_at_risk) AS mrr, any_value(resolve_hours) AS resolve_hours "
        "FROM at_risk GROUP BY ALL ORDER BY mrr DESC"
    )
    rows = tables.query(
        "SELECT account_id, csm_owner, band, reason, mrr_at_risk, "
        "strftime(renewal_date, '%Y-%m-%d') AS renewal_date, days_to_renewal, covered, "
        f"covering_plays, tier FROM at_risk ORDER BY mrr_at_risk DESC, account_id "
        f"LIMIT {AT_RISK_ROWS}"
    )
    mrr = float(totals["mrr"] or 0)
    covered = float(totals["covered_mrr"] or 0)
    return {
        "accounts": totals["accounts"],
        "mrr": money(mrr),
        "covered_mrr": money(covered),
        "coverage": ratio(covered / mrr) if mrr else None,
        "tiers": [{**t, "mrr": money(t["mrr"])} for t in tiers],
        "rows": [{**r, "mrr_at_risk": money(r["mrr_at_risk"])} for r in rows],
    }


def _kpis(tables: ReportTables) -> list[dict]:
    if not tables.has("kpis"):
        return []
    found = tables.query(
        "SELECT kpi, strftime(max(as_of), '%Y-%m') AS as_of, arg_max(value, as_of) AS value, "
        "arg_max(numerator, as_of) AS numerator, arg_max(denominator, as_of) AS denominator "
        f"FROM kpis WHERE {_all_slices(tables, 'kpis', KPI_CUTS)} GROUP BY kpi ORDER BY kpi"
    )
    return [
        {**row, "unit": KPI_UNITS.get(row["kpi"], "ratio"), "value": number(row["value"])}
        for row in found
    ]


def _reps(tables: ReportTables) -> list[dict]:
    if not tables.has("kpis"):
        return []
    return tables.query(
        "SELECT csm_owner, value, numerator, denominator FROM kpis "
        f"WHERE kpi = 'net_dollars_retained' AND csm_owner <> '{ALL}' "
        f"AND {_all_slices(tables, 'kpis')} AND as_of = (SELECT max(as_of) FROM kpis) "
        "ORDER BY value DESC NULLS LAST, csm_owner"
    )


def _targets(tables: ReportTables) -> list[dict]:
    if not tables.has("targets_vs_actuals"):
        return []
    slices = tables.slice_columns("targets_vs_actuals")
    slice_list = "".join(f', "{name}"' for name in slices)
    return tables.query(
        f"SELECT target, metric{slice_list}, strftime(as_of, '%Y-%m') AS as_of, target_value, "
        "at_risk, actual, gap, status FROM targets_vs_actuals "
        "WHERE as_of = (SELECT max(as_of) FROM targets_vs_actuals) ORDER BY target"
    )


def _attainment(tables: ReportTables) -> list[dict]:
    if not tables.has("attainment"):
        return []
    return tables.query(
        "SELECT csm_owner, base_accounts, nrr, grr, bookings_mrr, unverified_expansion_mrr, "
        "attainment FROM attainment ORDER BY attainment DESC NULLS LAST, csm_owner"
    )
