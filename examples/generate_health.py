"""Write seeded health signals, MRR forecasts and council decisions for the sample accounts.

Usage::

    python examples/generate_health.py --data examples/data --seed 11 --months 12

Reads ``accounts.csv``, ``subscriptions.csv`` and ``fx_rates.csv`` from ``--data`` and
writes, into the same folder:

- ``health_signals.csv`` (account_id, month, signal, value): the six signals that
  ``definitions/health.yml`` declares, for every account with a subscription in service
  (trials included) in each of the last ``--months`` months. Accounts that churn within
  the next three months show falling usage, fewer seats used, more tickets and a lower
  NPS, so that the health score has something to find.
- ``forecasts.csv`` (account_id, month, forecast_mrr): for the last six months, each paying
  account's MRR in USD with a seeded error of about 10%.
- ``decisions.csv`` (decision_id, decision, body, raised_on, decided_on, outcome): about
  four decisions a month across the three bodies; recent ones may still be open.

Every draw comes from one ``random.Random(seed)`` in a fixed order, so the same inputs
and arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

SIGNALS = (
    "product_usage",
    "seats_used",
    "support_tickets",
    "nps",
    "executive_sponsor",
    "payment_status",
)
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
# Decision kinds of raci/decisions.yml by the body that takes them, with typical days
# from raised to decided.
DECISIONS = {
    "revenue_council": [("target_setting", 25), ("budget_shift", 10), ("exception", 4)],
    "playbook_pmo": [("play_approval", 9), ("success_plan", 6), ("escalation", 3)],
    "data_board": [("metric_definition_change", 7)],
}
OUTCOMES = ("approved", "approved", "approved", "rejected", "deferred")


@dataclass(frozen=True)
class Subscription:
    account_id: str
    currency: str
    monthly_amount: Decimal
    start: date
    end: date | None
    trial: bool

    def in_service(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)


def add_months(month: date, count: int) -> date:
    """Return the first day of the month ``count`` months after ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_subscriptions(path: Path) -> list[Subscription]:
    subscriptions = []
    for row in read_csv(path):
        period = row["billing_period"]
        months = PERIOD_MONTHS[period] if period in PERIOD_MONTHS else int(period)
        subscriptions.append(
            Subscription(
                account_id=row["account_id"],
                currency=row["currency"],
                monthly_amount=Decimal(row["amount"]) / months,
                start=date.fromisoformat(row["start_date"]),
                end=date.fromisoformat(row["end_date"]) if row["end_date"] else None,
                trial=row["status"] == "trial",
            )
        )
    return subscriptions


def read_rates(path: Path) -> dict[tuple[date, str], Decimal]:
    return {
        (date.fromisoformat(row["month"]), row["currency"]): Decimal(row["rate"])
        for row in read_csv(path)
    }


def account_mrr(subscriptions: list[Subscription], rates: dict, month: date) -> dict[str, Decimal]:
    """Return each paying account's MRR in USD on the month's last day."""
    totals: dict[str, Decimal] = {}
    day = month_end(month)
    for subscription in subscriptions:
        if subscription.trial or not subscription.in_service(day):
            continue
        rate = rates.get((month, subscription.currency), Decimal(1))
        value = subscription.monthly_amount * rate
        totals[subscription.account_id] = totals.get(subscription.account_id, Decimal(0)) + value
    return totals


def churn_month(subscriptions: list[Subscription], account_id: str) -> date | None:
    """Return the first month the account has no subscription left, if it ever churns."""
    own = [s for s in subscriptions if s.account_id == account_id]
    if any(s.end is None for s in own):
        return None
    last_end = max(s.end for s in own)
    return date(last_end.year, last_end.month, 1)


def health_rows(
    stream: random.Random,
    accounts: list[str],
    subscriptions: list[Subscription],
    months: list[date],
) -> list[tuple]:
    """Draw the six signals per account and month, in account then month order."""
    rows = []
    for account_id in accounts:
        latent = stream.random()
        sponsor = 1 if stream.random() < 0.3 + 0.5 * latent else 0
        churns = churn_month(subscriptions, account_id)
        own = [s for s in subscriptions if s.account_id == account_id]
        for month in months:
            if not any(s.in_service(month_end(month)) for s in own):
                continue
            decline = 0.0
            if churns is not None:
                months_left = (churns.year - month.year) * 12 + churns.month - month.month
                decline = 0.35 if 0 <= months_left <= 3 else 0.0
            rows.extend(_signals(stream, account_id, month, latent - decline, sponsor))
    return rows


def _signals(stream, account_id, month, health, sponsor) -> list[tuple]:
    usage = min(max(health + stream.gauss(0, 0.12), 0.0), 1.0)
    seats = min(max(0.4 + 0.5 * health + stream.gauss(0, 0.1), 0.05), 1.0)
    tickets = max(int(round(6 * (1 - health) + stream.gauss(0, 1.5))), 0)
    payment = 0 if stream.random() < 0.85 + 0.1 * health else (1 if stream.random() < 0.7 else 2)
    values = {
        "product_usage": f"{usage:.4f}",
        "seats_used": f"{seats:.4f}",
        "support_tickets": str(tickets),
        "executive_sponsor": str(sponsor),
        "payment_status": str(payment),
    }
    # NPS is surveyed once a quarter and not every account answers.
    if month.month % 3 == 0 and stream.random() < 0.7:
        nps = min(max(int(round(-40 + 110 * health + stream.gauss(0, 15))), -100), 100)
        values["nps"] = str(nps)
    return [
        (account_id, month.isoformat(), signal, values[signal])
        for signal in SIGNALS
        if signal in values
    ]


def forecast_rows(
    stream: random.Random, subscriptions: list[Subscription], rates: dict, months: list[date]
) -> list[tuple]:
    rows = []
    for month in months:
        for account_id, mrr in sorted(account_mrr(subscriptions, rates, month).items()):
            forecast = float(mrr) * (1 + stream.gauss(0, 0.1))
            rows.append((account_id, month.isoformat(), f"{max(forecast, 0):.2f}"))
    return rows


def decision_rows(stream: random.Random, months: list[date], last_day: date) -> list[tuple]:
    rows, number = [], 0
    for month in months:
        for body, kinds in DECISIONS.items():
            for _ in range(stream.randint(1, 2)):
                kind, typical = kinds[stream.randrange(len(kinds))]
                raised = month + timedelta(days=stream.randrange(28))
                decided = raised + timedelta(days=max(int(stream.gauss(typical, typical / 3)), 0))
                number += 1
                open_decision = decided > last_day
                rows.append(
                    (
                        f"DEC-{number:04d}",
                        kind,
                        body,
                        raised.isoformat(),
                        "" if open_decision else decided.isoformat(),
                        "" if open_decision else OUTCOMES[stream.randrange(len(OUTCOMES))],
                    )
                )
    return rows


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(data: Path, seed: int, months: int) -> list[Path]:
    """Write the three exports into ``data`` and return their paths."""
    accounts = [row["account_id"] for row in read_csv(data / "accounts.csv")]
    subscriptions = read_subscriptions(data / "subscriptions.csv")
    rates = read_rates(data / "fx_rates.csv")
    last = max(month for month, _currency in rates)
    window = [add_months(last, -offset) for offset in range(months - 1, -1, -1)]
    stream = random.Random(seed)

    written = [data / "health_signals.csv", data / "forecasts.csv", data / "decisions.csv"]
    write_csv(
        written[0],
        ("account_id", "month", "signal", "value"),
        health_rows(stream, accounts, subscriptions, window),
    )
    write_csv(
        written[1],
        ("account_id", "month", "forecast_mrr"),
        forecast_rows(stream, subscriptions, rates, window[-6:]),
    )
    write_csv(
        written[2],
        ("decision_id", "decision", "body", "raised_on", "decided_on", "outcome"),
        decision_rows(stream, window, month_end(last)),
    )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--seed", type=int, default=11, help="seed of the random generator")
    parser.add_argument("--months", type=int, default=12, help="months of signals and decisions")
    args = parser.parse_args(argv)
    for path in generate(args.data, args.seed, args.months):
        print(path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
