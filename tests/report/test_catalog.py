"""The metric catalog, generated from the definitions."""

from __future__ import annotations

from dataclasses import replace

from nrrgov.report.catalog import effective_options, metric_catalog
from nrrgov.spec.metrics import MetricSpec


def entry_named(catalog: list[dict], name: str) -> dict:
    return next(entry for entry in catalog if entry["name"] == name)


def test_catalog_lists_every_metric(reference_definitions):
    catalog = metric_catalog(reference_definitions)
    assert [entry["name"] for entry in catalog] == [m.name for m in reference_definitions.metrics]


def test_catalog_entry_fields(reference_definitions):
    nrr = entry_named(metric_catalog(reference_definitions), "nrr")
    assert nrr["anchor"] == "metric-nrr"
    assert nrr["formula"] == "ending_mrr / starting_mrr"
    assert nrr["owner"] == "data_board"
    assert nrr["status"] == "approved"
    assert nrr["version"] == 1
    assert nrr["target"]["value"] == 1.05


def test_catalog_options_inherit_project(reference_definitions):
    options = {
        option["name"]: option
        for option in entry_named(metric_catalog(reference_definitions), "nrr")["options"]
    }
    assert options["lookback_months"]["value"] == 12
    assert options["snapshot"]["value"] == "month_end"
    assert options["snapshot"]["overridden"] is False
    assert options["fx_mode"]["value"] == "month_rate"


def test_catalog_metric_override(reference_definitions):
    metric = MetricSpec.model_validate(
        {
            "name": "nrr_cc",
            "label": "NRR",
            "owner": "x",
            "formula": "ending_mrr / starting_mrr",
            "options": {"fx_mode": "constant_currency"},
        }
    )
    options = {
        o["name"]: o for o in effective_options(metric, reference_definitions.config.options)
    }
    assert options["fx_mode"]["value"] == "constant_currency"
    assert options["fx_mode"]["overridden"] is True


def test_catalog_used_in_retention_trend(reference_definitions):
    catalog = metric_catalog(reference_definitions)
    nrr_places = [place["href"] for place in entry_named(catalog, "nrr")["used_in"]]
    expansion_places = [
        place["href"] for place in entry_named(catalog, "expansion_rate")["used_in"]
    ]
    assert "retention.html#lookback-12" in nrr_places
    assert "retention.html#lookback-12" not in expansion_places
    assert "index.html#tile-expansion_rate" in expansion_places


def test_catalog_without_metrics(reference_definitions):
    assert metric_catalog(replace(reference_definitions, metrics=())) == []
