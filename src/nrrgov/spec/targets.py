"""``definitions/targets.yml``: targets per metric, slice and period, and KPI settings."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, NonNegativeFloat, PositiveInt, model_validator

from nrrgov.spec.base import Spec

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

Direction = Literal["higher_is_better", "lower_is_better"]


def month_start(text: str) -> date:
    """Return the first day of the month ``YYYY-MM``.

    >>> month_start("2026-03")
    datetime.date(2026, 3, 1)
    """
    return date.fromisoformat(f"{text}-01")


class TargetSpec(Spec):
    """A target for one metric (or KPI) in one slice over a period of as-of months.

    A value on the good side of ``value`` is ``on_track``; between ``value`` and
    ``at_risk`` it is ``at_risk``; beyond ``at_risk`` it is ``off_track``.

    Attributes:
        metric: a metric of ``metrics.yml`` or a KPI of the ``kpis`` table.
        slice: dimension -> value; dimensions not named are ``(all)``.
        start: the first as-of month the target applies to, as YYYY-MM.
        end: the last as-of month, as YYYY-MM.
    """

    name: str = Field(pattern=NAME_PATTERN)
    metric: str = Field(pattern=NAME_PATTERN)
    slice: dict[str, str] = {}
    start: str = Field(pattern=MONTH_PATTERN)
    end: str = Field(pattern=MONTH_PATTERN)
    value: float
    at_risk: float
    direction: Direction = "higher_is_better"

    @model_validator(mode="after")
    def _consistent(self) -> TargetSpec:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        worse = self.at_risk <= self.value
        if self.direction == "lower_is_better":
            worse = self.at_risk >= self.value
        if not worse:
            side = "below" if self.direction == "higher_is_better" else "above"
            raise ValueError(f"at_risk {self.at_risk} must lie {side} the target {self.value}")
        return self

    @property
    def first_month(self) -> date:
        return month_start(self.start)

    @property
    def last_month(self) -> date:
        return month_start(self.end)


class ActivationSpec(Spec):
    """When an account counts as activated, for time-to-value: the first month its
    ``signal`` reaches ``min_value``."""

    signal: str = Field(pattern=NAME_PATTERN)
    min_value: float


class OpportunitySpec(Spec):
    """What counts as an expansion opportunity and when it is won.

    An opportunity is an ``activities`` row of kind ``kind``. It is won when the account
    books expansion MRR in the opportunity's month or one of the ``won_within_months``
    after it; it is lost when that window has passed by the as-of month without one.
    Opportunities whose window is still open and not yet won are left out of the rate.
    """

    kind: str = "expansion_opportunity"
    won_within_months: PositiveInt = 3


class KpiSettingsSpec(Spec):
    """Settings of the operating KPIs.

    Attributes:
        lookback_months: window of expansion %, churn % and net dollars retained per rep.
        activation: the activation signal of time-to-value; without it the KPI is left out.
        opportunity: the definition of an expansion opportunity for the win rate.
        decision_sla_days: a decision's SLA in days, by decision name, for decisions whose
            SLA ``raci/decisions.yml`` does not give.
    """

    lookback_months: PositiveInt = 12
    activation: ActivationSpec | None = None
    opportunity: OpportunitySpec = OpportunitySpec()
    decision_sla_days: dict[str, NonNegativeFloat] = {}


class TargetsFileSpec(Spec):
    """``definitions/targets.yml``."""

    targets: tuple[TargetSpec, ...] = ()
    kpis: KpiSettingsSpec = KpiSettingsSpec()
