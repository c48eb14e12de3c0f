"""nrrgov: metrics-as-code for Customer Success and expansion governance."""

__version__ = "0.1.0"
