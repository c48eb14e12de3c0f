"""The maturity assessment of revenue governance: six capabilities, rated with evidence."""

from nrrgov.assess.formats import format_markdown, format_text
from nrrgov.assess.model import LEVELS, Assessment, CapabilityRating, Requirement
from nrrgov.assess.run import CAPABILITIES, assess

__all__ = [
    "CAPABILITIES",
    "LEVELS",
    "Assessment",
    "CapabilityRating",
    "Requirement",
    "assess",
    "format_markdown",
    "format_text",
]
