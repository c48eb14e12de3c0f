"""Pydantic models of every YAML file kind; JSON Schemas are generated from them."""

import json

from pydantic import BaseModel

from nrrgov.spec.health import HealthFileSpec
from nrrgov.spec.incentives import IncentivesFileSpec
from nrrgov.spec.metrics import MetricsFileSpec, MetricSpec
from nrrgov.spec.options import OptionsSpec
from nrrgov.spec.plays import CouncilFileSpec, PlaysFileSpec, PlaySpec
from nrrgov.spec.project import ProjectSpec
from nrrgov.spec.raci import (
    BodiesFileSpec,
    BodySpec,
    DecisionsFileSpec,
    DecisionSpec,
    EscalationFileSpec,
    LifecycleSpec,
    MemberSpec,
    TierSpec,
)
from nrrgov.spec.sources import SourcesFileSpec, SourceSpec
from nrrgov.spec.targets import TargetsFileSpec
from nrrgov.spec.taxonomy import DimensionSpec, TaxonomyFileSpec

# File kind -> model. Each kind's JSON Schema is ``schemas/<kind>.schema.json``, the name
# the ``yaml-language-server`` comment at the top of each file points to.
FILE_KINDS: dict[str, type[BaseModel]] = {
    "project": ProjectSpec,
    "metrics": MetricsFileSpec,
    "taxonomy": TaxonomyFileSpec,
    "sources": SourcesFileSpec,
    "bodies": BodiesFileSpec,
    "decisions": DecisionsFileSpec,
    "escalation": EscalationFileSpec,
    "health": HealthFileSpec,
    "targets": TargetsFileSpec,
    "incentives": IncentivesFileSpec,
    "council": CouncilFileSpec,
    # A file under plays/ contains one play, or several under 'plays:'.
    "play": PlaySpec,
    "plays": PlaysFileSpec,
}


def json_schema_files() -> dict[str, str]:
    """Return ``<kind>.schema.json`` -> its text, exactly as ``nrrgov schema --out`` writes it."""
    return {
        f"{kind}.schema.json": json.dumps(model.model_json_schema(), indent=2) + "\n"
        for kind, model in FILE_KINDS.items()
    }


__all__ = [
    "FILE_KINDS",
    "BodiesFileSpec",
    "BodySpec",
    "DecisionSpec",
    "DecisionsFileSpec",
    "DimensionSpec",
    "EscalationFileSpec",
    "LifecycleSpec",
    "MemberSpec",
    "MetricSpec",
    "MetricsFileSpec",
    "OptionsSpec",
    "ProjectSpec",
    "SourceSpec",
    "SourcesFileSpec",
    "TaxonomyFileSpec",
    "TierSpec",
    "json_schema_files",
]
