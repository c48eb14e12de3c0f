"""Pydantic models of every YAML file kind; JSON Schemas are generated from them."""

from nrrgov.spec.metrics import MetricSpec, MetricsFileSpec
from nrrgov.spec.options import OptionsSpec
from nrrgov.spec.project import ProjectSpec
from nrrgov.spec.sources import SourceSpec, SourcesFileSpec
from nrrgov.spec.taxonomy import DimensionSpec, TaxonomyFileSpec

FILE_KINDS = {
    "project": ProjectSpec,
    "metrics": MetricsFileSpec,
    "taxonomy": TaxonomyFileSpec,
    "sources": SourcesFileSpec,
}

__all__ = [
    "FILE_KINDS",
    "DimensionSpec",
    "MetricSpec",
    "MetricsFileSpec",
    "OptionsSpec",
    "ProjectSpec",
    "SourceSpec",
    "SourcesFileSpec",
    "TaxonomyFileSpec",
]
