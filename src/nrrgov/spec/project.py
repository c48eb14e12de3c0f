"""``nrrgov.yml``: where the definitions and data live, and the project-wide options."""

from __future__ import annotations

from pydantic import Field, PositiveInt

from nrrgov.spec.base import Spec
from nrrgov.spec.options import OptionsSpec

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class ProjectSpec(Spec):
    """The project configuration file.

    Attributes:
        name: shown in the report header.
        reporting_currency: ISO 4217 code that every money column is expressed in.
        data: folder of the exports, relative to the project root.
        out: output folder, relative to the project root.
        as_of: last month computed (YYYY-MM); by default the last month with data.
        definitions: folder holding metrics.yml, taxonomy.yml and sources.yml.
        lookbacks: retention lookbacks computed for the retention table, in months.
        dimensions: taxonomy dimensions that slice movements, retention and cohorts.
        options: computation options in force unless a metric overrides them.
    """

    name: str = "nrrgov"
    reporting_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    data: str = "data"
    out: str = "target"
    as_of: str | None = Field(default=None, pattern=MONTH_PATTERN)
    definitions: str = "definitions"
    lookbacks: tuple[PositiveInt, ...] = (1, 3, 12)
    dimensions: tuple[str, ...] = ()
    options: OptionsSpec = OptionsSpec()
