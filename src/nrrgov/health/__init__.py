"""Health scores, at-risk MRR, operating KPIs, incentive attainment and targets.

:func:`~nrrgov.health.run.compute_health` is the stage a compute run calls after the
analytic stages; :mod:`nrrgov.health.files` reads the definitions files it needs.
"""

from nrrgov.health.files import load_health, load_incentives, load_targets
from nrrgov.health.run import HEALTH_TABLES, compute_health

__all__ = ["HEALTH_TABLES", "compute_health", "load_health", "load_incentives", "load_targets"]
