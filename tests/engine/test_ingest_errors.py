"""Bad input: each problem ends in a UserError naming file, row or line, column and value."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from ingest_helpers import PEER_DATA, SUBSCRIPTIONS, lines, make_ctx

from nrrgov.engine import ingest_codes as codes
from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import ingest
from nrrgov.errors import UserError

ARR_BRIDGES = PEER_DATA / "bashiraziz_acctreconagents"

GOOD_ROW = "S1,A1,Pro,USD,monthly,10,1,2024-01-01,,active"


def ingest_error(ctx: EngineContext) -> UserError:
    with pytest.raises(UserError) as caught:
        ingest(duckdb.connect(), ctx)
    return caught.value


def subscriptions_ctx(tmp_path: Path, *rows: str, **source) -> EngineContext:
    return make_ctx(
        tmp_path,
        {"subs.csv": lines(SUBSCRIPTIONS, *rows)},
        [{"name": "subscriptions", "path": "subs.csv", **source}],
    )


def test_missing_file_suggests_close_name(tmp_path):
    ctx = make_ctx(tmp_path, {"subscriptions.csv": lines(SUBSCRIPTIONS)}, [])
    ctx = make_ctx(tmp_path, {}, [{"name": "subscriptions", "path": "subscription.csv"}])
    error = ingest_error(ctx)

    assert error.code == codes.FILE_NOT_FOUND
    assert "'subscription.csv'" in error.message
    assert error.where.path.endswith("subscription.csv")
    assert "did you mean 'subscriptions.csv'" in error.hint


def test_glob_matching_nothing(tmp_path):
    ctx = make_ctx(tmp_path, {}, [{"name": "subscriptions", "path": "exports/*.csv"}])
    error = ingest_error(ctx)

    assert error.code == codes.FILE_NOT_FOUND
    assert "no file matches the path 'exports/*.csv'" in error.message


def test_empty_file(tmp_path):
    ctx = make_ctx(tmp_path, {"subs.csv": b""}, [{"name": "subscriptions", "path": "subs.csv"}])
    error = ingest_error(ctx)

    assert error.code == codes.EMPTY_FILE
    assert error.where.path.endswith("subs.csv")


def test_missing_column_lists_found_and_close_match(tmp_path):
    header = SUBSCRIPTIONS.replace("start_date", "startdate")
    ctx = make_ctx(
        tmp_path,
        {"subs.csv": lines(header, GOOD_ROW)},
        [{"name": "subscriptions", "path": "subs.csv"}],
    )
    error = ingest_error(ctx)

    assert error.code == codes.MISSING_COLUMN
    assert "column 'start_date' for subscriptions.start_date not found" in error.message
    assert "the file has: subscription_id, account_id" in error.message
    assert "did you mean 'startdate'" in error.hint


def test_wrong_delimiter_hint(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {"subs.csv": lines(SUBSCRIPTIONS.replace(",", ";"), GOOD_ROW.replace(",", ";"))},
        [{"name": "subscriptions", "path": "subs.csv"}],
    )
    error = ingest_error(ctx)

    assert error.code == codes.MISSING_COLUMN
    assert "delimiter: ';'" in error.hint


@pytest.mark.peer
@pytest.mark.parametrize(
    ("name", "line", "fields"),
    [
        # Line 2 is "Beginning ARR,2025-10,4,800,000": 5 fields against the header's 3.
        ("subscriptions_mrr_balanced.csv", 2, 5),
        ("subscriptions_mrr_variance.csv", 2, 5),
    ],
)
def test_ragged_rows_in_peer_exports(tmp_path, name, line, fields):
    ctx = make_ctx(tmp_path, {}, [{"name": "mrr", "path": str(ARR_BRIDGES / name)}])
    error = ingest_error(ctx)

    assert error.code == codes.MALFORMED_CSV
    assert error.where.line == line
    assert f"line {line} has {fields} fields but the header has 3" in error.message
    assert "thousands separators" in error.hint
    # Every data line of these files has extra fields: lines 2 to 6 are all listed.
    assert len(error.details) == 5


def test_row_with_too_few_fields(tmp_path):
    ctx = subscriptions_ctx(tmp_path, GOOD_ROW, "S2,A1,Pro,USD")
    error = ingest_error(ctx)

    assert error.code == codes.MALFORMED_CSV
    assert "line 3 has 4 fields but the header has 10" in error.message


def test_blank_line_before_a_ragged_row(tmp_path):
    text = f"{SUBSCRIPTIONS}\n{GOOD_ROW}\n\nS2,A2,Pro,USD,monthly,10,1,2024-01-01,,active,x\n"
    ctx = make_ctx(tmp_path, {"subs.csv": text}, [{"name": "subscriptions", "path": "subs.csv"}])
    error = ingest_error(ctx)

    # Header, good row, blank line: the ragged row is line 4.
    assert error.code == codes.MALFORMED_CSV
    assert error.where.line == 4
    assert "has 11 fields but the header has 10" in error.message


def test_ragged_row_after_a_quoted_line_break(tmp_path):
    quoted = 'S1,A1,"Pro\nPlus\nMax",USD,monthly,10,1,2024-01-01,,active'
    ragged = "S2,A2,Pro,USD,monthly,10,1,2024-01-01,,active,x"
    ctx = subscriptions_ctx(tmp_path, quoted, ragged)
    error = ingest_error(ctx)

    # The quoted plan spans lines 2 to 4, so the ragged row is on line 5 in an editor.
    assert error.where.line == 5
    assert error.message.startswith("line 5 has 11 fields")


def test_carriage_return_line_endings(tmp_path):
    text = "\r".join([SUBSCRIPTIONS, GOOD_ROW]) + "\r"
    ctx = make_ctx(tmp_path, {"subs.csv": text}, [{"name": "subscriptions", "path": "subs.csv"}])
    error = ingest_error(ctx)

    assert error.code == codes.MALFORMED_CSV
    assert "LF or CRLF" in error.hint


def test_mixed_line_endings(tmp_path):
    text = f"{SUBSCRIPTIONS}\n{GOOD_ROW}\r\n{GOOD_ROW.replace('S1', 'S2')}\r\n"
    ctx = make_ctx(tmp_path, {"subs.csv": text}, [{"name": "subscriptions", "path": "subs.csv"}])
    error = ingest_error(ctx)

    assert error.code == codes.MALFORMED_CSV
    assert "one kind of line ending" in error.hint


def _with_fx_rates(tmp_path: Path, *rows: str) -> EngineContext:
    return make_ctx(
        tmp_path,
        {
            "subs.csv": lines(SUBSCRIPTIONS, GOOD_ROW),
            "fx.csv": lines("month,currency,rate", *rows),
        },
        [
            {"name": "subscriptions", "path": "subs.csv"},
            {"name": "fx_rates", "path": "fx.csv"},
        ],
    )


@pytest.mark.parametrize(
    ("rate", "reason"),
    [
        ("0", "fx rate is not positive"),
        ("-1.1", "fx rate is not positive"),
        # Probably the inverse of a rate: euros per US dollar written as 10^8.
        ("200000000", "fx rate too large"),
    ],
)
def test_fx_rate_out_of_range(tmp_path, rate, reason):
    error = ingest_error(_with_fx_rates(tmp_path, "2024-01-01,EUR,1.1", f"2024-02-01,EUR,{rate}"))

    assert error.code == codes.INVALID_RATE
    assert error.where.row == 2
    assert error.message.startswith(reason)
    assert f"'{rate}'" in error.message


def test_reporting_currency_rate_must_be_one(tmp_path):
    error = ingest_error(_with_fx_rates(tmp_path, "2024-01-01,USD,1.02"))

    assert error.code == codes.INVALID_RATE
    assert "USD must be 1" in error.message


def test_not_utf8_names_line(tmp_path):
    content = lines(SUBSCRIPTIONS, GOOD_ROW) + "S2,A1,Caf\xe9,USD,monthly,10,1,2024-01-01,,x\n"
    ctx = make_ctx(
        tmp_path,
        {"subs.csv": content.encode("latin-1")},
        [{"name": "subscriptions", "path": "subs.csv"}],
    )
    error = ingest_error(ctx)

    assert error.code == codes.NOT_UTF8
    assert error.where.line == 3  # header is line 1, the good row line 2


def test_invalid_date_names_row_column_value(tmp_path):
    ctx = subscriptions_ctx(
        tmp_path, GOOD_ROW, "S2,A1,Pro,USD,monthly,10,1,2024-31-01,,x", date_format="%Y-%m-%d"
    )
    error = ingest_error(ctx)

    assert error.code == codes.INVALID_VALUE
    assert error.where.row == 2
    assert error.where.column == "start_date"
    assert "'2024-31-01'" in error.message
    assert "date_format '%Y-%m-%d'" in error.message
    # One failing value: the headline names it, so no detail line repeats it.
    assert error.details == []


def test_error_names_column_as_the_file_spells_it(tmp_path):
    header = SUBSCRIPTIONS.replace("amount", "Amount")
    text = lines(header, GOOD_ROW, "S2,A1,Pro,USD,monthly,ten,1,2024-01-01,,x")
    ctx = make_ctx(tmp_path, {"subs.csv": text}, [{"name": "subscriptions", "path": "subs.csv"}])
    error = ingest_error(ctx)

    assert error.code == codes.INVALID_VALUE
    assert error.where.column == "Amount"
    assert error.where.row == 2


def test_thousands_separator_is_an_error(tmp_path):
    ctx = subscriptions_ctx(tmp_path, 'S1,A1,Pro,USD,monthly,"1,200",1,2024-01-01,,active')
    error = ingest_error(ctx)

    assert error.code == codes.INVALID_VALUE
    assert "thousands separators" in error.message
    assert "'1,200'" in error.message


def test_unknown_currency(tmp_path):
    ctx = subscriptions_ctx(tmp_path, "S1,A1,Pro,XYZ,monthly,10,1,2024-01-01,,active")
    error = ingest_error(ctx)

    assert error.code == codes.UNKNOWN_CURRENCY
    assert "'XYZ'" in error.message


def test_unknown_billing_period_lists_spellings(tmp_path):
    ctx = subscriptions_ctx(tmp_path, GOOD_ROW, "S2,A1,Pro,USD,fortnightly,10,1,2024-01-01,,x")
    error = ingest_error(ctx)

    assert error.code == codes.UNKNOWN_BILLING_PERIOD
    assert error.where.path.endswith("subs.csv")
    assert error.where.row == 2
    assert "'fortnightly'" in error.message
    assert "monthly, quarterly, semiannual, annual" in error.message


def test_non_recurring_period_rejected(tmp_path):
    ctx = subscriptions_ctx(tmp_path, "S1,A1,Setup,USD,One-Time,500,1,2024-01-01,,active")
    error = ingest_error(ctx)

    assert error.code == codes.NON_RECURRING
    assert "'One-Time'" in error.message


def test_subscription_account_not_in_accounts(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "accounts.csv": lines("account_id,account_name", "A1,Acme"),
            "subs.csv": lines(SUBSCRIPTIONS, GOOD_ROW, GOOD_ROW.replace("S1,A1", "S2,A9")),
        },
        [
            {"name": "accounts", "path": "accounts.csv"},
            {"name": "subscriptions", "path": "subs.csv"},
        ],
    )
    error = ingest_error(ctx)

    assert error.code == codes.UNKNOWN_ACCOUNT
    assert error.where.row == 2
    assert "'A9'" in error.message


def test_duplicate_subscription_names_both_rows(tmp_path):
    # An appended export: the later copy of S1 has an end date.
    ctx = subscriptions_ctx(
        tmp_path,
        GOOD_ROW,
        "S2,A1,Pro,USD,monthly,10,1,2024-01-01,,active",
        "S1,A1,Pro,USD,monthly,10,1,2024-01-01,2024-06-01,canceled",
        on_invalid="quarantine",
    )
    error = ingest_error(ctx)

    assert error.code == codes.DUPLICATE_KEY
    assert "'S1'" in error.message
    assert "rows 1, 3 of" in error.message
    assert error.where.row == 3


def test_duplicate_key_across_files(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {
            "subs/a.csv": lines(SUBSCRIPTIONS, GOOD_ROW),
            "subs/b.csv": lines(SUBSCRIPTIONS, GOOD_ROW),
        },
        [{"name": "subscriptions", "path": "subs/*.csv"}],
    )
    error = ingest_error(ctx)

    assert error.code == codes.DUPLICATE_KEY
    assert "a.csv" in error.message
    assert "b.csv" in error.message


def test_error_lists_every_failing_row(tmp_path):
    ctx = subscriptions_ctx(
        tmp_path,
        "S1,A1,Pro,USD,monthly,ten,1,2024-01-01,,x",
        "S2,A1,Pro,USD,weekly,10,1,2024-01-01,,x",
        "S3,A1,Pro,USD,monthly,10,1,someday,,x",
    )
    error = ingest_error(ctx)

    assert error.where.row == 1
    assert len(error.details) == 3
    assert "row 3, column 'start_date'" in error.details[2]


def test_messages_have_no_unformatted_braces(tmp_path):
    ctx = subscriptions_ctx(tmp_path, "S1,A1,Pro,USD,weekly,10,1,2024-01-01,,x")
    error = ingest_error(ctx)
    assert "{" not in error.message


def test_duplicate_header_name(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {"subs.csv": lines(SUBSCRIPTIONS + ",amount", GOOD_ROW + ",3")},
        [{"name": "subscriptions", "path": "subs.csv"}],
    )
    error = ingest_error(ctx)

    assert error.code == codes.MALFORMED_CSV
    assert "'amount'" in error.message


def test_both_revenue_sources(tmp_path):
    ctx = make_ctx(
        tmp_path,
        {},
        [
            {"name": "subscriptions", "path": "subs.csv"},
            {"name": "mrr", "path": "mrr.csv"},
        ],
    )
    error = ingest_error(ctx)
    assert error.code == codes.SOURCE_SETUP


class TestQuarantine:
    """With on_invalid: quarantine, bad rows are set aside and the run continues."""

    def run(self, tmp_path, *rows: str, **source) -> duckdb.DuckDBPyConnection:
        ctx = subscriptions_ctx(tmp_path, *rows, on_invalid="quarantine", **source)
        con = duckdb.connect()
        ingest(con, ctx)
        return con

    def test_bad_rows_set_aside_with_reason(self, tmp_path):
        con = self.run(
            tmp_path,
            GOOD_ROW,
            "S2,A1,Pro,USD,monthly,ten,1,2024-01-01,,x",
            "S3,A1,Pro,USD,weekly,10,1,2024-01-01,,x",
            "S4,A1,Setup,USD,one_time,10,1,2024-01-01,,x",
        )
        rows = con.execute(
            'SELECT "row", "column", value, reason FROM quarantine ORDER BY "row"'
        ).fetchall()

        assert [row[:3] for row in rows] == [
            (2, "amount", "ten"),
            (3, "billing_period", "weekly"),
            (4, "billing_period", "one_time"),
        ]
        assert rows[2][3].startswith("non-recurring billing period")
        assert con.execute("SELECT subscription_id FROM subscriptions").fetchall() == [("S1",)]

    def test_quarantine_names_source_and_file(self, tmp_path):
        con = self.run(tmp_path, "S2,A1,Pro,USD,monthly,ten,1,2024-01-01,,x")
        source, file = con.execute("SELECT source, file FROM quarantine").fetchone()

        assert source == "subscriptions"
        assert file.endswith("subs.csv")

    def test_structural_problems_still_raise(self, tmp_path):
        ctx = subscriptions_ctx(tmp_path, GOOD_ROW, "S2,A1", on_invalid="quarantine")
        error = ingest_error(ctx)
        assert error.code == codes.MALFORMED_CSV


@pytest.mark.parametrize(
    ("end", "inclusive"),
    [
        ("2024-01-01", False),  # exclusive end on the start day: never in service
        ("2023-12-31", True),  # inclusive end the day before the start
    ],
)
def test_empty_service_period_always_quarantined(tmp_path, end, inclusive):
    ctx = subscriptions_ctx(
        tmp_path,
        GOOD_ROW,
        f"S2,A1,Pro,USD,monthly,10,1,2024-01-01,{end},x",
        inclusive_end_dates=inclusive,
    )
    con = duckdb.connect()
    summary = ingest(con, ctx)
    reason = con.execute("SELECT reason FROM quarantine").fetchone()[0]

    assert summary.source("subscriptions").rows_quarantined == 1
    assert "never in service" in reason


def test_inclusive_end_on_start_day_is_one_day(tmp_path):
    # Inclusive end on the start day: in service that one day, so not quarantined.
    ctx = subscriptions_ctx(
        tmp_path, "S1,A1,Pro,USD,monthly,10,1,2024-01-01,2024-01-01,x", inclusive_end_dates=True
    )
    con = duckdb.connect()
    summary = ingest(con, ctx)
    assert summary.source("subscriptions").rows_quarantined == 0
