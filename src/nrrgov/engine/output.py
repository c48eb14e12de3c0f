"""Write the output tables and ``results.json`` into a staging folder, then swap it in.

A run never leaves a half-written ``target/``: everything goes to a sibling staging
folder first, and only a complete one replaces the previous output.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from nrrgov.errors import Location, UserError

logger = logging.getLogger(__name__)

# Output tables, and whether their rows are sorted (by every column, left to right) so
# that reruns are byte-stable. account_mrr is written unsorted because sorting tens of
# millions of rows costs seconds for no reader's benefit.
OUTPUT_TABLES: dict[str, bool] = {
    "accounts": True,
    "account_mrr": False,
    "movements": True,
    "retention": True,
    "metrics": True,
    "cohorts": True,
    "quarantine": True,
    "holdouts": True,
    "play_sla": True,
    "council": True,
    "health_scores": True,
    "health_bands": True,
    "at_risk": True,
    "kpis": True,
    "attainment": True,
    "targets_vs_actuals": True,
}


def write_tables(con: duckdb.DuckDBPyConnection, tables_dir: Path) -> dict[str, int]:
    """Write each output table as Parquet and CSV; return the row count of each."""
    tables_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table, sort in OUTPUT_TABLES.items():
        query = f"SELECT {_public_columns(con, table)} FROM {table}"
        if sort:
            query += " ORDER BY ALL NULLS LAST"
        for fmt, options in (("parquet", "FORMAT parquet"), ("csv", "FORMAT csv, HEADER")):
            target = tables_dir / f"{table}.{fmt}"
            con.execute(f"COPY ({query}) TO '{_sql_path(target)}' ({options})")
        counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return counts


def _public_columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Return the table's columns without the ingest bookkeeping ones (``_file``, ``_row``)."""
    names = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
    return ", ".join(f'"{name}"' for name in names if not name.startswith("_"))


def write_json(path: Path, payload: dict) -> None:
    """Write ``payload`` as indented JSON with a trailing newline."""
    text = json.dumps(payload, indent=2, sort_keys=False, default=str)
    path.write_text(text + "\n", encoding="utf-8")


OUTPUT_FOLDER_CODE = "NRG006"


def check_output_folder(out_dir: Path, keep: Sequence[Path]) -> None:
    """Raise a UserError unless a run may replace ``out_dir`` with its output.

    Replacing removes everything the folder held. So it must be new, empty or the output
    of an earlier run (holding ``results.json``), and must be none of ``keep`` (the
    project, definitions and data folders) nor a folder that contains one of them.
    """
    out = out_dir.resolve()
    for folder in keep:
        folder = folder.resolve()
        if out == folder or out in folder.parents:
            raise _output_folder_error(out, f"it is or contains {folder}, which nrrgov reads")
    if out.exists() and not out.is_dir():
        raise _output_folder_error(out, "it is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "results.json").is_file():
        raise _output_folder_error(
            out, "it holds files but no results.json, so it is not the output of an earlier run"
        )
    # The output is staged beside the folder, so the folder's parent must be writable.
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(
            OUTPUT_FOLDER_CODE,
            f"cannot write the output to {out}: {parent} is not writable",
            where=Location(str(parent)),
            hint="choose an output folder in a place you can write to",
            exit_code=2,
        )


def _output_folder_error(out: Path, reason: str) -> UserError:
    return UserError(
        OUTPUT_FOLDER_CODE,
        f"cannot write the output to {out}: {reason}; a run replaces the whole folder",
        hint="choose a new or empty folder, or the output folder of an earlier run, "
        "with --out or 'out' in nrrgov.yml",
        exit_code=2,
    )


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """Yield a staging folder that replaces ``out_dir`` only if the block succeeds.

    The staging folder sits beside ``out_dir`` so the final rename stays on one file
    system. On an exception it is removed and ``out_dir`` is left as it was.
    """
    out_dir = out_dir.resolve()
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    except OSError as error:
        raise UserError(
            OUTPUT_FOLDER_CODE,
            f"cannot create the output beside {out_dir}: {error.strerror}",
            where=Location(str(out_dir.parent)),
            hint="choose an output folder in a place you can write to",
        ) from None
    staging.chmod(0o755)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_into_place(staging, out_dir)


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    # NOTE: two renames, not one: POSIX cannot atomically replace a non-empty directory.
    # Between them out_dir is briefly absent, but never half-written.
    previous = None
    if out_dir.exists():
        previous = out_dir.with_name(f".{out_dir.name}.previous-{os.getpid()}")
        out_dir.rename(previous)
    staging.rename(out_dir)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
    logger.info("wrote %s", out_dir)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
