"""``nrrgov diff``: how a change of definitions moves the numbers, for a pull request.

The definitions at the base ref are read with ``git show`` into a temporary folder. Both
versions are computed on the same exports and the same as-of month, each into its own
temporary output folder. Then the ``metrics`` tables are compared row by row, one row per
metric and slice at the as-of month. A row is *material* when its value moved by more
than the threshold, a fraction of the base value (0.01 flags moves above 1%); a row
with a value on one side only is always material.
"""

from __future__ import annotations

import logging
import math
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb

from nrrgov.engine.run import compute
from nrrgov.errors import UserError
from nrrgov.governance.changes import (
    Approval,
    DefinitionChange,
    changed_files,
    definition_changes,
    required_approvals,
)
from nrrgov.governance.gitref import materialize_ref
from nrrgov.loader import ProjectFiles, read_project_files

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.01
# Columns of the metrics table that are not slice columns.
_METRIC_COLUMNS = ("metric", "as_of", "value", "target", "status")
# Values closer than this are equal: both runs round the same decimals the same way.
_TOLERANCE = 1e-12


@dataclass(frozen=True)
class ValueRow:
    """One metric in one slice at the as-of month, at the base and at the head.

    Attributes:
        slice: (dimension, value) pairs; ``(all)`` where the row sums over a dimension.
        unit: ``ratio``, ``currency`` or ``count``, from the head's definition (else the
            base's).
        material: whether the change exceeds the threshold.
    """

    metric: str
    slice: tuple[tuple[str, str], ...]
    unit: str
    base: float | None
    head: float | None
    material: bool = False

    @property
    def change(self) -> float | None:
        """Head minus base, or None when either is missing."""
        if self.base is None or self.head is None:
            return None
        return self.head - self.base

    @property
    def relative_change(self) -> float | None:
        """The change as a fraction of the base value; None when the base is 0 or missing."""
        if self.change is None or not self.base:
            return None
        return self.change / abs(self.base)

    @property
    def changed(self) -> bool:
        if self.change is None:
            return self.base != self.head
        return abs(self.change) > _TOLERANCE


@dataclass(frozen=True)
class DiffResult:
    """Everything ``nrrgov diff`` reports.

    Attributes:
        base_ref: the git ref compared with.
        as_of: the as-of month of both computes (YYYY-MM).
        threshold: the materiality threshold, as a fraction of the base value.
        definitions: the definitions that differ.
        values: every metric and slice at the as-of month, changed or not.
        changed_files: governed files edited since the base, root-relative.
        approvals: the bodies whose review the changed files need.
        unowned_files: changed files no body owns.
    """

    base_ref: str
    as_of: str
    threshold: float
    definitions: tuple[DefinitionChange, ...]
    values: tuple[ValueRow, ...]
    changed_files: tuple[str, ...]
    approvals: tuple[Approval, ...]
    unowned_files: tuple[str, ...]


def diff_project(
    root: Path,
    base_ref: str,
    *,
    data_dir: Path | None = None,
    as_of: date | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> DiffResult:
    """Compare the project at ``root`` with its definitions at ``base_ref``.

    Args:
        root: the project folder (the head: the working tree as it is).
        base_ref: a git ref, such as ``origin/main``.
        data_dir: the exports both versions are computed on; by default the head's
            ``data`` folder.
        as_of: the month to compare; by default the last month with data.
        threshold: rows whose value moved by more than this fraction of the base value
            are material.

    Raises:
        UserError: the ref cannot be read, or either version fails to compute.
    """
    root = Path(root)
    with tempfile.TemporaryDirectory(prefix="nrrgov-diff-") as folder:
        work = Path(folder)
        base_root = materialize_ref(root, base_ref, _make(work / "base"))
        head_files, base_files = read_project_files(root), read_project_files(base_root)
        data = Path(data_dir) if data_dir else _data_dir(root, head_files)

        head_run = compute(root, data_dir=data, as_of=as_of, out_dir=work / "head-out")
        base_run = _compute_base(base_root, base_ref, data, head_run.as_of, work / "base-out")
        values = compare_metric_tables(
            base_run.out_dir / "tables" / "metrics.parquet",
            head_run.out_dir / "tables" / "metrics.parquet",
            head_run.as_of,
            _units(base_files, head_files),
        )

        files = changed_files(base_files, head_files)
        approvals, unowned = required_approvals(files, base_files, head_files)
        definitions = definition_changes(base_files, head_files)
    return DiffResult(
        base_ref=base_ref,
        as_of=head_run.as_of.strftime("%Y-%m"),
        threshold=threshold,
        definitions=tuple(definitions),
        values=tuple(flag_material(values, threshold)),
        changed_files=tuple(files),
        approvals=tuple(approvals),
        unowned_files=tuple(unowned),
    )


def _make(folder: Path) -> Path:
    folder.mkdir(parents=True)
    return folder


def _data_dir(root: Path, files: ProjectFiles) -> Path:
    config = files.config
    return root / config.data if config else root / "data"


def _compute_base(base_root: Path, ref: str, data: Path, as_of: date, out_dir: Path):
    """Compute the base version; errors name ``REF:path`` instead of the temporary folder."""
    try:
        return compute(base_root, data_dir=data, as_of=as_of, out_dir=out_dir)
    except UserError as error:
        where = error.where
        if where is not None and where.path.startswith(str(base_root)):
            relative = Path(where.path).relative_to(base_root).as_posix()
            where = replace(where, path=f"{ref}:{relative}")
        raise UserError(
            error.code,
            f"the definitions at {ref!r} failed to compute: {error.message}",
            where=where,
            hint=error.hint,
            exit_code=error.exit_code,
            details=error.details,
        ) from error


def _units(base: ProjectFiles, head: ProjectFiles) -> dict[str, str]:
    units = {}
    for files in (base, head):
        for metric in files.metrics.metrics if files.metrics else ():
            units[metric.name] = metric.unit
    return units


def compare_metric_tables(
    base_table: Path, head_table: Path, as_of: date, units: dict[str, str]
) -> list[ValueRow]:
    """Pair the rows of two ``metrics`` tables at ``as_of`` by metric and slice.

    Rows are ordered by metric, then by slice with the ``(all)`` rows first.
    """
    base_rows = _read_metric_rows(base_table, as_of)
    head_rows = _read_metric_rows(head_table, as_of)
    rows = []
    for key in sorted(base_rows.keys() | head_rows.keys(), key=_row_order):
        metric, slice_values = key
        rows.append(
            ValueRow(
                metric=metric,
                slice=slice_values,
                unit=units.get(metric, "ratio"),
                base=base_rows.get(key),
                head=head_rows.get(key),
            )
        )
    return rows


def _read_metric_rows(table: Path, as_of: date) -> dict[tuple, float | None]:
    with duckdb.connect() as con:
        cursor = con.execute(
            "SELECT * EXCLUDE (value), CAST(value AS DOUBLE) AS value "
            "FROM read_parquet(?) WHERE as_of = ?",
            [str(table), as_of],
        )
        names = [description[0] for description in cursor.description]
        records = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    slices = [name for name in names if name not in _METRIC_COLUMNS]
    rows = {}
    for record in records:
        slice_values = tuple((name, str(record[name])) for name in slices)
        value = record["value"]
        rows[(record["metric"], slice_values)] = None if _missing(value) else value
    return rows


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _row_order(key: tuple) -> tuple:
    metric, slice_values = key
    return (metric, tuple((value != "(all)", name, value) for name, value in slice_values))


def flag_material(rows: list[ValueRow], threshold: float) -> list[ValueRow]:
    """Mark the rows whose value moved by more than ``threshold`` of the base value."""
    return [replace(row, material=_is_material(row, threshold)) for row in rows]


def _is_material(row: ValueRow, threshold: float) -> bool:
    if not row.changed:
        return False
    if row.relative_change is None:
        return True
    return abs(row.relative_change) > threshold
