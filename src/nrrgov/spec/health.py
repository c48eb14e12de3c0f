"""``definitions/health.yml``: account health scores, at-risk MRR and escalation rules.

A health score is a weighted mean of component scores between 0 and 1. Each component
reads one signal of the ``health_signals`` export, normalizes it across the accounts of
a month, and handles a month without the signal by its ``missing`` policy. Bands cut the
score into green, yellow and red.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeFloat, PositiveInt, model_validator

from nrrgov.spec.base import Spec

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"

Normalization = Literal["min_max", "percentile", "thresholds"]
Direction = Literal["higher_is_better", "lower_is_better"]
MissingPolicy = Literal["zero", "neutral", "exclude"]
BandName = Literal["green", "yellow", "red"]
# Weights must sum to 1 within this tolerance, so that 0.1 + 0.2 + 0.7 passes.
WEIGHT_TOLERANCE = 1e-9


class SignalSpec(Spec):
    """A signal the ``health_signals`` export may carry.

    Attributes:
        name: the value of the export's ``signal`` column.
        unit: what one unit of ``value`` is, such as ``share`` or ``tickets``.
    """

    name: str = Field(pattern=NAME_PATTERN)
    label: str = ""
    description: str = ""
    unit: str = ""


class ThresholdStepSpec(Spec):
    """One step of a ``thresholds`` normalization: values from ``min`` up score ``score``."""

    min: float
    score: float = Field(ge=0, le=1)


class ComponentSpec(Spec):
    """One component of the health score.

    Attributes:
        signal: the signal it reads, declared under ``signals``.
        weight: its share of the score; the weights of all components sum to 1.
        normalization: ``min_max`` scales the value between ``min`` and ``max``, which
            default to the month's smallest and largest value across accounts.
            ``percentile`` is the account's percent rank among the accounts with the
            signal that month. ``thresholds`` gives the score of the highest step whose
            ``min`` the value reaches, and 0 below the first step.
        direction: with ``lower_is_better`` a ``min_max`` or ``percentile`` score is
            turned into 1 minus it. ``thresholds`` steps carry their scores as written.
        missing: the score of an account without the signal that month: ``zero``,
            ``neutral`` (0.5), or ``exclude``, which leaves the component out and divides
            by the weights of the components present.
    """

    name: str = Field(pattern=NAME_PATTERN)
    signal: str = Field(pattern=NAME_PATTERN)
    weight: float = Field(gt=0, le=1)
    normalization: Normalization
    direction: Direction = "higher_is_better"
    missing: MissingPolicy = "neutral"
    min: float | None = None
    max: float | None = None
    thresholds: tuple[ThresholdStepSpec, ...] = ()

    @model_validator(mode="after")
    def _normalization_fields(self) -> ComponentSpec:
        if self.normalization == "thresholds" and not self.thresholds:
            raise ValueError("normalization 'thresholds' needs a list under 'thresholds'")
        if self.normalization != "thresholds" and self.thresholds:
            raise ValueError("'thresholds' is only allowed with normalization: thresholds")
        bounds = self.min is not None or self.max is not None
        if bounds and self.normalization != "min_max":
            raise ValueError("'min' and 'max' are only allowed with normalization: min_max")
        if self.min is not None and self.max is not None and self.max <= self.min:
            raise ValueError(f"max {self.max} must be greater than min {self.min}")
        return self


class BandSpec(Spec):
    """A health band: accounts whose score is at least ``min_score`` (and below the band
    above) fall in it."""

    name: BandName
    min_score: float = Field(ge=0, le=1)


class AtRiskSpec(Spec):
    """Which accounts count as at risk.

    Attributes:
        renewal_window_days: an account is at risk only when its next renewal falls
            within this many days after the last day of the as-of month.
        bands: health bands that put an account at risk.
        contraction_lookback_months: an account is contracting when its MRR at the as-of
            month is below its MRR this many months before.
    """

    renewal_window_days: PositiveInt = 90
    bands: tuple[BandName, ...] = ("red",)
    contraction_lookback_months: PositiveInt = 3


class EscalationRuleSpec(Spec):
    """Sends an at-risk account to an escalation tier.

    The last rule whose conditions all hold applies, so list rules from the first tier
    to the last resort.

    Attributes:
        tier: a tier of ``raci/escalation.yml`` when that file exists.
        min_mrr_at_risk: applies when the account's MRR at risk is at least this much.
        max_days_to_renewal: applies when the renewal is at most this many days away.
    """

    tier: str = Field(pattern=NAME_PATTERN)
    min_mrr_at_risk: NonNegativeFloat = 0
    max_days_to_renewal: int | None = Field(default=None, ge=0)


class HealthFileSpec(Spec):
    """``definitions/health.yml``."""

    signals: tuple[SignalSpec, ...]
    components: tuple[ComponentSpec, ...]
    bands: tuple[BandSpec, ...]
    at_risk: AtRiskSpec = AtRiskSpec()
    escalation: tuple[EscalationRuleSpec, ...] = ()

    # NOTE: a validator rather than min_length, because pydantic reports min_length
    # again for a list whose only item is invalid, repeating the item's own error.
    @model_validator(mode="after")
    def _not_empty(self) -> HealthFileSpec:
        for name in ("signals", "components", "bands"):
            if not getattr(self, name):
                raise ValueError(f"'{name}' needs at least one item")
        return self
