"""Write seeded synthetic billing exports that follow the reference data contract.

Usage::

    python examples/generate.py --accounts 400 --months 36 --end 2026-11 --seed 7 \\
        --format csv --out examples/data

The output folder receives ``accounts``, ``subscriptions`` and ``fx_rates`` as CSV or
Parquet, with the columns of ``definitions/sources.yml``. ``--with-project`` also writes
an ``nrrgov.yml`` and a copy of the reference definitions whose sources point at the
files just written, so ``nrrgov compute --project OUT`` runs on them directly.

The accounts behave like a B2B SaaS customer base. New accounts arrive every month.
Many start with a 14-day trial (status ``trial``, priced but carrying no revenue), and
some trials never convert. Paid subscriptions renew for whole billing periods. An
upgrade or a downgrade cancels the old subscription and creates a new one on the same
day. Some accounts churn for good and some come back after a gap of one to eight months.
Half the accounts start on the first of a month and the rest mid-month.

Every draw comes from one ``random.Random(seed)`` taken in a fixed order, so the same
arguments give the same bytes. Draws are made a whole column at a time and the
simulation runs as polars column expressions, so a million accounts take seconds.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]

SEGMENTS = ["Enterprise", "Mid-Market", "SMB"]
SEGMENT_WEIGHTS = [0.1, 0.3, 0.6]
REGIONS = ["NA", "EMEA", "APAC", "LATAM"]
REGION_WEIGHTS = [0.45, 0.3, 0.15, 0.1]
INDUSTRIES = ["Software", "Fintech", "Healthcare", "Retail", "Manufacturing", "Media"]
PLANS = ["Starter", "Growth", "Scale"]
CURRENCIES = ["USD", "EUR", "GBP", "JPY"]

# Currency by region, as weights over CURRENCIES (rows follow REGIONS).
CURRENCY_WEIGHTS_BY_REGION = [
    [1.0, 0.0, 0.0, 0.0],
    [0.0, 0.6, 0.4, 0.0],
    [0.5, 0.0, 0.0, 0.5],
    [1.0, 0.0, 0.0, 0.0],
]
# List price of one seat for one month, by currency (rows) and plan (columns).
SEAT_PRICES = [[12, 29, 59], [11, 27, 55], [10, 23, 47], [1800, 4400, 8900]]
AMOUNT_DECIMALS = [2, 2, 2, 0]
# First-of-month rates in USD per unit, the starting points of the random walks.
STARTING_RATES = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067}
FX_MONTHLY_VOLATILITY = 0.015

# Billing periods in months, their labels in the export and the discount each earns.
BILLING_MONTHS = [1, 3, 12, 24]
BILLING_LABELS = ["monthly", "quarterly", "annual", "24"]
BILLING_DISCOUNTS = [1.0, 1.0, 0.9, 0.85]

# Per segment (rows follow SEGMENTS).
PLAN_WEIGHTS = [[0.1, 0.4, 0.5], [0.3, 0.5, 0.2], [0.6, 0.35, 0.05]]
BILLING_WEIGHTS = [[0.25, 0.15, 0.5, 0.1], [0.4, 0.2, 0.35, 0.05], [0.7, 0.1, 0.2, 0.0]]
SEAT_RANGES = [(80, 1500), (15, 250), (1, 25)]
TRIAL_SHARE = [0.15, 0.35, 0.6]
TRIAL_CONVERSION = 0.65
TRIAL_DAYS = 14
# Endings of a paid subscription: upgrade, downgrade, churn, churn and come back later.
UPGRADE, DOWNGRADE, CHURN, REACTIVATE = range(4)
TRANSITION_WEIGHTS = [[0.7, 0.12, 0.1, 0.08], [0.63, 0.13, 0.16, 0.08], [0.53, 0.14, 0.25, 0.08]]
# Chance that a subscription changes or ends at each renewal, by billing period.
CHANGE_AT_RENEWAL = [0.08, 0.25, 0.6, 0.75]
MAX_SUBSCRIPTION_MONTHS = 48
# Paid subscriptions simulated per account; later ones start after the export date.
MAX_PAID_SUBSCRIPTIONS = 6
PARENT_SHARE = 0.03
# Only every PARENT_STRIDE-th account can be a parent, so hierarchies are one level deep.
PARENT_STRIDE = 50

ACCOUNT_NAME_WORDS = [
    ["Northwind", "Bluepeak", "Ironleaf", "Silverline", "Redwood", "Brightwater", "Copperfield"],
    ["Analytics", "Logistics", "Health", "Systems", "Foods", "Labs", "Media", "Capital"],
]
CSM_OWNERS = [
    "Ana Souza", "Ben Okafor", "Chloe Martin", "Dev Patel", "Elena Rossi", "Farid Haddad",
    "Grace Kim", "Hugo Weber", "Ines Duarte", "Jonas Berg", "Kenji Sato", "Lena Novak",
]  # fmt: skip
SMB_POOLED_SHARE = 0.7
# The canonical tables written, which are also the fields of Exports.
EXPORT_TABLES = ("accounts", "subscriptions", "fx_rates")


@dataclass(frozen=True)
class Exports:
    """The three generated tables, in the column order of the data contract."""

    accounts: pl.DataFrame
    subscriptions: pl.DataFrame
    fx_rates: pl.DataFrame


class RandomStream:
    """Columns of uniform draws from one seeded Mersenne Twister, taken in call order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def uniform(self, n: int) -> pl.Series:
        """Return ``n`` floats in [0, 1) with 32 bits of resolution."""
        # NOTE: the bytes are read in the machine's byte order, so a big-endian host draws
        # other numbers from the same seed. Every common platform is little-endian.
        raw = self.rng.randbytes(4 * n)
        words = pa.Array.from_buffers(pa.uint32(), n, [None, pa.py_buffer(raw)])
        return pl.Series(words).cast(pl.Float64) / 2.0**32

    def integers(self, n: int, low: int, high: int) -> pl.Series:
        """Return ``n`` integers drawn evenly from [low, high)."""
        return (self.uniform(n) * (high - low)).floor().cast(pl.Int64) + low

    def pick(self, weights: list[list[float]], group: pl.Series) -> pl.Series:
        """Return one index per row of ``group``, drawn with the weights of its group."""
        draws = self.uniform(len(group))
        index = pl.repeat(0, len(group), dtype=pl.Int64, eager=True)
        for position in range(len(weights[0]) - 1):
            cutoffs = [sum(row[: position + 1]) / sum(row) for row in weights]
            index += (draws >= pl.Series(cutoffs).gather(group)).cast(pl.Int64)
        return index


def _month_index(year: int, month: int) -> int:
    """Return a month as a count of months since year 0, so months add as integers."""
    return year * 12 + month - 1


def _month_date(index: pl.Expr, day: pl.Expr | int = 1) -> pl.Expr:
    """Return the date of ``day`` in the month at ``index`` (days up to 28 are safe)."""
    return pl.date(index // 12, index % 12 + 1, day)


def generate(accounts: int, months: int, end: str, seed: int) -> Exports:
    """Simulate ``accounts`` accounts over the ``months`` months ending with ``end``.

    Args:
        accounts: number of accounts, at least 1.
        months: length of the history in months, at least 1.
        end: the last month, as YYYY-MM; the export is taken on its last day.
        seed: seed of the one random generator every draw comes from.

    Returns:
        The accounts, subscriptions and monthly fx rates.
    """
    stream = RandomStream(seed)
    year, month = (int(part) for part in end.split("-"))
    last_month = _month_index(year, month)
    first_month = last_month - months + 1
    cutoff = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)

    profile = _profiles(stream, accounts, first_month, months)
    trials = _trials(profile)
    paid = _paid_subscriptions(stream, profile)
    subscriptions = _finish_subscriptions(trials, paid, cutoff)
    fx_rates = _fx_rates(stream, first_month, months)
    return Exports(_accounts(stream, profile), subscriptions, fx_rates)


def _profiles(stream: RandomStream, n: int, first_month: int, months: int) -> pl.DataFrame:
    """Draw each account's segment, region, currency, arrival date and first plan."""
    segment = stream.pick([SEGMENT_WEIGHTS], pl.repeat(0, n, eager=True))
    region = stream.pick([REGION_WEIGHTS], pl.repeat(0, n, eager=True))
    currency = stream.pick(CURRENCY_WEIGHTS_BY_REGION, region)
    billing = stream.pick(BILLING_WEIGHTS, segment)
    plan = stream.pick(PLAN_WEIGHTS, segment)

    # One account in eight is already a customer in the first month; the rest arrive evenly.
    launch = stream.uniform(n) < 0.125
    arrival_month = stream.integers(n, 0, months).zip_with(~launch, pl.repeat(0, n, eager=True))
    # Days stop at 28 so that adding whole months never needs clamping.
    mid_month = stream.uniform(n) < 0.5
    arrival_day = stream.integers(n, 2, 29).zip_with(mid_month, pl.repeat(1, n, eager=True))

    low = pl.Series([math.log(lo) for lo, _ in SEAT_RANGES]).gather(segment)
    high = pl.Series([math.log(hi + 1) for _, hi in SEAT_RANGES]).gather(segment)
    seats = ((low + stream.uniform(n) * (high - low)).exp()).floor().cast(pl.Int64)

    has_trial = stream.uniform(n) < pl.Series(TRIAL_SHARE).gather(segment)
    converts = ~has_trial | (stream.uniform(n) < TRIAL_CONVERSION)
    frame = pl.DataFrame(
        {
            "account": pl.int_range(n, eager=True),
            "segment": segment,
            "region": region,
            "currency": currency,
            "billing": billing,
            "plan": plan,
            "seats": seats,
            "arrival_month": arrival_month + first_month,
            "arrival_day": arrival_day,
            "has_trial": has_trial,
            "converts": converts,
        }
    )
    return frame.with_columns(arrival=_month_date(pl.col("arrival_month"), pl.col("arrival_day")))


def _trials(profile: pl.DataFrame) -> pl.DataFrame:
    """Make the 14-day trials, billed monthly at the price of the plan they convert to."""
    trials = profile.filter("has_trial").select(
        "account",
        "currency",
        "plan",
        "seats",
        billing=pl.lit(0, pl.Int64),
        start_date="arrival",
        end_date=pl.col("arrival") + pl.duration(days=TRIAL_DAYS),
    )
    return trials.with_columns(is_trial=pl.lit(True))


def _paid_subscriptions(stream: RandomStream, profile: pl.DataFrame) -> pl.DataFrame:
    """Simulate each paying account's chain of paid subscriptions, one row per link.

    Link k of an account starts when link k-1 ends, or after a gap when k-1 ended in a
    churn the account came back from. Links after a final churn are dropped.
    """
    links = _draw_links(stream, profile)
    links = links.with_columns(
        previous=pl.when(pl.col("k") > 0).then(pl.col("transition").shift(1)),
        elapsed=(pl.col("months") + pl.col("gap")).cum_sum().over("account")
        - pl.col("months")
        - pl.col("gap"),
        churned_before=(pl.col("transition") == CHURN).cum_sum().over("account")
        - (pl.col("transition") == CHURN).cast(pl.UInt32),
    )
    links = links.filter(pl.col("converts") & (pl.col("churned_before") == 0))

    growth = (
        pl.when(pl.col("previous") == UPGRADE)
        .then(1.15 + 0.55 * pl.col("size_draw"))
        .when(pl.col("previous") == DOWNGRADE)
        .then(0.5 + 0.35 * pl.col("size_draw"))
        .when(pl.col("previous") == REACTIVATE)
        .then(0.6 + 0.5 * pl.col("size_draw"))
        .otherwise(1.0)
    )
    plan_step = (
        pl.when((pl.col("previous") == UPGRADE) & (pl.col("plan_draw") < 0.3))
        .then(1)
        .when((pl.col("previous") == DOWNGRADE) & (pl.col("plan_draw") < 0.3))
        .then(-1)
        .otherwise(0)
    )
    start = pl.col("start_month") + pl.col("elapsed")
    links = links.with_columns(
        plan=(pl.col("plan") + plan_step.cum_sum().over("account")).clip(0, len(PLANS) - 1),
        seats=(pl.col("seats") * growth.cum_prod().over("account")).round().clip(1).cast(pl.Int64),
    )
    return links.select(
        "account",
        "currency",
        "plan",
        "seats",
        "billing",
        start_date=pl.when(pl.col("k") == 0)
        .then("first_paid")
        .otherwise(_month_date(start, pl.col("start_day"))),
        end_date=_month_date(start + pl.col("months"), pl.col("start_day")),
        is_trial=pl.lit(False),
    )


def _draw_links(stream: RandomStream, profile: pl.DataFrame) -> pl.DataFrame:
    """Draw the length and the ending of every potential paid subscription."""
    links = profile.join(pl.DataFrame({"k": range(MAX_PAID_SUBSCRIPTIONS)}), how="cross")
    links = links.sort("account", "k")
    n = links.height

    # A trial converts on its last day, so the first paid start may fall mid-month.
    first_paid = pl.when("has_trial").then(pl.col("arrival") + pl.duration(days=TRIAL_DAYS))
    first_paid = first_paid.otherwise("arrival")
    links = links.with_columns(first_paid=first_paid).with_columns(
        start_month=pl.col("first_paid").dt.year().cast(pl.Int64) * 12
        + pl.col("first_paid").dt.month().cast(pl.Int64)
        - 1,
        # Later months reuse the day of the month, clamped so every month has it.
        start_day=pl.col("first_paid").dt.day().cast(pl.Int64).clip(upper_bound=28),
    )

    # Renewals before a change are geometric; one draw of 1 - u lies in (0, 1].
    change = pl.Series(CHANGE_AT_RENEWAL).gather(links["billing"])
    period = pl.Series(BILLING_MONTHS).gather(links["billing"])
    renewals = ((1.0 - stream.uniform(n)).log() / (1.0 - change).log()).floor().cast(pl.Int64)
    months = (period * (renewals + 1)).clip(upper_bound=MAX_SUBSCRIPTION_MONTHS)
    transition = stream.pick(TRANSITION_WEIGHTS, links["segment"])
    gap = (stream.integers(n, 1, 9)).zip_with(transition == REACTIVATE, pl.repeat(0, n, eager=True))
    return links.with_columns(
        months=months.clip(lower_bound=period),
        transition=transition,
        gap=gap,
        size_draw=stream.uniform(n),
        plan_draw=stream.uniform(n),
    )


def _finish_subscriptions(trials: pl.DataFrame, paid: pl.DataFrame, cutoff: date) -> pl.DataFrame:
    """Cut the history at the export date, price each row and give it its public columns."""
    rows = pl.concat([trials, paid], how="vertical_relaxed").filter(pl.col("start_date") <= cutoff)
    rows = rows.sort("account", "start_date", pl.col("is_trial").not_())

    # A subscription still in service on the export date has no end date yet.
    open_ended = pl.col("end_date") > cutoff
    status = pl.when("is_trial").then(pl.lit("trial"))
    status = status.when(open_ended).then(pl.lit("active")).otherwise(pl.lit("canceled"))
    return rows.select(
        subscription_id=pl.format(
            "SUB-{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)
        ),
        account_id=_account_id(pl.col("account")),
        plan=_lookup(PLANS, pl.col("plan")),
        currency=_lookup(CURRENCIES, pl.col("currency")),
        billing_period=_lookup(BILLING_LABELS, pl.col("billing")),
        amount=_amount(),
        quantity="seats",
        start_date="start_date",
        end_date=pl.when(~open_ended).then("end_date"),
        status=status,
    )


def _amount() -> pl.Expr:
    """Price one billing period: seat price times seats times months, less the discount."""
    plans = len(PLANS)
    flat_prices = [price for row in SEAT_PRICES for price in row]
    seat_price = _lookup(flat_prices, pl.col("currency") * plans + pl.col("plan"))
    months = _lookup(BILLING_MONTHS, pl.col("billing"))
    discount = _lookup(BILLING_DISCOUNTS, pl.col("billing"))
    decimals = _lookup(AMOUNT_DECIMALS, pl.col("currency"))

    # Round in integer minor units so that JPY has no decimals and the rest have two.
    scale = pl.lit(10.0).pow(decimals)
    minor = (seat_price * pl.col("seats") * months * discount * scale).round()
    return (minor / scale).cast(pl.Decimal(18, 2))


def _lookup(values: list, index: pl.Expr) -> pl.Expr:
    """Return ``values[index]`` for each row, as a column expression."""
    return pl.lit(pl.Series(values)).gather(index)


def _account_id(index: pl.Expr) -> pl.Expr:
    return pl.format("ACC-{}", (index + 1).cast(pl.String).str.zfill(7))


def _accounts(stream: RandomStream, profile: pl.DataFrame) -> pl.DataFrame:
    """Give each account its public attributes, a few a parent account, SMB pooled CSMs."""
    n = profile.height
    first_word = stream.integers(n, 0, len(ACCOUNT_NAME_WORDS[0]))
    second_word = stream.integers(n, 0, len(ACCOUNT_NAME_WORDS[1]))
    industry = stream.integers(n, 0, len(INDUSTRIES))
    owner = stream.integers(n, 0, len(CSM_OWNERS))
    pooled = stream.uniform(n) < SMB_POOLED_SHARE
    created_days_before = stream.integers(n, 0, 11)
    is_child = stream.uniform(n) < PARENT_SHARE
    parent_draw = stream.uniform(n)

    frame = profile.with_columns(
        first_word=first_word,
        second_word=second_word,
        industry=industry,
        owner=owner,
        pooled=pooled & (profile["segment"] == SEGMENTS.index("SMB")),
        created_days_before=created_days_before,
        is_child=is_child & (profile["account"] >= PARENT_STRIDE),
        parent=(parent_draw * (profile["account"] // PARENT_STRIDE)).floor().cast(pl.Int64),
    )
    # Parents are multiples of PARENT_STRIDE, and those accounts never have a parent.
    frame = frame.with_columns(
        is_child=pl.col("is_child") & (pl.col("account") % PARENT_STRIDE != 0),
        parent=pl.col("parent") * PARENT_STRIDE,
    )
    return frame.select(
        account_id=_account_id(pl.col("account")),
        account_name=pl.concat_str(
            _lookup(ACCOUNT_NAME_WORDS[0], pl.col("first_word")),
            _lookup(ACCOUNT_NAME_WORDS[1], pl.col("second_word")),
            separator=" ",
        ),
        segment=_lookup(SEGMENTS, pl.col("segment")),
        region=_lookup(REGIONS, pl.col("region")),
        csm_owner=pl.when(~pl.col("pooled")).then(_lookup(CSM_OWNERS, pl.col("owner"))),
        created_at=pl.col("arrival") - pl.duration(days=pl.col("created_days_before")),
        parent_account_id=pl.when("is_child").then(_account_id(pl.col("parent"))),
        industry=_lookup(INDUSTRIES, pl.col("industry")),
    )


def _fx_rates(stream: RandomStream, first_month: int, months: int) -> pl.DataFrame:
    """Walk each currency's USD rate month by month with small log-normal steps."""
    rows = []
    for currency, start in STARTING_RATES.items():
        rate = start
        for offset in range(months):
            if currency != "USD" and offset > 0:
                rate *= math.exp(stream.rng.gauss(0.0, FX_MONTHLY_VOLATILITY))
            month = first_month + offset
            rows.append((date(month // 12, month % 12 + 1, 1), currency, round(rate, 10)))
    frame = pl.DataFrame(rows, schema=["month", "currency", "rate"], orient="row")
    return frame.with_columns(pl.col("rate").cast(pl.Decimal(18, 10))).sort("month", "currency")


def write_exports(exports: Exports, out: Path, file_format: str) -> list[Path]:
    """Write the three tables into ``out`` as ``csv`` or ``parquet``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in EXPORT_TABLES:
        frame: pl.DataFrame = getattr(exports, name)
        path = out / f"{name}.{file_format}"
        if file_format == "csv":
            frame.write_csv(path)
        else:
            frame.write_parquet(path, statistics=True)
        paths.append(path)
    return paths


def write_project(out: Path, file_format: str, name: str) -> Path:
    """Write ``nrrgov.yml`` and a copy of the reference definitions reading ``out``'s files.

    The metrics and taxonomy are copied unchanged from the repository. The sources are the
    reference ones for the tables written here, with each path's extension set to
    ``file_format``. Reference sources for other tables (health signals, forecasts,
    decisions) are left out, because this generator does not write them.
    """
    definitions = out / "definitions"
    definitions.mkdir(parents=True, exist_ok=True)
    for file_name in ("metrics.yml", "taxonomy.yml"):
        shutil.copyfile(REPO_ROOT / "definitions" / file_name, definitions / file_name)

    reference = yaml.safe_load((REPO_ROOT / "definitions" / "sources.yml").read_text("utf-8"))
    sources = [source for source in reference["sources"] if source["name"] in EXPORT_TABLES]
    for source in sources:
        source["path"] = f"{Path(source['path']).stem}.{file_format}"
    (definitions / "sources.yml").write_text(
        "# yaml-language-server: $schema=../schemas/sources.schema.json\n"
        "# The reference data contract for the files written by examples/generate.py.\n"
        + yaml.safe_dump({"sources": sources}, sort_keys=False),
        encoding="utf-8",
    )

    project = out / "nrrgov.yml"
    project.write_text(
        "# yaml-language-server: $schema=schemas/project.schema.json\n"
        "# Synthetic exports written by examples/generate.py, with the reference definitions.\n"
        f"name: {name}\n"
        "reporting_currency: USD\n"
        "data: .\n"
        "definitions: definitions\n"
        "lookbacks: [1, 3, 12]\n"
        "dimensions: [segment, region]\n",
        encoding="utf-8",
    )
    return project


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=400, help="number of accounts")
    parser.add_argument("--months", type=int, default=36, help="length of the history in months")
    parser.add_argument("--end", default="2026-11", help="last month of the history, YYYY-MM")
    parser.add_argument("--seed", type=int, default=7, help="seed of the random generator")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv", dest="file_format")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files into")
    parser.add_argument(
        "--with-project",
        action="store_true",
        help="also write nrrgov.yml and definitions/ that read the generated files",
    )
    args = parser.parse_args(argv)
    if args.accounts < 1 or args.months < 1:
        parser.error(
            f"--accounts and --months must be at least 1, got {args.accounts} and {args.months}"
        )
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.end):
        parser.error(f"--end must be a month written YYYY-MM, such as 2026-11; got {args.end!r}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the generator from the command line; return the exit code."""
    args = parse_args(argv)
    exports = generate(args.accounts, args.months, args.end, args.seed)
    write_exports(exports, args.out, args.file_format)
    if args.with_project:
        write_project(args.out, args.file_format, f"synthetic {args.accounts} accounts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
