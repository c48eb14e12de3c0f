"""``definitions/incentives.yml``: an NRR-weighted compensation plan and its guardrails."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from nrrgov.spec.base import Spec

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"

# What a plan may weigh: each rep's NRR and GRR over the lookback, and their bookings
# (expansion MRR credited after adoption verification).
PlanMeasure = Literal["nrr", "grr", "bookings"]
PLAN_MEASURES: tuple[PlanMeasure, ...] = ("nrr", "grr", "bookings")


class PlanSpec(Spec):
    """A compensation plan for the account owners (``csm_owner``).

    Attributes:
        weights: measure -> its share of attainment; the shares sum to 1.
        quotas: measure -> the value that counts as 100% attainment of that measure.
        lookback_months: the window over which each rep's measures are computed.
        max_attainment: the cap on each measure's attainment, such as 2.0 for 200%.
    """

    name: str = Field(pattern=NAME_PATTERN)
    label: str = ""
    weights: dict[PlanMeasure, float]
    quotas: dict[PlanMeasure, PositiveFloat]
    lookback_months: PositiveInt = 12
    max_attainment: PositiveFloat = 2.0

    @model_validator(mode="after")
    def _quota_for_each_weight(self) -> PlanSpec:
        missing = [measure for measure in self.weights if measure not in self.quotas]
        if missing:
            raise ValueError(f"weights name {missing[0]!r}, which has no quota under 'quotas'")
        return self


class AdoptionVerificationSpec(Spec):
    """Expansion is credited to bookings only when ``signal`` reaches ``min_value`` for
    the account in a month that starts within ``within_days`` of the expansion month's
    first day (the expansion month itself included)."""

    signal: str = Field(pattern=NAME_PATTERN)
    min_value: float
    within_days: PositiveInt = 90


class ApprovalLimitSpec(Spec):
    """A discount above ``above_discount`` (a share of list price, 0.15 for 15%) needs the
    approval of ``approver``, a role held by a member of a body in ``raci/bodies.yml``."""

    above_discount: float = Field(ge=0, lt=1)
    approver: str = Field(pattern=NAME_PATTERN)


class IncentivesFileSpec(Spec):
    """``definitions/incentives.yml``."""

    plan: PlanSpec
    adoption_verification: AdoptionVerificationSpec | None = None
    approval_limits: tuple[ApprovalLimitSpec, ...] = ()
