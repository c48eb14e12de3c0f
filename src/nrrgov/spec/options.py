"""Options that move the numbers, with the defaults the reference definitions use."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt

from nrrgov.spec.base import Spec

SnapshotRule = Literal["month_end", "month_start"]
FxMode = Literal["month_rate", "constant_currency", "fixed_rate"]
Grain = Literal["account", "parent_account"]
NegativeMrrPolicy = Literal["floor", "error"]
CohortAverage = Literal["weighted", "simple"]


class OptionsSpec(Spec):
    """Computation options; a metric may override any of them for itself.

    Attributes:
        snapshot: a subscription counts in a month when it is in service on the month's
            last day (``month_end``) or first day (``month_start``).
        no_revenue_statuses: subscription statuses that carry no MRR.
        fx_mode: exchange rates used for retention. ``month_rate`` converts each month at
            its own rate, ``constant_currency`` converts both ends at the as-of month's
            rate, ``fixed_rate`` uses ``fixed_rate_month`` for every month.
        fixed_rate_month: the month (YYYY-MM) whose rates ``fixed_rate`` uses.
        reactivation_max_gap_months: MRR after at most this many months at zero is a
            reactivation; a longer gap counts as new. None means no limit.
        grain: compute per account or per parent account.
        negative_mrr: ``floor`` sets negative account MRR to 0 and quarantines it,
            ``error`` stops the run.
        cohort_average: cohort average rows weighted by initial MRR or simple means.
    """

    snapshot: SnapshotRule = "month_end"
    no_revenue_statuses: tuple[str, ...] = ("trial",)
    fx_mode: FxMode = "month_rate"
    fixed_rate_month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    reactivation_max_gap_months: PositiveInt | None = None
    grain: Grain = "account"
    negative_mrr: NegativeMrrPolicy = "floor"
    cohort_average: CohortAverage = "weighted"


class MetricOptionsSpec(Spec):
    """Per-metric overrides of :class:`OptionsSpec`; unset fields inherit the project's."""

    snapshot: SnapshotRule | None = None
    fx_mode: FxMode | None = None
    reactivation_max_gap_months: PositiveInt | None = None
    grain: Grain | None = None
