"""Find and parse a definitions repository into one validated :class:`Project`.

TODO: replace this first cut (plain yaml.safe_load, no positions) with the positional
loader: file:line:column per node, duplicate keys and Python tags rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from nrrgov.errors import Location, UserError
from nrrgov.spec import (
    MetricSpec,
    MetricsFileSpec,
    ProjectSpec,
    SourceSpec,
    SourcesFileSpec,
    TaxonomyFileSpec,
)

PROJECT_FILE = "nrrgov.yml"


@dataclass(frozen=True)
class Project:
    """A loaded definitions repository."""

    root: Path
    config: ProjectSpec
    metrics: tuple[MetricSpec, ...]
    taxonomy: TaxonomyFileSpec
    sources: tuple[SourceSpec, ...]

    @property
    def definitions_dir(self) -> Path:
        return self.root / self.config.definitions

    @property
    def data_dir(self) -> Path:
        return self.root / self.config.data

    def source(self, name: str) -> SourceSpec | None:
        """The source that fills canonical table ``name``, if the contract has one."""
        return next((s for s in self.sources if s.name == name), None)


def _read(path: Path, model):
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return model.model_validate(data)
    except (yaml.YAMLError, ValidationError) as error:
        raise UserError("NRG100", f"invalid file: {error}", where=Location(str(path))) from None


def load_project(root: Path) -> Project:
    """Load ``root``: its ``nrrgov.yml`` (optional) and the three definition files."""
    root = Path(root)
    config_path = root / PROJECT_FILE
    config = _read(config_path, ProjectSpec) if config_path.exists() else ProjectSpec()
    definitions = root / config.definitions
    metrics = _read(definitions / "metrics.yml", MetricsFileSpec)
    taxonomy_path = definitions / "taxonomy.yml"
    taxonomy = _read(taxonomy_path, TaxonomyFileSpec) if taxonomy_path.exists() else None
    sources = _read(definitions / "sources.yml", SourcesFileSpec)
    return Project(
        root=root,
        config=config,
        metrics=metrics.metrics,
        taxonomy=taxonomy or TaxonomyFileSpec(),
        sources=sources.sources,
    )
