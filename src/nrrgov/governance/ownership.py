"""Which body owns which file: ``owns`` globs, the governed files, and CODEOWNERS.

A body's ``owns`` globs are paths relative to the repository root: ``*`` matches within
one file or folder name, ``**`` matches across folders, ``?`` matches one character, and
a trailing ``/`` means everything inside the folder. These are also CODEOWNERS rules, so
GitHub and nrrgov agree on owners. As in CODEOWNERS, the last matching rule wins. nrrgov
orders the rules from the least to the most specific, the one with the longest literal
path before its first wildcard last. So ``definitions/targets.yml`` overrides
``definitions/**`` wherever the two are declared.

>>> glob_matches("definitions/**", "definitions/metrics.yml")
True
>>> glob_matches("definitions/*.yml", "definitions/archive/old.yml")
False
>>> glob_matches("**/metrics.yml", "definitions/metrics.yml")
True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nrrgov.errors import Location, UserError
from nrrgov.loader import (
    FILE_MISSING_CODE,
    PLAYS_FOLDER,
    PROJECT_FILE,
    PYPROJECT_FILE,
    RACI_FILES,
    RACI_FOLDER,
    read_project_files,
)
from nrrgov.spec import BodySpec, ProjectSpec

CODEOWNERS_PATH = ".github/CODEOWNERS"
_YAML_SUFFIXES = (".yml", ".yaml")
_WILDCARDS = re.compile(r"[*?]")


@functools.lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile an ``owns`` glob into a regular expression over root-relative POSIX paths."""
    glob = normalize_glob(pattern)
    parts = []
    index = 0
    while index < len(glob):
        if glob.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            parts.append(".*")
            index += 2
        elif glob[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif glob[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(glob[index]))
            index += 1
    return re.compile("".join(parts) + r"\Z")


def normalize_glob(pattern: str) -> str:
    """Return ``pattern`` without a leading ``/``, with a trailing ``/`` read as ``/**``."""
    glob = pattern.strip().lstrip("/")
    return glob + "**" if glob.endswith("/") else glob


def glob_matches(pattern: str, path: str) -> bool:
    """Return whether the root-relative POSIX ``path`` matches the ``owns`` glob ``pattern``."""
    return glob_regex(pattern).match(path) is not None


@dataclass(frozen=True)
class OwnershipRule:
    """One glob and the bodies that own what it matches (several when they list the same glob)."""

    pattern: str
    bodies: tuple[BodySpec, ...]

    @property
    def handles(self) -> tuple[str, ...]:
        """The members of its bodies, each handle once, in the order listed."""
        return tuple(dict.fromkeys(handle for body in self.bodies for handle in body.handles))


def ownership_rules(bodies: Iterable[BodySpec]) -> list[OwnershipRule]:
    """Return one rule per distinct glob, ordered from the least to the most specific."""
    owners: dict[str, list[BodySpec]] = {}
    for body in bodies:
        for pattern in body.owns:
            owners.setdefault(normalize_glob(pattern), []).append(body)
    rules = [OwnershipRule(pattern, tuple(found)) for pattern, found in owners.items()]
    return sorted(rules, key=lambda rule: _literal_prefix_length(rule.pattern))


def _literal_prefix_length(pattern: str) -> int:
    wildcard = _WILDCARDS.search(pattern)
    return len(pattern) if wildcard is None else wildcard.start()


def owners_of(path: str, rules: list[OwnershipRule]) -> tuple[BodySpec, ...]:
    """Return the bodies owning the root-relative ``path``: those of the last matching rule."""
    for rule in reversed(rules):
        if glob_matches(rule.pattern, path):
            return rule.bodies
    return ()


def governed_files(root: Path, config: ProjectSpec | None) -> list[str]:
    """List the governed files of the project at ``root``, as sorted root-relative paths.

    Governed files are the configuration (``nrrgov.yml``, else ``pyproject.toml`` when it
    contains ``[tool.nrrgov]``) and every YAML file under the definitions folder, ``raci/``
    and ``plays/``.
    """
    root = Path(root)
    found = set()
    if (root / PROJECT_FILE).is_file():
        found.add(PROJECT_FILE)
    elif _holds_tool_table(root / PYPROJECT_FILE):
        found.add(PYPROJECT_FILE)
    definitions = (config or ProjectSpec()).definitions
    for folder in (definitions, RACI_FOLDER, PLAYS_FOLDER):
        found.update(_yaml_files(root, folder))
    return sorted(found)


def _holds_tool_table(path: Path) -> bool:
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    return re.search(r"^\s*\[\s*tool\.nrrgov[\s.\]]", text, re.MULTILINE) is not None


def _yaml_files(root: Path, folder: str) -> list[str]:
    base = root / folder
    if not base.is_dir():
        return []
    return [
        path.relative_to(root).as_posix()
        for path in base.rglob("*")
        if path.is_file() and path.suffix in _YAML_SUFFIXES
    ]


def render_codeowners(bodies: Iterable[BodySpec], source: str = "raci/bodies.yml") -> str:
    """Render the CODEOWNERS file that requests review from each owning body's members.

    GitHub requires one approval from the owners of the last matching line when branch
    protection requires code owner review; a body's quorum is not enforced there.
    """
    lines = [
        f"# Generated by `nrrgov codeowners` from {source}. Edit that file and run",
        "# `nrrgov codeowners` again rather than editing this one.",
        "# GitHub applies the last matching line, so more specific paths come later.",
    ]
    for rule in ownership_rules(bodies):
        labels = ", ".join(f"{body.label} ({body.name})" for body in rule.bodies)
        lines += ["", f"# {labels}", f"/{rule.pattern} {' '.join(rule.handles)}"]
    return "\n".join(lines) + "\n"


def project_codeowners(root: Path) -> str:
    """Read ``raci/bodies.yml`` of the project at ``root`` and render its CODEOWNERS.

    Raises:
        UserError: ``raci/bodies.yml`` is missing or invalid.
    """
    files = read_project_files(Path(root))
    path = Path(root) / RACI_FOLDER / RACI_FILES["bodies"]
    problems = [finding for finding in files.findings if Path(finding.path) == path]
    if problems:
        details = [f"{finding.where}: {finding.code} {finding.message}" for finding in problems]
        raise problems[0].to_user_error(details=details if len(problems) > 1 else None)
    if files.bodies is None:
        raise UserError(
            FILE_MISSING_CODE,
            f"the bodies file {str(path)!r} was not found",
            where=Location(str(path)),
            hint="declare the bodies and the files they own there (`nrrgov init` writes "
            "a reference raci/bodies.yml)",
        )
    return render_codeowners(files.bodies.bodies)
