"""Turn the canonical input into ``revenue``: MRR per account, currency and month.

After :func:`nrrgov.engine.ingest.ingest`:

1. :func:`resolve_as_of` picks the last month computed.
2. :func:`add_normalize` adds the portable statements that create ``calendar(month)``
   and ``revenue(account_id, currency, month, mrr_native)`` to a pipeline, and recreate
   ``quarantine`` as the union of ``quarantine_ingest`` and ``quarantine_normalize``
   (negative account MRR).
3. :func:`validate_revenue`, after the pipeline ran, checks that every currency-month
   the analytics convert has an fx rate.

Rules: a subscription counts in month m when it is in service on m's snapshot day (last
day by default, or first day): start_date <= day < end_date. Its MRR is amount / months
per invoice. Statuses in ``no_revenue_statuses`` and zero amounts carry none.
"""

from __future__ import annotations

import logging
from datetime import date

import duckdb

from nrrgov import currencies
from nrrgov.engine import ingest_codes as codes
from nrrgov.engine import normalize_sql as sql
from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import add_reporting_rates
from nrrgov.engine.sql import Pipeline
from nrrgov.errors import Location, UserError

logger = logging.getLogger(__name__)

_MAX_LISTED = 50
_NO_END_FROM = "DATE '9999-01-01'"


def resolve_as_of(
    con: duckdb.DuckDBPyConnection, ctx: EngineContext, requested: date | None
) -> date:
    """Return the first day of the last month to compute.

    It is ``requested`` (or the project's ``as_of``), else the last month with data: the
    latest month that a start date, a last day in service or an MRR month falls in. The
    reporting currency's rate-1 rows in ``fx_rates`` are extended to that month.

    Raises:
        UserError: the input has no rows, or the month is before all data.
    """
    first, last = _data_months(con)
    if first is None:
        raise UserError(
            codes.NO_DATA,
            "the revenue input has no rows, so there is nothing to compute",
            where=_revenue_location(ctx),
            hint="check the source's path and that its rows were not all quarantined",
        )

    if requested is None and ctx.project.config.as_of:
        requested = date.fromisoformat(ctx.project.config.as_of + "-01")
    as_of = (requested or last).replace(day=1)
    if as_of < first:
        raise UserError(
            codes.AS_OF_BEFORE_DATA,
            f"as-of month {as_of:%Y-%m} is before the first month with data, {first:%Y-%m}",
            hint=f"choose a month from {first:%Y-%m} on, or leave as_of unset for {last:%Y-%m}",
        )
    add_reporting_rates(con, ctx, first, as_of)
    logger.info("as-of month %s", as_of.strftime("%Y-%m"))
    return as_of


def _data_months(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    if _revenue_table(con) == "subscriptions":
        # The last day in service is the day before the exclusive end date. An end date
        # in year 9999, a common way to write "no end", counts as none here, so that it
        # does not stretch the data to that year.
        last_day = (
            f"CASE WHEN end_date < {_NO_END_FROM} THEN CAST(end_date - INTERVAL 1 DAY AS DATE) END"
        )
        query = (
            "SELECT min(start_date), "
            f"max(greatest(start_date, COALESCE({last_day}, start_date))) FROM subscriptions"
        )
    else:
        query = "SELECT min(month), max(month) FROM mrr_input"
    first, last = con.execute(query).fetchone()
    if first is None:
        return None, None
    return first.replace(day=1), last.replace(day=1)


def _revenue_table(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        "SELECT table_name FROM ingest_summary WHERE source IN ('subscriptions', 'mrr')"
    ).fetchone()
    return row[0]


def add_normalize(pipeline: Pipeline, ctx: EngineContext) -> None:
    """Add the statements that create ``calendar``, ``revenue`` and ``quarantine``.

    Intermediate tables are prefixed ``normalize_``. ``quarantine_normalize`` contains
    the account-months whose MRR was negative.
    """
    if ctx.as_of is None:
        raise ValueError("add_normalize needs ctx.as_of; call resolve_as_of first")
    options = ctx.options

    if ctx.project.source("subscriptions") is not None:
        source = "subscriptions"
        pipeline.add(
            "normalize_subscription_mrr",
            sql.subscription_mrr(options.grain, options.no_revenue_statuses),
            "MRR of each subscription that carries revenue, in its own currency",
        )
        pipeline.add("normalize_bounds", sql.first_month_of_subscriptions())
        pipeline.add(
            "normalize_segments",
            sql.subscription_segments(),
            "date ranges of constant MRR per account and currency",
        )
        positive, negative = sql.segment_months("mrr > 0"), sql.segment_months("mrr < 0")
    else:
        source = "mrr"
        pipeline.add("normalize_bounds", sql.first_month_of_mrr_input())
        pipeline.add(
            "normalize_account_months",
            sql.mrr_input_account_months(options.grain, ctx.reporting_currency, ctx.as_of),
            "MRR input summed per account and month",
        )
        positive = negative = "SELECT * FROM normalize_account_months"

    pipeline.add(
        "normalize_months",
        sql.months(ctx.as_of, options.snapshot),
        f"every month to the as-of month, with its snapshot day ({options.snapshot})",
    )
    pipeline.add(
        "quarantine_normalize",
        sql.negative_mrr_quarantine(negative, source, options.negative_mrr),
        "account-months with negative MRR",
    )
    pipeline.add(
        "revenue",
        sql.revenue(positive),
        "MRR per account, currency and month, where positive",
    )
    pipeline.add("calendar", sql.calendar(), "every month from the first with revenue")
    pipeline.add("quarantine", sql.quarantine(), "rows set aside by ingest and normalize")


def validate_revenue(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> None:
    """Check ``revenue`` after normalize: not empty, no negative MRR, every fx rate there.

    A currency needs a rate for each month it has revenue in and for the month after,
    because an account's churn is valued at the churn month's rate.

    Raises:
        UserError: no revenue at all; negative MRR with ``negative_mrr: error``; an
            unknown currency; missing fx rates, all listed at once.
    """
    # One pass over revenue: every later check reads its distinct currency-months.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _revenue_currency_months AS "
        "SELECT DISTINCT currency, month FROM revenue"
    )
    _check_not_empty(con, ctx)
    if ctx.options.negative_mrr == "error":
        _check_no_negative_mrr(con, ctx)
    _check_currencies(con, ctx)
    _check_fx_rates(con, ctx)
    con.execute("DROP TABLE _revenue_currency_months")


def _check_not_empty(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> None:
    if con.execute("SELECT count(*) FROM _revenue_currency_months").fetchone()[0] == 0:
        raise UserError(
            codes.NO_DATA,
            f"no account has MRR in any month up to {ctx.as_of:%Y-%m}",
            where=_revenue_location(ctx),
            hint="check that not every subscription is a trial, zero-priced or after "
            "the as-of month",
        )


def _check_no_negative_mrr(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> None:
    rows = con.execute(
        "SELECT reason, value FROM quarantine_normalize ORDER BY reason LIMIT ?", [_MAX_LISTED]
    ).fetchall()
    if not rows:
        return
    total = con.execute("SELECT count(*) FROM quarantine_normalize").fetchone()[0]
    raise UserError(
        codes.NEGATIVE_MRR,
        f"{total} account-months have negative MRR, first: {rows[0][0]} ({rows[0][1]})",
        where=_revenue_location(ctx),
        hint="correct the discounts in the export, or set 'negative_mrr: floor' to count "
        "them as 0 and quarantine them",
        details=_listed([f"{reason}: {value}" for reason, value in rows], total),
    )


def _check_currencies(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> None:
    query = "SELECT DISTINCT currency FROM _revenue_currency_months"
    found = [row[0] for row in con.execute(query).fetchall()]
    unknown = sorted(code for code in found if not currencies.is_known(code))
    if unknown:
        raise UserError(
            codes.UNKNOWN_CURRENCY,
            f"unknown currency codes in revenue: {', '.join(map(repr, unknown))}",
            where=_revenue_location(ctx),
            hint="use ISO 4217 codes such as USD, EUR or JPY",
        )


def _check_fx_rates(con: duckdb.DuckDBPyConnection, ctx: EngineContext) -> None:
    missing = con.execute(
        f"""
        WITH needed AS (
            SELECT currency, month FROM _revenue_currency_months
            UNION
            SELECT currency, CAST(month + INTERVAL 1 MONTH AS DATE)
            FROM _revenue_currency_months
            WHERE month < $as_of
            {" ".join(_valuation_rate_needs(ctx))}
        )
        SELECT n.currency, n.month FROM needed AS n
        WHERE NOT EXISTS (
            SELECT 1 FROM fx_rates AS f WHERE f.currency = n.currency AND f.month = n.month
        )
        ORDER BY n.currency, n.month
        """,
        {"as_of": ctx.as_of},
    ).fetchall()
    if not missing:
        return

    pairs = [f"{currency} {month:%Y-%m}" for currency, month in missing]
    fx_source = ctx.project.source("fx_rates")
    if fx_source is None:
        where = _sources_location(ctx)
    else:
        where = Location(str(ctx.data_dir / fx_source.path))
    hint = (
        f"add a rate (units of {ctx.reporting_currency} for one unit of the currency) "
        "for every listed month; a currency needs one for each month with revenue and "
        "the month after, whose rate values its churn"
    )
    _, last = _data_months(con)
    if last is not None and ctx.as_of > last:
        hint = (
            f"the as-of month {ctx.as_of:%Y-%m} is after the last month with data, "
            f"{last:%Y-%m}: choose an earlier --as-of, or {hint}"
        )
    raise UserError(
        codes.MISSING_FX_RATE,
        f"missing fx rates for {len(pairs)} currency-months: {', '.join(pairs[:10])}"
        + (", ..." if len(pairs) > 10 else ""),
        where=where,
        hint=hint,
        details=pairs,
    )


def _valuation_rate_needs(ctx: EngineContext) -> list[str]:
    """SQL UNION parts for the rates that valuations other than each month's own read.

    account_mrr values every month at the as-of month's rates; constant_currency
    retention values month M-k at month M's rate; fixed_rate reads one month's rates.
    """
    currencies_sql = "SELECT DISTINCT currency FROM _revenue_currency_months"
    parts = [f"UNION SELECT currency, $as_of FROM ({currencies_sql})"]
    fx_modes = {ctx.options.fx_mode} | {
        metric.options.fx_mode for metric in ctx.project.metrics if metric.options.fx_mode
    }
    if "constant_currency" in fx_modes:
        lookbacks = {
            *ctx.project.config.lookbacks,
            *(m.lookback_months for m in ctx.project.metrics),
        }
        for months in sorted(lookbacks):
            later = f"CAST(month + INTERVAL {int(months)} MONTH AS DATE)"
            parts.append(
                f"UNION SELECT currency, {later} FROM _revenue_currency_months "
                f"WHERE {later} <= $as_of"
            )
    if "fixed_rate" in fx_modes and ctx.options.fixed_rate_month:
        fixed = f"CAST('{ctx.options.fixed_rate_month}-01' AS DATE)"
        parts.append(f"UNION SELECT currency, {fixed} FROM ({currencies_sql})")
    return parts


def _listed(lines: list[str], total: int) -> list[str]:
    if total > len(lines):
        return [*lines, f"... and {total - len(lines)} more"]
    return lines


def _revenue_location(ctx: EngineContext) -> Location:
    source = ctx.project.source("subscriptions") or ctx.project.source("mrr")
    if source is None:
        return _sources_location(ctx)
    return Location(str(ctx.data_dir / source.path))


def _sources_location(ctx: EngineContext) -> Location:
    return Location(str(ctx.project.definitions_dir / "sources.yml"))
