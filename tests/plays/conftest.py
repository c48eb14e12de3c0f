"""Fixtures for the plays tests."""

from __future__ import annotations

import pytest

import nrrgov.lint  # noqa: F401 - registers the rules the lint runner imports
from nrrgov.lint.registry import RULES

_WIRED = list(RULES)
from nrrgov.lint import play_rules as _play_rules_module  # noqa: E402

PLAY_RULES = [r for r in RULES if r.check.__module__ == _play_rules_module.__name__]
# Importing the module registered its rules. They stay out of the registry unless the
# runner imports them itself, so that other lint tests see only the wired rules.
RULES[:] = [r for r in RULES if r in _WIRED]


@pytest.fixture
def play_rules():
    """The play lint rules, in the registry only for the duration of one test."""
    added = [r for r in PLAY_RULES if r not in RULES]
    RULES.extend(added)
    yield PLAY_RULES
    for registered in added:
        RULES.remove(registered)
