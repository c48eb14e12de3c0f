"""Customer-success plays: eligibility, holdout uplift, SLA, return and the council review."""
