"""``nrrgov init``: a new definitions repository from the reference files.

The files come from the package's ``scaffold/`` folder: the reference definitions and
``raci/`` files, sample exports under ``data/``, a configuration pointing at them, a
README, a ``.gitignore`` and a GitHub Actions workflow. ``init`` adds the JSON Schemas
the ``yaml-language-server`` comments point to, and a CODEOWNERS generated from the
bodies, so that ``nrrgov lint`` and ``nrrgov compute`` work in the new folder at once.
"""

from __future__ import annotations

import logging
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from nrrgov import __version__
from nrrgov.errors import Location, UserError
from nrrgov.governance.ownership import CODEOWNERS_PATH, project_codeowners
from nrrgov.spec import json_schema_files

logger = logging.getLogger(__name__)

NOT_EMPTY_CODE = "NRG004"
SCHEMAS_FOLDER = "schemas"
VERSION_PLACEHOLDER = "@NRRGOV_VERSION@"
# Package data globs skip names that start with a dot, so these are stored without it.
_RENAMES = {"github": ".github", "gitignore": ".gitignore"}


def scaffold_root() -> Traversable:
    """Return the folder of scaffold files shipped inside the package."""
    return resources.files("nrrgov") / "scaffold"


def init_project(target: Path) -> list[Path]:
    """Create a definitions repository in ``target``.

    Args:
        target: a folder that does not exist yet, or an empty one.

    Returns:
        The files written, in the order written.

    Raises:
        UserError: ``target`` is a file, or a folder that is not empty (exit code 2).
    """
    target = Path(target)
    _require_empty(target)
    target.mkdir(parents=True, exist_ok=True)
    written = _copy_tree(scaffold_root(), target)

    for name, text in json_schema_files().items():
        path = target / SCHEMAS_FOLDER / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    codeowners = target / CODEOWNERS_PATH
    codeowners.parent.mkdir(parents=True, exist_ok=True)
    codeowners.write_text(project_codeowners(target), encoding="utf-8")
    written.append(codeowners)
    logger.info("wrote %d files to %s", len(written), target)
    return written


def _require_empty(target: Path) -> None:
    if not target.exists():
        return
    if target.is_dir() and not any(target.iterdir()):
        return
    kind = "a file" if not target.is_dir() else "a folder that is not empty"
    raise UserError(
        NOT_EMPTY_CODE,
        f"{str(target)!r} is {kind}",
        where=Location(str(target)),
        hint="pass a new folder name, or an empty folder; nothing was written",
        exit_code=2,
    )


def _copy_tree(source: Traversable, target: Path) -> list[Path]:
    written = []
    for entry in sorted(source.iterdir(), key=lambda entry: entry.name):
        if entry.name.startswith(("__", ".")):
            continue
        destination = target / _RENAMES.get(entry.name, entry.name)
        if entry.is_dir():
            destination.mkdir(exist_ok=True)
            written.extend(_copy_tree(entry, destination))
            continue
        content = entry.read_bytes()
        if destination.suffix == ".yml":
            content = content.replace(VERSION_PLACEHOLDER.encode(), __version__.encode())
        destination.write_bytes(content)
        written.append(destination)
    return written
