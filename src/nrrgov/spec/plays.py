"""``plays/*.yml`` and ``definitions/council.yml``: customer-success plays and the review rules.

A play file contains one play as a mapping, or several under a ``plays:`` list. Each play
declares who runs it, which accounts it is for (``entry_criteria``), how fast they must
be touched (``sla``), what share of the eligible accounts is held out to measure it
(``holdout_share``), and what it costs, so that its uplift and return can be computed.

``council.yml`` lists the rules of the monthly stop / keep / scale / iterate / start
review, in order: the first rule whose condition holds gives a play its recommendation.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, NonNegativeFloat, PositiveInt, model_validator

from nrrgov.spec.base import Spec

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"

# Motions built into every project. ``motions:`` in taxonomy.yml may add more.
BUILTIN_MOTIONS = (
    "adoption_acceleration",
    "value_realization",
    "multi_threading",
    "renewal_prep",
    "use_case_expansion",
)
PlayStatus = Literal["draft", "active", "paused", "retired"]
Recommendation = Literal["stop", "keep", "scale", "iterate", "start"]
RECOMMENDATIONS: tuple[str, ...] = ("stop", "keep", "scale", "iterate", "start")


class SlaSpec(Spec):
    """How fast an enrolled account must be worked.

    Attributes:
        first_touch_business_days: business days (Monday to Friday) from enrollment by
            which the first activity must have happened.
        follow_up_days: calendar days between later touches.
    """

    first_touch_business_days: PositiveInt
    follow_up_days: PositiveInt | None = None


class CostSpec(Spec):
    """What a play costs per month: headcount and program spend, in the reporting currency.

    Attributes:
        fte: full-time equivalents working the play, such as 1.5.
        loaded_monthly_cost_per_fte: salary, benefits and overhead of one FTE per month.
        program_per_month: other spend per month (tools, gifts, events).
    """

    fte: NonNegativeFloat = 0
    loaded_monthly_cost_per_fte: NonNegativeFloat = 0
    program_per_month: NonNegativeFloat = 0

    @property
    def monthly_total(self) -> float:
        """Headcount cost plus program spend per month."""
        return self.fte * self.loaded_monthly_cost_per_fte + self.program_per_month


class LinkSpec(Spec):
    """One item of a play's enablement kit: a title and where to find it."""

    title: str
    url: str


class PlaySpec(Spec):
    """A customer-success play, versioned and measured against a holdout.

    Attributes:
        motion: one of :data:`BUILTIN_MOTIONS` or a motion listed in the taxonomy.
        owner: the role, member handle or body that runs the play.
        status: ``draft`` awaiting approval, ``active``, ``paused`` or ``retired``.
        activated_on: the day the play went live; required once active.
        retired_on: the day it stopped; required when retired.
        successor: the play that replaces a retired one, if any.
        entry_criteria: a condition over account attributes and computed features, such
            as ``mrr_change_3m < 0 AND segment IN ('Enterprise', 'Mid-Market')``.
        holdout_share: the fraction of eligible accounts kept out of the play, in [0, 1).
        target_kpi: the metric (from metrics.yml) the play is meant to move.
        outcome_window_months: months after the month before enrollment over which the
            outcome (NRR) is measured.
        min_sample_size: the minimum number of accounts in each group below which the uplift is
            reported as inconclusive.
    """

    name: str = Field(pattern=NAME_PATTERN)
    label: str
    description: str = ""
    motion: str = Field(pattern=NAME_PATTERN)
    owner: str
    status: PlayStatus = "draft"
    version: PositiveInt = 1
    activated_on: date | None = None
    retired_on: date | None = None
    successor: str | None = Field(default=None, pattern=NAME_PATTERN)
    entry_criteria: str
    sla: SlaSpec
    steps: tuple[str, ...] = ()
    enablement: tuple[LinkSpec, ...] = ()
    holdout_share: float = Field(ge=0, lt=1)
    target_kpi: str
    outcome_window_months: PositiveInt = 6
    cost_per_month: CostSpec = CostSpec()
    min_sample_size: PositiveInt = 30

    @model_validator(mode="after")
    def _status_dates(self) -> PlaySpec:
        if self.status in ("active", "paused", "retired") and self.activated_on is None:
            raise ValueError(f"a play with status {self.status!r} needs 'activated_on'")
        if self.status == "retired" and self.retired_on is None:
            raise ValueError("a retired play needs 'retired_on'")
        if self.status != "retired" and (self.retired_on or self.successor):
            raise ValueError("'retired_on' and 'successor' are only allowed once retired")
        if self.activated_on and self.retired_on and self.retired_on < self.activated_on:
            raise ValueError("'retired_on' must not be before 'activated_on'")
        return self


class PlaysFileSpec(Spec):
    """A play file that lists several plays under ``plays:``."""

    plays: tuple[PlaySpec, ...] = ()


class CouncilRuleSpec(Spec):
    """One rule of the monthly review.

    Attributes:
        when: a condition over the figures of :data:`nrrgov.plays.council.FIGURES`,
            such as ``ci_low > 0 AND roi > 1``.
        recommendation: what the council is advised to do with a play the rule matches.
    """

    name: str = Field(pattern=NAME_PATTERN)
    recommendation: Recommendation
    when: str
    description: str = ""


class CouncilFileSpec(Spec):
    """``definitions/council.yml``: the ordered rules; the first that matches applies."""

    rules: tuple[CouncilRuleSpec, ...] = Field(min_length=1)
