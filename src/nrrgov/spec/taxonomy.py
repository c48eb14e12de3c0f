"""``definitions/taxonomy.yml``: dimensions that slice the numbers, and movement types."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeFloat, model_validator

from nrrgov.spec.base import Spec

MOVEMENT_KINDS = ("new", "reactivation", "expansion", "contraction", "churn")


class ArrBandSpec(Spec):
    """One ARR band: accounts whose ARR is at least ``min_arr`` and below the next band's."""

    name: str
    min_arr: NonNegativeFloat


class DimensionSpec(Spec):
    """A dimension, taken from an account column or from ARR bands.

    ARR bands are evaluated at the base month: M-k for retention, the month before for
    movements and the first month for cohorts, so an account that grows keeps the band it
    started the window in.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = ""
    kind: Literal["column", "arr_bands"] = "column"
    column: str | None = None
    values: tuple[str, ...] = ()
    bands: tuple[ArrBandSpec, ...] = ()
    missing_value: str = "(unknown)"

    @model_validator(mode="after")
    def _kind_fields(self) -> DimensionSpec:
        if self.kind == "arr_bands":
            if not self.bands:
                raise ValueError("an arr_bands dimension needs at least one band under 'bands'")
            if self.bands[0].min_arr != 0:
                raise ValueError("the first ARR band must start at min_arr: 0")
            mins = [band.min_arr for band in self.bands]
            if mins != sorted(set(mins)):
                raise ValueError("ARR bands must be listed with strictly increasing min_arr")
        elif self.bands:
            raise ValueError("'bands' is only allowed with kind: arr_bands")
        return self

    @property
    def source_column(self) -> str:
        """The accounts column this dimension reads (its own name unless renamed)."""
        return self.column or self.name

    @property
    def allowed_values(self) -> tuple[str, ...]:
        """The declared values; empty means any value in the data is accepted."""
        if self.kind == "arr_bands":
            return tuple(band.name for band in self.bands)
        return self.values


class MovementTypeSpec(Spec):
    """Label and description of one movement kind in the bridge."""

    name: Literal["new", "reactivation", "expansion", "contraction", "churn"]
    label: str
    description: str = ""


class TaxonomyFileSpec(Spec):
    """The taxonomy file."""

    dimensions: tuple[DimensionSpec, ...] = ()
    movement_types: tuple[MovementTypeSpec, ...] = ()
