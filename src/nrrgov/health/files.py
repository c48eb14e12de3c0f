"""Read ``health.yml``, ``targets.yml`` and ``incentives.yml`` from the definitions folder.

Each file is optional: a project without it computes nothing that needs it. A file that
exists is parsed with :mod:`nrrgov.yamlio` and validated with its ``*Spec`` model, so
every problem carries the file, line and column.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from nrrgov.errors import Location
from nrrgov.loader import FILE_MISSING_CODE, Finding, read_config
from nrrgov.spec.health import HealthFileSpec
from nrrgov.spec.incentives import IncentivesFileSpec
from nrrgov.spec.targets import TargetsFileSpec
from nrrgov.yamlio import YamlDocument, parse_yaml, validation_problems

logger = logging.getLogger(__name__)

# File kind -> (file name in the definitions folder, model).
FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "health": ("health.yml", HealthFileSpec),
    "targets": ("targets.yml", TargetsFileSpec),
    "incentives": ("incentives.yml", IncentivesFileSpec),
}


@dataclass(frozen=True)
class LoadedFile:
    """One optional definitions file as read.

    Attributes:
        path: where the file is (or would be).
        spec: the validated model; None when the file is missing or invalid.
        document: the parsed YAML with node positions; None when missing or unparseable.
        findings: every problem found, each with file, line and column.
    """

    kind: str
    path: Path
    spec: BaseModel | None
    document: YamlDocument | None
    findings: tuple[Finding, ...]

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    def locate(self, node_path: tuple = (), *, key: bool = False) -> Location:
        """Return the file, line and column of a node; the file alone without a document."""
        if self.document is None:
            return Location(str(self.path))
        return self.document.locate(node_path, key=key)


def definitions_dir(root: Path) -> Path:
    """Return the definitions folder of the project at ``root``."""
    return Path(root) / read_config(Path(root)).definitions


def read_definition(root: Path, kind: str) -> LoadedFile:
    """Read and validate the ``kind`` file (``health``, ``targets`` or ``incentives``)."""
    name, model = FILES[kind]
    path = definitions_dir(root) / name
    if not path.is_file():
        return LoadedFile(kind, path, None, None, ())
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        finding = Finding(
            FILE_MISSING_CODE,
            "error",
            str(path),
            None,
            None,
            f"cannot read the file: {error}",
            hint="check that the file is readable and saved as UTF-8 text",
        )
        return LoadedFile(kind, path, None, None, (finding,))

    document, errors = parse_yaml(text, str(path))
    findings = [Finding.from_error(error) for error in errors]
    if document is None:
        return LoadedFile(kind, path, None, None, tuple(findings))
    spec = _validate(document, model, findings)
    return LoadedFile(kind, path, None if errors else spec, document, tuple(findings))


def _validate(document: YamlDocument, model: type[BaseModel], findings: list[Finding]):
    try:
        return model.model_validate({} if document.data is None else document.data)
    except ValidationError as error:
        for problem in validation_problems(error, document, model):
            if (problem.where.line, problem.where.col) not in document.rejected:
                findings.append(Finding.from_error(problem))
        return None


def _load(root: Path, kind: str):
    loaded = read_definition(root, kind)
    return loaded.spec, list(loaded.findings)


def load_health(root: Path) -> tuple[HealthFileSpec | None, list[Finding]]:
    """Return the health spec (None without a valid ``health.yml``) and its findings."""
    return _load(root, "health")


def load_targets(root: Path) -> tuple[TargetsFileSpec | None, list[Finding]]:
    """Return the targets spec (None without a valid ``targets.yml``) and its findings."""
    return _load(root, "targets")


def load_incentives(root: Path) -> tuple[IncentivesFileSpec | None, list[Finding]]:
    """Return the incentives spec (None without a valid ``incentives.yml``) and its findings."""
    return _load(root, "incentives")


def require_valid(loaded: LoadedFile) -> BaseModel | None:
    """Return the spec of a file for a compute run, raising on its first error.

    Raises:
        UserError: the file exists but is invalid; every error is listed in ``details``.
    """
    errors = [finding for finding in loaded.findings if finding.level == "error"]
    if not errors:
        return loaded.spec
    details = [f"{finding.where}: {finding.code} {finding.message}" for finding in errors]
    raise errors[0].to_user_error(details=details if len(errors) > 1 else None)
