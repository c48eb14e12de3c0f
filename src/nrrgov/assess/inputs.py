"""What the maturity assessment reads: the repository's YAML files and a run's tables.

Files are parsed with :mod:`nrrgov.yamlio` but not validated, so that evidence is found
even in a file that lint would reject. Every lookup tolerates missing keys and wrong types.
Tables are the Parquet files of the last ``nrrgov compute`` run, when there is one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from nrrgov.loader import RACI_FILES, RACI_FOLDER, read_config
from nrrgov.yamlio import YamlDocument, parse_yaml

logger = logging.getLogger(__name__)

DEFINITION_FILES = ("metrics", "taxonomy", "sources", "health", "targets", "incentives")


@dataclass(frozen=True)
class YamlFile:
    """One YAML file of the repository.

    Attributes:
        display_path: the path relative to the project root, as evidence names it.
        document: the parsed file; None when it does not exist or is not valid YAML.
    """

    display_path: str
    document: YamlDocument | None

    @property
    def exists(self) -> bool:
        return self.document is not None

    @property
    def data(self) -> Any:
        return self.document.data if self.document is not None else None

    def where(self, *path: str | int) -> str:
        """Return ``file:line`` of the node at ``path`` (or of the nearest ancestor)."""
        if self.document is None:
            return self.display_path
        return f"{self.display_path}:{self.document.position(tuple(path)).line}"

    def items(self, key: str) -> list[tuple[int, dict]]:
        """Return (index, item) of each mapping in the top-level list ``key``."""
        found = self.data.get(key) if isinstance(self.data, dict) else None
        if not isinstance(found, list):
            return []
        return [(index, item) for index, item in enumerate(found) if isinstance(item, dict)]


@dataclass
class Tables:
    """The output tables of a run, as DuckDB views over their Parquet files.

    Attributes:
        folder: where the tables are; None when no run has written any.
    """

    folder: Path | None
    con: duckdb.DuckDBPyConnection = field(default_factory=duckdb.connect)
    names: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*.parquet")):
            location = str(path).replace("'", "''")
            self.con.execute(
                f"CREATE VIEW \"{path.stem}\" AS SELECT * FROM read_parquet('{location}')"
            )
            self.names.add(path.stem)

    def has(self, table: str) -> bool:
        return table in self.names

    def rows(self, sql: str, parameters: list | None = None) -> list[tuple]:
        """Return the rows of ``sql``; no rows when a table it reads is absent."""
        try:
            return self.con.execute(sql, parameters or []).fetchall()
        except duckdb.CatalogException:
            return []

    def scalar(self, sql: str, parameters: list | None = None) -> Any:
        found = self.rows(sql, parameters)
        return found[0][0] if found else None

    def close(self) -> None:
        self.con.close()


@dataclass
class Inputs:
    """Everything the assessment reads.

    Attributes:
        files: kind -> file, for ``bodies``, ``decisions``, ``escalation`` and each kind
            of :data:`DEFINITION_FILES`.
        plays: every ``plays/*.yml`` file.
        tables_display: the tables folder as evidence names it.
    """

    root: Path
    files: dict[str, YamlFile]
    plays: list[YamlFile]
    tables: Tables
    tables_display: str

    def file(self, kind: str) -> YamlFile:
        return self.files[kind]

    def table_where(self, table: str) -> str:
        return f"{self.tables_display}/{table}"


def read_inputs(
    root: Path, tables_dir: Path | None = None, tables_display: str | None = None
) -> Inputs:
    """Read the repository at ``root`` and the tables of its last run.

    Args:
        tables_dir: folder of the run's Parquet tables; defaults to ``tables`` under the
            project's output folder.
        tables_display: how evidence names that folder; defaults to its path relative to
            ``root``. A run that renders its report in a staging folder passes the
            folder the tables end up in.
    """
    root = Path(root)
    config = read_config(root)
    files = {kind: _read(root, Path(RACI_FOLDER) / name) for kind, name in RACI_FILES.items()}
    for kind in DEFINITION_FILES:
        files[kind] = _read(root, Path(config.definitions) / f"{kind}.yml")
    plays = [_read(root, path.relative_to(root)) for path in sorted(root.glob("plays/*.yml"))]

    folder = Path(tables_dir) if tables_dir is not None else root / config.out / "tables"
    display = tables_display or _relative(folder, root)
    return Inputs(root, files, plays, Tables(folder), display)


def _relative(folder: Path, root: Path) -> str:
    try:
        return str(folder.relative_to(root))
    except ValueError:
        return str(folder)


def _read(root: Path, relative: Path) -> YamlFile:
    path = root / relative
    if not path.is_file():
        return YamlFile(str(relative), None)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        logger.warning("could not read %s", path)
        return YamlFile(str(relative), None)
    document, _problems = parse_yaml(text, str(relative))
    return YamlFile(str(relative), document)
