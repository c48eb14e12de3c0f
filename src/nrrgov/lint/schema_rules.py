"""NRG1xx: problems the loader finds while reading YAML and validating it against the specs."""

from __future__ import annotations

from collections.abc import Iterator

from nrrgov.lint.health_rules import definition_file_findings
from nrrgov.lint.registry import LintContext, rule
from nrrgov.loader import Finding

SCHEMA_CODES = (
    "NRG100",
    "NRG101",
    "NRG102",
    "NRG103",
    "NRG104",
    "NRG105",
    "NRG106",
    "NRG107",
    "NRG108",
    "NRG205",
)


@rule(*SCHEMA_CODES, name="yaml-and-schema")
def yaml_and_schema(context: LintContext) -> Iterator[Finding]:
    """Check that every file is readable YAML that matches its schema.

    Why: a definitions file that does not parse, or parses into something other than
    what was meant, changes the numbers silently. PyYAML keeps the last of two duplicate
    keys and can build Python objects from tags; both are rejected here.

    Codes:
        NRG100 a required file (metrics.yml, sources.yml) is missing or unreadable.
        NRG101 invalid YAML (or TOML in pyproject.toml) syntax.
        NRG102 a key appears twice in one mapping.
        NRG103 a tag other than the standard safe ones, such as ``!!python/object``.
        NRG104 an alias (``*name``); aliases can expand a small file into a huge one.
        NRG105 an unknown key, with the closest valid key as a hint.
        NRG106 a required key is missing.
        NRG107 a value of the wrong type or outside the allowed values.
        NRG108 values that contradict each other, such as a target's threshold on the
            wrong side of its value.
        NRG205 a source for a table that is not a canonical table.

    Failing example::

        metrics:
          - name: nrr
            formla: ending_mrr / starting_mrr   # NRG105, did you mean 'formula'?

    Fix: correct the key or value at the line shown; the hint names the closest valid
    choice.
    """
    yield from context.files.findings
    yield from definition_file_findings(context)
