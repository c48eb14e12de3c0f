"""Write seeded play enrollments and activities for the example data, with a known uplift.

Usage::

    python examples/generate_plays.py --project . --data examples/data --seed 11

It reads the project's plays and the committed ``accounts.csv`` and ``subscriptions.csv``
of the data folder and writes, into the same folder:

- ``play_enrollments.csv``: for each active play and each month from its
  ``activated_on`` to the last month with data, the accounts that met its entry
  criteria in the month before (computed by nrrgov's own engine) enroll with
  probability ``--enroll-share``; an account enrolls in a play once. The day in the
  month is drawn, and the group comes from :mod:`nrrgov.plays.assignment`, the same
  assignment ``nrrgov plays assign`` makes.
- ``activities.csv``: each treatment enrollment gets a first touch after a drawn number
  of business days (most within the play's SLA, some late, a few never) and a follow-up.
- ``subscriptions.csv``: rewritten as the original rows, byte for byte, then one added
  row per effect line. A play with an effect ``e`` in :data:`EFFECTS` changes its
  treatment accounts from 14 days after enrollment: for every paying subscription in
  service on that day, a monthly line priced at ``e`` times that subscription's MRR
  (a recurring credit when ``e`` is negative) runs until the subscription ends. Those
  accounts' MRR is then ``1 + e`` times what it would have been, so the treatment NRR
  is ``1 + e`` times its counterfactual and the true uplift is ``e`` times the NRR the
  accounts would have had.

Added rows have ids starting with ``SUB-PLAY-``. A run first drops such rows, so running
it twice writes the same bytes, and running it after ``examples/generate.py`` rewrote the
subscriptions adds the effects again.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import duckdb

from nrrgov.engine.context import EngineContext
from nrrgov.engine.ingest import ingest
from nrrgov.engine.normalize import resolve_as_of
from nrrgov.engine.run import run_pipelines
from nrrgov.loader import load_project
from nrrgov.plays.assignment import assign_group
from nrrgov.plays.eligibility import create_eligibility, eligible_accounts
from nrrgov.plays.loader import LoadedPlay, require_plays

# Built-in uplift of the reference plays: the factor by which treatment MRR changes.
EFFECTS = {
    "onboarding_sprint": 0.12,
    "expansion_workshop": 0.15,
    "renewal_readiness": 0.0,
    "value_review": -0.25,
}
EFFECT_DELAY_DAYS = 14
EFFECT_PREFIX = "SUB-PLAY-"
ENROLL_SHARE = 0.8
# Shares of treatment enrollments touched late (after the SLA) and never.
LATE_SHARE = 0.12
NEVER_SHARE = 0.04
ACTIVITY_KINDS = ("call", "email", "meeting")
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
ENROLLMENT_HEADER = ["account_id", "play", "enrolled_on", "group"]
ACTIVITY_HEADER = ["account_id", "play", "occurred_at", "kind"]


@dataclass(frozen=True, order=True)
class Enrollment:
    """One account enrolled in one play."""

    play: str
    account_id: str
    enrolled_on: date
    group: str


def generate_plays(
    project_root: Path,
    data_dir: Path,
    seed: int,
    effects: dict[str, float] | None = None,
    enroll_share: float = ENROLL_SHARE,
) -> list[Enrollment]:
    """Write enrollments, activities and the effect lines into ``data_dir``.

    Args:
        project_root: the project whose plays and definitions are used.
        data_dir: the folder holding accounts.csv and subscriptions.csv.
        seed: seed of the one random generator every draw comes from.
        effects: play -> built-in effect; :data:`EFFECTS` by default.
        enroll_share: the chance that an eligible account enrolls in a given month.

    Returns:
        The enrollments written.
    """
    effects = EFFECTS if effects is None else effects
    rng = random.Random(seed)
    subscriptions_path = data_dir / "subscriptions.csv"
    original = strip_effect_lines(subscriptions_path.read_text(encoding="utf-8"))
    subscriptions_path.write_text(original, encoding="utf-8", newline="")

    plays = [play for play in require_plays(project_root).plays if play.spec.status == "active"]
    eligible, last_month = _eligibility(project_root, data_dir, plays)
    enrollments = _enroll(plays, eligible, last_month, rng, enroll_share)
    activities = _activities(plays, enrollments, rng)
    added = effect_lines(original, enrollments, effects, _add_months(last_month, 1))

    subscriptions_path.write_text(original + added, encoding="utf-8", newline="")
    _write_csv(data_dir / "play_enrollments.csv", ENROLLMENT_HEADER, _enrollment_rows(enrollments))
    _write_csv(data_dir / "activities.csv", ACTIVITY_HEADER, activities)
    return enrollments


def strip_effect_lines(text: str) -> str:
    """Drop the rows an earlier run added, keeping every other line as it was."""
    lines = text.splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith(EFFECT_PREFIX))


def _eligibility(
    project_root: Path, data_dir: Path, plays: list[LoadedPlay]
) -> tuple[dict[tuple[str, date], list[str]], date]:
    """Return the eligible accounts per (play, month) and the last month with data."""
    project = load_project(project_root)
    with tempfile.TemporaryDirectory(prefix="nrrgov-plays-") as folder:
        staged = Path(folder)
        for path in data_dir.iterdir():
            if path.is_file():
                shutil.copy(path, staged / path.name)
        # The exports being written must not feed the eligibility they come from.
        _write_csv(staged / "play_enrollments.csv", ENROLLMENT_HEADER, [])
        _write_csv(staged / "activities.csv", ACTIVITY_HEADER, [])
        con = duckdb.connect()
        ctx = EngineContext(project, staged)
        ingest(con, ctx)
        ctx = replace(ctx, as_of=resolve_as_of(con, ctx, None))
        run_pipelines(con, ctx)
        eligible = {}
        first = min(play.spec.activated_on for play in plays) if plays else ctx.as_of
        month = _add_months(_month_start(first), -1)
        while month < ctx.as_of:
            create_eligibility(con, plays, month, project.taxonomy.dimensions)
            for play in plays:
                eligible[(play.spec.name, month)] = eligible_accounts(con, play.spec.name)
            month = _add_months(month, 1)
        con.close()
    return eligible, ctx.as_of


def _enroll(
    plays: list[LoadedPlay],
    eligible: dict[tuple[str, date], list[str]],
    last_month: date,
    rng: random.Random,
    enroll_share: float,
) -> list[Enrollment]:
    """Enroll eligible accounts month by month, each account once per play."""
    enrollments = []
    for play in sorted(plays, key=lambda p: p.spec.name):
        spec = play.spec
        month = _month_start(spec.activated_on)
        enrolled: set[str] = set()
        while month <= last_month:
            for account_id in eligible.get((spec.name, _add_months(month, -1)), []):
                if account_id in enrolled or rng.random() >= enroll_share:
                    continue
                enrolled.add(account_id)
                day = month + timedelta(days=rng.randrange(28))
                group = assign_group(spec.name, account_id, spec.holdout_share)
                enrollments.append(Enrollment(spec.name, account_id, day, group))
            month = _add_months(month, 1)
    return sorted(enrollments)


def effect_lines(
    subscriptions_text: str, enrollments: list[Enrollment], effects: dict, data_end: date
) -> str:
    """Return the CSV lines that apply each play's effect to its treatment accounts.

    An effect that would start on or after ``data_end`` (the first day after the last
    month with data) is left out, because it would add revenue past the exports' end.
    """
    by_account: dict[str, list[dict]] = {}
    for row in csv.DictReader(io.StringIO(subscriptions_text)):
        by_account.setdefault(row["account_id"], []).append(row)

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    number = 0
    for enrollment in enrollments:
        effect = effects.get(enrollment.play, 0.0)
        if enrollment.group != "treatment" or effect == 0:
            continue
        cut = enrollment.enrolled_on + timedelta(days=EFFECT_DELAY_DAYS)
        if cut >= data_end:
            continue
        for row in by_account.get(enrollment.account_id, []):
            if not _paying_on(row, cut):
                continue
            number += 1
            monthly = float(row["amount"]) / _period_months(row["billing_period"])
            writer.writerow(_effect_row(number, row, enrollment.play, cut, effect * monthly))
    return buffer.getvalue()


def _effect_row(number: int, row: dict, play: str, cut: date, amount: float) -> list[str]:
    plan = f"{play} add-on" if amount > 0 else f"{play} credit"
    return [
        f"{EFFECT_PREFIX}{number:06d}",
        row["account_id"],
        plan,
        row["currency"],
        "monthly",
        f"{amount:.2f}",
        "1",
        cut.isoformat(),
        row["end_date"],
        "active",
    ]


def _paying_on(row: dict, day: date) -> bool:
    if (row.get("status") or "").lower() == "trial" or float(row["amount"]) <= 0:
        return False
    start = date.fromisoformat(row["start_date"])
    end = date.fromisoformat(row["end_date"]) if row["end_date"] else None
    return start <= day and (end is None or end > day)


def _period_months(billing_period: str) -> int:
    return PERIOD_MONTHS.get(billing_period) or int(billing_period)


def _activities(
    plays: list[LoadedPlay], enrollments: list[Enrollment], rng: random.Random
) -> list[list[str]]:
    """Draw a first touch and a follow-up for each treatment enrollment."""
    sla = {play.spec.name: play.spec.sla for play in plays}
    rows = []
    for enrollment in enrollments:
        if enrollment.group != "treatment":
            continue
        draw = rng.random()
        days = sla[enrollment.play].first_touch_business_days
        if draw < NEVER_SHARE:
            continue
        if draw < NEVER_SHARE + LATE_SHARE:
            delay = days + 1 + rng.randrange(5)
        else:
            delay = rng.randrange(days + 1)
        first = _add_business_days(enrollment.enrolled_on, delay)
        follow_up = first + timedelta(days=(sla[enrollment.play].follow_up_days or 14))
        for day in (first, follow_up):
            kind = ACTIVITY_KINDS[rng.randrange(len(ACTIVITY_KINDS))]
            rows.append([enrollment.account_id, enrollment.play, day.isoformat(), kind])
    return sorted(rows)


def _add_business_days(start: date, days: int) -> date:
    """Return the day ``days`` business days (Monday to Friday) after ``start``."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _enrollment_rows(enrollments: list[Enrollment]) -> list[list[str]]:
    return [[e.account_id, e.play, e.enrolled_on.isoformat(), e.group] for e in enrollments]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=Path("."), help="project folder")
    parser.add_argument(
        "--data", type=Path, default=None, help="data folder (default: the project's)"
    )
    parser.add_argument("--seed", type=int, default=11, help="random seed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the generator from the command line; return the exit code."""
    args = parse_args(argv)
    data_dir = args.data or load_project(args.project).data_dir
    generate_plays(args.project, data_dir, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
