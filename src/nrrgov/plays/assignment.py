"""Deterministic treatment / holdout assignment of eligible accounts.

An account goes to the holdout of a play when :func:`holdout_score` of (play, account
id) is below the play's ``holdout_share``. The score is the first 53 bits of the SHA-256
digest of ``"<play>\\x1f<account_id>"`` (UTF-8) read as an unsigned big-endian number
and divided by 2**53. It is uniform on [0, 1), the same on every platform and Python
version, and independent of which other accounts are eligible. A rerun therefore never
moves an account between groups, and raising the share only moves accounts from
treatment into the holdout.

>>> 0 <= holdout_score("renewal_prep", "ACC-1") < 1
True
>>> assign_group("renewal_prep", "ACC-1", 0.0)
'treatment'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

SEPARATOR = "\x1f"
_BITS = 53


@dataclass(frozen=True, order=True)
class Assignment:
    """One eligible account's group in one play."""

    play: str
    account_id: str
    group: str
    assigned_on: date


def holdout_score(play: str, account_id: str) -> float:
    """Map (play, account id) to a number in [0, 1) that never changes."""
    digest = hashlib.sha256(f"{play}{SEPARATOR}{account_id}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> (64 - _BITS)) / 2.0**_BITS


def assign_group(play: str, account_id: str, holdout_share: float) -> str:
    """Return ``holdout`` or ``treatment`` for one account of one play."""
    return "holdout" if holdout_score(play, account_id) < holdout_share else "treatment"


def assign(
    play: str, account_ids: list[str], holdout_share: float, assigned_on: date
) -> list[Assignment]:
    """Assign every account in ``account_ids`` to a group of ``play``, sorted by account."""
    return [
        Assignment(play, account_id, assign_group(play, account_id, holdout_share), assigned_on)
        for account_id in sorted(account_ids)
    ]
