"""``definitions/metrics.yml``: governed metric formulas over retention or movement measures."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt, model_validator

from nrrgov.spec.base import Spec
from nrrgov.spec.options import MetricOptionsSpec
from nrrgov.spec.raci import ItemStatus, LifecycleSpec

# Measures a formula may name, by basis. Retention measures are snapshots of the base
# accounts at M-k and M; movement measures are sums of monthly movements over the k months
# ending at M, with opening_mrr taken at the window's start and closing_mrr at its end.
RETENTION_MEASURES = (
    "starting_mrr",
    "ending_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "retained_mrr",
    "starting_logos",
    "retained_logos",
    "churned_logos",
)
MOVEMENT_MEASURES = (
    "opening_mrr",
    "closing_mrr",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "fx_impact",
    "new_logos",
    "reactivated_logos",
    "expanded_logos",
    "contracted_logos",
    "churned_logos",
    "active_logos",
)
MEASURES_BY_BASIS = {"retention": RETENTION_MEASURES, "movements": MOVEMENT_MEASURES}

Basis = Literal["retention", "movements"]
Unit = Literal["ratio", "currency", "count"]
Direction = Literal["higher_is_better", "lower_is_better"]
MetricStatus = ItemStatus


class TargetSpec(Spec):
    """A metric's target and the threshold between ``at_risk`` and ``off_track``.

    A value on the good side of ``value`` is ``on_track``; between ``value`` and
    ``at_risk`` it is ``at_risk``; beyond ``at_risk`` it is ``off_track``.
    """

    value: float
    at_risk: float | None = None
    direction: Direction = "higher_is_better"

    @model_validator(mode="after")
    def _threshold_on_the_bad_side(self) -> TargetSpec:
        if self.at_risk is None:
            return self
        worse = self.at_risk <= self.value
        if self.direction == "lower_is_better":
            worse = self.at_risk >= self.value
        if not worse:
            side = "below" if self.direction == "higher_is_better" else "above"
            raise ValueError(f"at_risk {self.at_risk} must lie {side} the target {self.value}")
        return self


class MetricSpec(LifecycleSpec):
    """One governed metric, with the lifecycle fields of :class:`LifecycleSpec`.

    Attributes:
        name: identifier used in tables and links (lowercase, digits, underscores).
        formula: arithmetic over the measures of ``basis``, parsed with sqlglot.
        basis: ``retention`` (snapshots at M-k and M) or ``movements`` (summed flows).
        lookback_months: the window k in months.
        dimensions: taxonomy dimensions the metric is reported by.
        filters: taxonomy values kept, per dimension; accounts outside are excluded.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    description: str = ""
    unit: Unit = "ratio"
    formula: str
    basis: Basis = "retention"
    lookback_months: PositiveInt = 12
    dimensions: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = {}
    options: MetricOptionsSpec = MetricOptionsSpec()
    target: TargetSpec | None = None


class MetricsFileSpec(Spec):
    """The metrics file: a plural top-level list."""

    metrics: tuple[MetricSpec, ...]
