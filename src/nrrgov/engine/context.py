"""What every engine stage needs to know about the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nrrgov.loader import Project
from nrrgov.spec.options import OptionsSpec
from nrrgov.spec.taxonomy import DimensionSpec


@dataclass(frozen=True)
class EngineContext:
    """The project, where its data is, and the month the run stops at.

    Attributes:
        project: the loaded definitions.
        data_dir: folder the source paths are relative to.
        as_of: first day of the last month computed; no output row lies after it.
            None until :func:`nrrgov.engine.normalize.resolve_as_of` has run.
    """

    project: Project
    data_dir: Path
    as_of: date | None = None
    extra: dict = field(default_factory=dict)

    @property
    def options(self) -> OptionsSpec:
        return self.project.config.options

    @property
    def reporting_currency(self) -> str:
        return self.project.config.reporting_currency

    @property
    def dimensions(self) -> tuple[DimensionSpec, ...]:
        """The taxonomy dimensions named in the project's ``dimensions``, in that order."""
        by_name = {d.name: d for d in self.project.taxonomy.dimensions}
        return tuple(by_name[name] for name in self.project.config.dimensions if name in by_name)
