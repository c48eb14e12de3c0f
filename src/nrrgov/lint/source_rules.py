"""NRG206-NRG208: the data contract against the export files in the data folder."""

from __future__ import annotations

import csv
import difflib
import glob
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from nrrgov.lint.registry import LintContext, rule
from nrrgov.loader import Finding
from nrrgov.spec.sources import CANONICAL_TABLES, SourceSpec, column_position

# NOTE: a glob can match thousands of Parquet parts. The headers of the first ones are
# enough to catch a wrong mapping, so the rest are not opened.
MAX_FILES_CHECKED = 20


@rule("NRG206", name="source-missing-column")
def source_missing_column(context: LintContext) -> Iterator[Finding]:
    """Check that each export has the columns its source maps onto the canonical table.

    A required column (account_id, amount, start_date, ...) must be in the file under
    its canonical name, or under the name given in ``columns``, unless ``constants``
    gives its value. Every name under ``columns`` must be in the file too. Only the
    header is read: the first line of a CSV file, the schema of a Parquet file.

    Why: a column missing from an export fails ``nrrgov compute`` after ingesting
    everything else. Lint reports it on the pull request that changed the mapping.

    Failing example::

        sources:
          - name: subscriptions
            path: subscriptions.csv   # header: id,account,plan,price,...
            columns: {subscription_id: id, account_id: account}
            # amount is required but the file calls it price

    Fix: map the column under ``columns`` (``amount: price``) or give a fixed value
    under ``constants`` (``currency: USD``).
    """
    if context.sources is None or context.data_dir is None:
        return
    for index, source in enumerate(context.sources):
        for file in _matching_files(context.data_dir, source)[:MAX_FILES_CHECKED]:
            yield from _check_header(context, index, source, file)


@rule("NRG207", name="no-revenue-source")
def no_revenue_source(context: LintContext) -> Iterator[Finding]:
    """Check that the contract has a ``subscriptions`` or an ``mrr`` source.

    Why: MRR comes from one of the two, so without either there is nothing to compute.

    Failing example::

        sources:
          - name: accounts
            path: accounts.csv

    Fix: add a ``subscriptions`` source (billing periods and amounts) or an ``mrr``
    source (account, month, MRR already converted).
    """
    if context.sources is None:
        return
    if any(source.name in ("subscriptions", "mrr") for source in context.sources):
        return
    yield context.finding(
        "NRG207",
        "sources",
        ("sources",),
        "the contract has neither a 'subscriptions' nor an 'mrr' source",
        hint="add a source with 'name: subscriptions' or 'name: mrr'",
        key=True,
    )


@rule("NRG208", name="source-file-not-found")
def source_file_not_found(context: LintContext) -> Iterator[Finding]:
    """Warn when a source's path matches no file in the data folder.

    Why: a typo in a path is caught here before a run fails on it. This is a warning,
    not an error, because exports often arrive apart from the definitions (in CI or on
    a schedule).

    Failing example::

        sources:
          - name: accounts
            path: acounts.csv      # the data folder contains accounts.csv

    Fix: correct the path (relative to the project's ``data`` folder), or set ``data``
    in nrrgov.yml to the folder that holds the exports.
    """
    if context.sources is None or context.data_dir is None:
        return
    for index, source in enumerate(context.sources):
        if _matching_files(context.data_dir, source):
            continue
        yield context.finding(
            "NRG208",
            "sources",
            ("sources", index, "path"),
            f"no file matches {source.path!r} in the data folder {str(context.data_dir)!r}",
            value=source.path,
            hint=_path_hint(context.data_dir, source),
            level="warning",
        )


def _matching_files(data_dir: Path, source: SourceSpec) -> list[Path]:
    pattern = str(data_dir / source.path)
    # Compute reads only the files a glob matches, not the folders ("exports/**").
    matches = (Path(name) for name in sorted(glob.glob(pattern, recursive=True)))
    return [path for path in matches if path.is_file()]


def _path_hint(data_dir: Path, source: SourceSpec) -> str:
    present = sorted(path.name for path in data_dir.glob("*") if path.is_file())
    close = difflib.get_close_matches(Path(source.path).name, present, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return "check the path, which is relative to the 'data' folder set in nrrgov.yml"


def _check_header(
    context: LintContext, index: int, source: SourceSpec, file: Path
) -> Iterator[Finding]:
    try:
        header = _read_header(file, source)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        yield context.finding(
            "NRG206",
            "sources",
            ("sources", index, "path"),
            f"cannot read the header of {str(file)!r}: {error}",
            value=str(file),
            hint="check that the file is a CSV (UTF-8) or Parquet file as its source says",
        )
        return
    for column, expected, path in _expected_columns(index, source):
        if column_position(header, expected) is None:
            yield _missing_column(context, source, file, column, expected, path, header)


def _read_header(file: Path, source: SourceSpec) -> list[str]:
    if source.file_format == "parquet":
        return list(pq.read_schema(file).names)
    # Only the first line is decoded, so that a bad byte further down, which compute
    # reports with its line, is not blamed on the header.
    with file.open("rb") as stream:
        first_line = re.split(rb"\r\n|\r|\n", stream.readline(), maxsplit=1)[0]
    if not first_line.strip():
        raise ValueError("the file is empty")
    text = first_line.decode("utf-8-sig")
    row = next(csv.reader([text], delimiter=source.delimiter))
    return [name.strip() for name in row]


def _expected_columns(index: int, source: SourceSpec) -> Iterator[tuple[str, str, tuple]]:
    """Yield (canonical column, name expected in the file, path of the node to point at)."""
    required = [
        column
        for column, (_type, is_required) in CANONICAL_TABLES[source.name].items()
        if is_required and column not in source.constants
    ]
    for column in dict.fromkeys([*required, *source.columns]):
        if column in source.columns:
            yield column, source.columns[column], ("sources", index, "columns", column)
        else:
            yield column, column, ("sources", index, "path")


def _missing_column(
    context: LintContext,
    source: SourceSpec,
    file: Path,
    column: str,
    expected: str,
    path: tuple,
    header: list[str],
) -> Finding:
    advice = []
    close = difflib.get_close_matches(expected, header, n=1)
    if close:
        advice.append(f"Did you mean {close[0]!r}?")
    if column == expected:
        advice.append(
            f"Map it under 'columns' ({column}: <name in the file>) or give its value under "
            "'constants'."
        )
    advice.append(f"Columns found: {', '.join(header)}.")
    return context.finding(
        "NRG206",
        "sources",
        path,
        f"{str(file)!r} has no column {expected!r}, needed for {source.name}.{column}",
        value=expected,
        hint=" ".join(advice),
    )
