"""Type the text of a staged source and define the checks each row must pass.

The typed table keeps every staged text column and adds ``v_<column>``, the typed value
of each canonical column, so that a check can quote the text of a value that failed to
type. Typing is done with ``TRY_CAST``/``try_strptime`` so that one bad value never stops
the query; the checks find the rows where typing failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from nrrgov.engine import ingest_codes as codes
from nrrgov.engine.ingest_files import identifier, literal
from nrrgov.spec.sources import CANONICAL_TABLES, SourceSpec

# Months in one billing period, by spelling. Spellings are compared in lower case, with
# runs of spaces and underscores replaced by one hyphen. A whole number (``24`` or
# ``24 months``) is a number of months.
# TODO: accept weekly and daily periods (Stripe's interval week and day). They are
# rejected as unknown for now. A weekly amount would give MRR = amount * 52 / 12.
PERIOD_MONTHS: dict[str, int] = {
    **dict.fromkeys(("monthly", "month", "months", "mo", "mth", "per-month"), 1),
    **dict.fromkeys(("quarterly", "quarter", "quarters", "qtr", "per-quarter"), 3),
    **dict.fromkeys(
        (
            "semiannual",
            "semi-annual",
            "semiannually",
            "semi-annually",
            "half-year",
            "half-yearly",
            "halfyear",
            "halfyearly",
            "six-monthly",
        ),
        6,
    ),
    **dict.fromkeys(("annual", "annually", "year", "years", "yearly", "yr", "per-year"), 12),
}
NON_RECURRING_PERIODS = (
    "one-time",
    "onetime",
    "one-off",
    "once",
    "setup",
    "non-recurring",
    "nonrecurring",
)
ACCEPTED_PERIODS_TEXT = (
    "monthly, quarterly, semiannual, annual (also month, quarter, half-year, year, yearly, "
    "...), or a whole number of months up to 1200, such as 24"
)

_DECIMAL = "DECIMAL(38,10)"
# Maximum months of a numbered billing period, and maximum interval_count: 100 years.
MAX_PERIOD_MONTHS = 1200
_FIRST_DATE = "DATE '0001-01-01'"
_LAST_DATE = "DATE '9999-12-31'"
_THOUSANDS = r"[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?"
_DATE_HINT = (
    "correct the value, or set 'date_format' in sources.yml to the export's format, such "
    "as '%d-%m-%Y' or '%m/%d/%Y'"
)


@dataclass(frozen=True)
class RowCheck:
    """A condition every row of a source must meet.

    Attributes:
        code: the error code of a failing row.
        column: the canonical column the check reads; its text is quoted as the value.
        failing: SQL condition over the typed table that is true for a failing row.
        reason: what is wrong, without the value, as written to the quarantine table.
        hint: what to do about it.
        always_quarantine: the row is quarantined even with ``on_invalid: error``,
            because it is well formed but carries nothing.
    """

    code: str
    column: str
    failing: str
    reason: str
    hint: str
    always_quarantine: bool = False


def typed_select(spec: SourceSpec, stage: str, extra_columns: list[str]) -> str:
    """Return a SELECT of the staged text columns plus ``v_<column>`` for each typed value.

    ``_exponent`` is the minor-unit exponent of the row's currency, NULL when the table
    has no currency or the code is unknown.
    """
    values = _typed_values(spec)
    selects = ["s.*", *(f"{expression} AS v_{name}" for name, expression in values.items())]
    table = f"{stage} AS s"
    if "currency" in CANONICAL_TABLES[spec.name]:
        selects.append("e.exponent AS _exponent")
        table += " LEFT JOIN _currency_exponents AS e ON e.code = upper(s.currency)"
    if spec.name == "subscriptions":
        selects.append("p.base_months AS _period_base_months")
        selects.append("p.non_recurring AS _non_recurring")
        table += f" LEFT JOIN ({_billing_periods(stage)}) AS p ON p.spelling = s.billing_period"
    selects.extend(f"s.{identifier(name)} AS {identifier('v_' + name)}" for name in extra_columns)
    return f"SELECT {', '.join(selects)} FROM {table}"


def _billing_periods(stage: str) -> str:
    """Return SQL of each distinct billing period spelling with its months and kind.

    An export spells its periods a handful of ways, so reading each spelling once and
    joining it back costs far less than parsing the text of every row.
    """
    non_recurring = ", ".join(map(literal, NON_RECURRING_PERIODS))
    return (
        f"SELECT billing_period AS spelling, {_period_base_months()} AS base_months, "
        f"{_period_spelling()} IN ({non_recurring}) AS non_recurring "
        f"FROM (SELECT DISTINCT billing_period FROM {stage} WHERE billing_period IS NOT NULL)"
    )


def _typed_values(spec: SourceSpec) -> dict[str, str]:
    values = {}
    for column, (kind, _) in CANONICAL_TABLES[spec.name].items():
        if kind == "DATE":
            values[column] = _date(spec, column)
        elif kind.startswith("DECIMAL"):
            values[column] = f"TRY_CAST({identifier(column)} AS {_DECIMAL})"
        elif kind == "INTEGER":
            values[column] = _whole_number(identifier(column))
        else:
            values[column] = identifier(column)

    if "currency" in values:
        values["currency"] = "upper(currency)"
    if "month" in values:
        values["month"] = f"CAST(date_trunc('month', {values['month']}) AS DATE)"
    if spec.name == "subscriptions":
        values.update(_subscription_values(spec))
    return values


def _date(spec: SourceSpec, column: str) -> str:
    if spec.date_format:
        parsed = f"CAST(try_strptime({identifier(column)}, {literal(spec.date_format)}) AS DATE)"
    elif column == "month":
        # A month may be written as 2024-03 as well as 2024-03-01.
        year_month = f"CAST(try_strptime({identifier(column)}, '%Y-%m') AS DATE)"
        parsed = f"COALESCE(TRY_CAST({identifier(column)} AS DATE), {year_month})"
    else:
        parsed = f"TRY_CAST({identifier(column)} AS DATE)"
    # DuckDB's dates reach far past year 9999, but its month arithmetic on timestamps
    # fails past year 294246. A date outside four-digit years counts as invalid.
    return f"CASE WHEN {parsed} BETWEEN {_FIRST_DATE} AND {_LAST_DATE} THEN {parsed} END"


def _whole_number(column: str) -> str:
    # TRY_CAST('1.5' AS INTEGER) rounds to 2, so a fraction is matched out first. A
    # trailing '.0', as pandas writes whole floats, is still whole.
    whole = rf"regexp_full_match({column}, '[+-]?[0-9]+(\.0*)?')"
    return f"CASE WHEN {whole} THEN TRY_CAST(TRY_CAST({column} AS {_DECIMAL}) AS INTEGER) END"


def _subscription_values(spec: SourceSpec) -> dict[str, str]:
    amount = f"TRY_CAST(amount AS {_DECIMAL})"
    if spec.amount_units == "minor":
        amount = f"CAST({amount} * e.minor_unit AS {_DECIMAL})"
    # Bounded, so that the months of a billing period stay within INTEGER.
    whole = _whole_number("interval_count")
    count = f"CASE WHEN {whole} BETWEEN 1 AND {MAX_PERIOD_MONTHS} THEN {whole} END"
    end_date = _date(spec, "end_date")
    if spec.inclusive_end_dates:
        # Canonical end dates are exclusive: the first day no longer in service.
        end_date = f"CAST({end_date} + INTERVAL 1 DAY AS DATE)"
    return {
        "amount": amount,
        "end_date": end_date,
        "interval_count": count,
        "period_months": f"p.base_months * COALESCE({count}, 1)",
    }


def _period_base_months() -> str:
    spelling = _period_spelling()
    by_months: dict[int, list[str]] = {}
    for name, months in PERIOD_MONTHS.items():
        by_months.setdefault(months, []).append(name)
    cases = " ".join(
        f"WHEN {spelling} IN ({', '.join(map(literal, names))}) THEN {months}"
        for months, names in by_months.items()
    )
    number = f"TRY_CAST(regexp_extract({spelling}, '^[0-9]+') AS INTEGER)"
    numbered = f"regexp_full_match({spelling}, '[0-9]+(-?months?)?')"
    return f"(CASE {cases} WHEN {numbered} AND {number} <= {MAX_PERIOD_MONTHS} THEN {number} END)"


def _period_spelling() -> str:
    return r"lower(regexp_replace(trim(billing_period), '[\s_]+', '-', 'g'))"


def row_checks(spec: SourceSpec, reporting_currency: str, check_accounts: bool) -> list[RowCheck]:
    """Return the checks of a source's rows, in the order their failures are reported."""
    table = CANONICAL_TABLES[spec.name]
    checks = [_required(column) for column, (_, required) in table.items() if required]
    for column, (kind, _) in table.items():
        if kind == "DATE":
            checks.append(_valid_date(spec, column))
        elif kind.startswith("DECIMAL"):
            checks.extend(_valid_number(column))
    if "currency" in table:
        checks.append(_known_currency())

    if spec.name == "subscriptions":
        checks.extend(_subscription_checks(spec))
    if spec.name == "fx_rates":
        checks.extend(_rate_checks(reporting_currency))
    if check_accounts and "account_id" in table and spec.name != "accounts":
        checks.append(_known_account())
    return checks


def _required(column: str) -> RowCheck:
    return RowCheck(
        codes.MISSING_VALUE,
        column,
        f"{identifier(column)} IS NULL",
        f"missing value in required column {column}",
        f"fill the value in the export, or set 'constants: {{{column}: <value>}}' in "
        "sources.yml to use one value for every row",
    )


def _valid_date(spec: SourceSpec, column: str) -> RowCheck:
    expected = (
        f"the date_format {spec.date_format!r}"
        if spec.date_format
        else "an ISO date such as 2024-01-31"
    )
    return RowCheck(
        codes.INVALID_VALUE,
        column,
        f"{identifier(column)} IS NOT NULL AND v_{column} IS NULL",
        f"invalid date in {column}; expected {expected}, in the years 1 to 9999",
        _DATE_HINT,
    )


def _valid_number(column: str) -> list[RowCheck]:
    thousands = f"regexp_full_match({identifier(column)}, '{_THOUSANDS}')"
    return [
        RowCheck(
            codes.INVALID_VALUE,
            column,
            thousands,
            f"number with thousands separators in {column}",
            # 1,250 is 1250 with a thousands separator, or 1.25 with a decimal comma.
            "write numbers with '.' as the decimal point and no thousands separators: "
            "4,800.50 as 4800.50, and a decimal comma as a point (1,25 as 1.25)",
        ),
        RowCheck(
            codes.INVALID_VALUE,
            column,
            f"{identifier(column)} IS NOT NULL AND v_{column} IS NULL AND NOT {thousands}",
            f"invalid number in {column}",
            "write plain numbers with '.' as the decimal point and no currency symbol, "
            "such as 1200.50",
        ),
    ]


def _known_currency() -> RowCheck:
    return RowCheck(
        codes.UNKNOWN_CURRENCY,
        "currency",
        "currency IS NOT NULL AND _exponent IS NULL",
        "unknown currency code; expected an ISO 4217 code such as USD, EUR or JPY",
        "correct the code, or map the export's value with "
        "'value_maps: {currency: {<value>: <ISO code>}}' in sources.yml",
    )


def _subscription_checks(spec: SourceSpec) -> list[RowCheck]:
    # typed_select adds _non_recurring and _period_base_months from its lookup of the
    # distinct billing periods.
    end_rule = "before" if spec.inclusive_end_dates else "on or before"
    return [
        RowCheck(
            codes.INVALID_VALUE,
            "interval_count",
            "interval_count IS NOT NULL AND COALESCE(v_interval_count, 0) < 1",
            f"invalid interval_count; expected a whole number from 1 to {MAX_PERIOD_MONTHS}",
            "correct the value, or leave it empty for one billing period per invoice",
        ),
        RowCheck(
            codes.NON_RECURRING,
            "billing_period",
            "_non_recurring",
            "non-recurring billing period: a one-time charge carries no MRR",
            "leave one-time charges out of the subscriptions export",
        ),
        RowCheck(
            codes.UNKNOWN_BILLING_PERIOD,
            "billing_period",
            "billing_period IS NOT NULL AND NOT _non_recurring "
            "AND COALESCE(_period_base_months, 0) < 1",
            f"unknown billing period; accepted: {ACCEPTED_PERIODS_TEXT}",
            "use an accepted spelling, or map the export's values with "
            "'value_maps: {billing_period: {<value>: monthly}}' in sources.yml",
        ),
        RowCheck(
            codes.EMPTY_SERVICE_PERIOD,
            "end_date",
            "v_end_date IS NOT NULL AND v_start_date IS NOT NULL AND v_end_date <= v_start_date",
            f"end_date is {end_rule} start_date, so the subscription is never in service",
            "correct the dates; the row is set aside and carries no MRR",
            always_quarantine=True,
        ),
    ]


def _rate_checks(reporting_currency: str) -> list[RowCheck]:
    return [
        RowCheck(
            codes.INVALID_RATE,
            "rate",
            "v_rate IS NOT NULL AND v_rate <= 0",
            "fx rate is not positive",
            "give the units of reporting currency for one unit of the currency",
        ),
        RowCheck(
            codes.INVALID_RATE,
            "rate",
            # RATE has room for 8 digits before the decimal point.
            "v_rate IS NOT NULL AND v_rate >= 100000000",
            "fx rate too large; expected a rate under 100000000",
            "give the units of reporting currency for one unit of the currency, not the "
            "inverse, or report in a currency with a closer unit",
        ),
        RowCheck(
            codes.INVALID_RATE,
            "rate",
            f"v_currency = {literal(reporting_currency)} AND v_rate <> 1",
            f"the rate of the reporting currency {reporting_currency} must be 1",
            "correct the rate, or leave the reporting currency out of the fx export",
        ),
    ]


def _known_account() -> RowCheck:
    return RowCheck(
        codes.UNKNOWN_ACCOUNT,
        "account_id",
        "v_account_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM accounts AS a WHERE a.account_id = v_account_id)",
        "account_id not found in accounts",
        "add the account to the accounts export, or correct the account_id",
    )
