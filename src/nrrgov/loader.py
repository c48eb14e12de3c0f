"""Find and parse a definitions repository into one validated :class:`Project`.

A project is a configuration and, in its definitions folder, ``metrics.yml``,
``sources.yml`` and an optional ``taxonomy.yml``. The configuration is ``nrrgov.yml`` at
the root, else ``[tool.nrrgov]`` in ``pyproject.toml``, else the defaults. A governed
project also has ``raci/bodies.yml`` and, optionally, ``raci/decisions.yml`` and
``raci/escalation.yml``.

Every file is read with :mod:`nrrgov.yamlio`, so each problem is reported with its file,
line and column: YAML syntax, duplicate keys, tags and aliases, then schema errors from
the pydantic ``*Spec`` models mapped back to the node that caused them.

:func:`load_project` raises on the first problem; :func:`read_project_files` and
:func:`load_project_with_findings` collect all of them for ``nrrgov lint``.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from nrrgov.errors import Location, UserError
from nrrgov.spec import (
    FILE_KINDS,
    BodiesFileSpec,
    BodySpec,
    DecisionsFileSpec,
    DecisionSpec,
    EscalationFileSpec,
    MetricsFileSpec,
    MetricSpec,
    ProjectSpec,
    SourcesFileSpec,
    SourceSpec,
    TaxonomyFileSpec,
    TierSpec,
)
from nrrgov.yamlio import (
    INVALID_VALUE_CODE,
    SYNTAX_CODE,
    NodePath,
    Position,
    YamlDocument,
    YamlError,
    parse_yaml,
    validation_problems,
)

logger = logging.getLogger(__name__)

PROJECT_FILE = "nrrgov.yml"
PYPROJECT_FILE = "pyproject.toml"
# Governance files live at fixed places under the project root.
RACI_FOLDER = "raci"
PLAYS_FOLDER = "plays"
RACI_FILES = {"bodies": "bodies.yml", "decisions": "decisions.yml", "escalation": "escalation.yml"}
FILE_MISSING_CODE = "NRG100"
UNKNOWN_TABLE_CODE = "NRG205"

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in a definitions repository, as lint reports it.

    Attributes:
        code: stable identifier such as ``NRG201``.
        level: ``error`` fails ``nrrgov lint``; ``warning`` is reported only.
        path: the file, as shown to users.
        line: 1-based line, when known.
        col: 1-based column, when known.
        message: what was found, quoting the bad value.
        value: the offending value as text, when there is one.
        hint: what to do about it.
    """

    code: str
    level: Level
    path: str
    line: int | None
    col: int | None
    message: str
    value: str | None = None
    hint: str | None = None

    @classmethod
    def from_error(cls, error: UserError, level: Level = "error") -> Finding:
        """Build a finding from a :class:`UserError` that carries a location."""
        where = error.where or Location("")
        value = getattr(error, "value", None)
        return cls(
            code=error.code,
            level=level,
            path=where.path,
            line=where.line,
            col=where.col,
            message=error.message,
            value=value,
            hint=error.hint,
        )

    @property
    def where(self) -> Location:
        """The file, line and column as a :class:`Location`."""
        return Location(self.path, line=self.line, col=self.col)

    def to_user_error(self, details: list[str] | None = None) -> UserError:
        """Return this finding as the error ``load_project`` raises."""
        return UserError(self.code, self.message, where=self.where, hint=self.hint, details=details)


@dataclass(frozen=True)
class SourceMap:
    """The parsed documents of a project, by file kind, for pointing at lines.

    Kinds are ``project``, ``metrics``, ``taxonomy``, ``sources``, and for a governed
    project ``bodies``, ``decisions`` and ``escalation``.
    """

    documents: dict[str, YamlDocument] = field(default_factory=dict)

    def locate(self, kind: str, path: NodePath = (), *, key: bool = False) -> Location:
        """Return the file, line and column of the node at ``path`` in the ``kind`` file.

        With ``key=True`` the location is that of the mapping key rather than its value.
        A kind with no document (a file that does not exist) gives a location without a
        line.
        """
        document = self.documents.get(kind)
        if document is None:
            return Location(kind)
        return document.locate(path, key=key)


@dataclass(frozen=True)
class Project:
    """A loaded definitions repository.

    Attributes:
        locations: where each node of each file sits, for messages that name a line.
        bodies: the governing bodies; empty when the project has no ``raci/bodies.yml``.
        decisions: decision rights from ``raci/decisions.yml``.
        escalation_tiers: tiers from ``raci/escalation.yml``.
    """

    root: Path
    config: ProjectSpec
    metrics: tuple[MetricSpec, ...]
    taxonomy: TaxonomyFileSpec
    sources: tuple[SourceSpec, ...]
    locations: SourceMap = field(default_factory=SourceMap, compare=False)
    bodies: tuple[BodySpec, ...] = ()
    decisions: tuple[DecisionSpec, ...] = ()
    escalation_tiers: tuple[TierSpec, ...] = ()

    @property
    def definitions_dir(self) -> Path:
        return self.root / self.config.definitions

    @property
    def data_dir(self) -> Path:
        return self.root / self.config.data

    def source(self, name: str) -> SourceSpec | None:
        """The source that fills canonical table ``name``, if the contract has one."""
        return next((s for s in self.sources if s.name == name), None)


@dataclass(frozen=True)
class ProjectFiles:
    """Each file of a project validated on its own, for checks that need only some.

    A spec is None when its file is missing or invalid, and ``findings`` gives the reason. The
    taxonomy is an empty :class:`TaxonomyFileSpec` when ``taxonomy.yml`` does not exist.
    The ``raci/`` specs are None when their file does not exist.

    Attributes:
        governed: whether ``raci/bodies.yml`` exists. The governance rules skip a project
            without it.
    """

    root: Path
    config: ProjectSpec | None
    metrics: MetricsFileSpec | None
    taxonomy: TaxonomyFileSpec | None
    sources: SourcesFileSpec | None
    locations: SourceMap
    findings: tuple[Finding, ...]
    bodies: BodiesFileSpec | None = None
    decisions: DecisionsFileSpec | None = None
    escalation: EscalationFileSpec | None = None
    governed: bool = False

    @property
    def specs(self) -> dict[str, object]:
        """Each file kind's validated spec (None when missing or invalid), by kind."""
        return {
            "project": self.config,
            "metrics": self.metrics,
            "taxonomy": self.taxonomy,
            "sources": self.sources,
            "bodies": self.bodies,
            "decisions": self.decisions,
            "escalation": self.escalation,
        }

    def project(self) -> Project | None:
        """Assemble the :class:`Project`, or return None if a file is missing or invalid."""
        if any(finding.level == "error" for finding in self.findings):
            return None
        if None in (self.config, self.metrics, self.taxonomy, self.sources):
            return None
        return Project(
            root=self.root,
            config=self.config,
            metrics=self.metrics.metrics,
            taxonomy=self.taxonomy,
            sources=self.sources.sources,
            locations=self.locations,
            bodies=self.bodies.bodies if self.bodies else (),
            decisions=self.decisions.decisions if self.decisions else (),
            escalation_tiers=self.escalation.tiers if self.escalation else (),
        )


def load_project(root: Path) -> Project:
    """Load ``root``: its project configuration and the three definition files.

    Raises:
        UserError: the first problem found, with every problem listed in ``details``.
    """
    project, findings = load_project_with_findings(root)
    errors = [finding for finding in findings if finding.level == "error"]
    if project is None or errors:
        first = errors[0]
        details = [f"{finding.where}: {finding.code} {finding.message}" for finding in errors]
        raise first.to_user_error(details=details if len(errors) > 1 else None)
    return project


def load_project_with_findings(root: Path) -> tuple[Project | None, list[Finding]]:
    """Load ``root`` and collect every problem instead of stopping at the first.

    Returns:
        The project (None when any file is missing or invalid) and all findings.
    """
    files = read_project_files(root)
    return files.project(), list(files.findings)


def read_project_files(root: Path) -> ProjectFiles:
    """Read and validate each file of the project at ``root`` independently."""
    root = Path(root)
    findings: list[Finding] = []
    documents: dict[str, YamlDocument] = {}

    config = _read_config(root, documents, findings)
    definitions = root / _definitions_folder(config, documents)
    metrics = _read_file(definitions / "metrics.yml", "metrics", documents, findings)
    taxonomy = _read_file(
        definitions / "taxonomy.yml", "taxonomy", documents, findings, required=False
    )
    sources = _read_file(definitions / "sources.yml", "sources", documents, findings)
    raci = {
        kind: _read_file(root / RACI_FOLDER / name, kind, documents, findings, required=None)
        for kind, name in RACI_FILES.items()
    }

    return ProjectFiles(
        root=root,
        config=config,
        metrics=metrics,
        taxonomy=taxonomy,
        sources=sources,
        locations=SourceMap(documents),
        findings=tuple(findings),
        governed=(root / RACI_FOLDER / RACI_FILES["bodies"]).is_file(),
        **raci,
    )


def read_config(root: Path) -> ProjectSpec:
    """Return the project configuration at ``root``, or the defaults if it is invalid."""
    config = _read_config(Path(root), {}, [])
    return config or ProjectSpec()


def _read_config(
    root: Path, documents: dict[str, YamlDocument], findings: list[Finding]
) -> ProjectSpec | None:
    """Read ``nrrgov.yml``, else ``[tool.nrrgov]`` in ``pyproject.toml``, else defaults."""
    if (root / PROJECT_FILE).exists():
        return _read_file(root / PROJECT_FILE, "project", documents, findings)
    pyproject = root / PYPROJECT_FILE
    if not pyproject.exists():
        return ProjectSpec()

    document, errors = _read_tool_table(pyproject)
    findings.extend(Finding.from_error(error) for error in errors)
    if document is None:
        return None if errors else ProjectSpec()
    documents["project"] = document
    return _validate(document, ProjectSpec, findings)


def _definitions_folder(config: ProjectSpec | None, documents: dict[str, YamlDocument]) -> str:
    """Return the definitions folder, read from the raw file if the configuration is invalid."""
    if config is not None:
        return config.definitions
    raw = documents.get("project")
    data = raw.data if raw is not None else None
    folder = data.get("definitions") if isinstance(data, dict) else None
    return folder if isinstance(folder, str) else ProjectSpec().definitions


_MODELS: dict[str, type[BaseModel]] = FILE_KINDS


def _read_file(
    path: Path,
    kind: str,
    documents: dict[str, YamlDocument],
    findings: list[Finding],
    *,
    required: bool | None = True,
):
    """Parse and validate one YAML file; None when it is missing or has a problem.

    Args:
        required: True reports a missing file, False returns the empty model for it,
            None returns None for it without a finding.
    """
    model = _MODELS[kind]
    if not path.exists():
        if required:
            findings.append(_missing_file(path, kind))
            return None
        return None if required is None else model()

    document, errors = _parse(path)
    findings.extend(Finding.from_error(error) for error in errors)
    if document is None:
        return None
    documents[kind] = document
    # A node the YAML reader rejected was replaced by null, so its schema error would only
    # repeat the problem already reported.
    schema_findings: list[Finding] = []
    spec = _validate(document, model, schema_findings)
    findings.extend(f for f in schema_findings if (f.line, f.col) not in document.rejected)
    return None if errors else spec


def _parse(path: Path) -> tuple[YamlDocument | None, list[YamlError]]:
    text, error = _read_text(path)
    if error is not None:
        return None, [error]
    logger.debug("parsing %s", path)
    return parse_yaml(text, str(path))


def _read_text(path: Path) -> tuple[str, YamlError | None]:
    """Read a UTF-8 file, with or without a byte order mark."""
    try:
        content = path.read_bytes()
    except OSError as error:
        message = f"cannot read the file: {error.strerror}"
        return "", YamlError(FILE_MISSING_CODE, message, where=Location(str(path)), hint=_UTF8_HINT)
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        # Point at the bad byte: its line, and its column counted in bytes.
        before = content[: error.start]
        line = before.count(b"\n") + 1
        col = error.start - (before.rfind(b"\n") + 1) + 1
        message = f"cannot read the file: byte {content[error.start]:#04x} is not UTF-8 text"
        where = Location(str(path), line=line, col=col)
        return "", YamlError(FILE_MISSING_CODE, message, where=where, hint=_UTF8_HINT)


_UTF8_HINT = "check that the file is readable and saved as UTF-8 text"


def _validate(document: YamlDocument, model: type[BaseModel], findings: list[Finding]):
    data = {} if document.data is None else document.data
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = validation_problems(error, document, model)
        findings.extend(Finding.from_error(_recode(problem)) for problem in problems)
        return None


def _recode(problem: YamlError) -> YamlError:
    """Give an unknown canonical table in sources.yml its own code and message."""
    path = problem.node_path or ()
    is_table_name = len(path) == 3 and path[0] == "sources" and path[2] == "name"
    if not is_table_name or problem.code != INVALID_VALUE_CODE:
        return problem
    return YamlError(
        UNKNOWN_TABLE_CODE,
        f"unknown canonical table {problem.value!r}",
        where=problem.where,
        hint=problem.hint,
        value=problem.value,
        node_path=path,
    )


def _missing_file(path: Path, kind: str) -> Finding:
    return Finding(
        code=FILE_MISSING_CODE,
        level="error",
        path=str(path),
        line=None,
        col=None,
        message=f"the {kind} file {str(path)!r} was not found",
        hint=f"create it (`nrrgov init` writes a reference {path.name}), or set "
        "'definitions' in nrrgov.yml to the folder that holds it",
    )


_TOML_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_TOML_KEY = re.compile(r"^(\s*)([A-Za-z0-9_.-]+)\s*=\s*")
_TOML_ERROR_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _read_tool_table(path: Path) -> tuple[YamlDocument | None, list[YamlError]]:
    """Read ``[tool.nrrgov]`` from ``pyproject.toml``; None when the table is absent."""
    text, unreadable = _read_text(path)
    if unreadable is not None:
        return None, [unreadable]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_ERROR_AT.search(str(error))
        line, col = (int(found.group(1)), int(found.group(2))) if found else (None, None)
        where = Location(str(path), line=line, col=col)
        message = f"invalid TOML: {_TOML_ERROR_AT.sub('', str(error)).strip()}"
        return None, [YamlError(SYNTAX_CODE, message, where=where)]

    table = data.get("tool", {}).get("nrrgov")
    if table is None:
        return None, []
    document = YamlDocument(path=str(path), data=table)
    _locate_toml_keys(text, document)
    return document, []


def _locate_toml_keys(text: str, document: YamlDocument) -> None:
    """Record the line of each key under ``[tool.nrrgov]`` by scanning the text.

    NOTE: tomllib keeps no positions, so this finds table headers and ``key =`` lines
    only. A value inside an inline table or an array takes the position of its key.
    """
    prefix: tuple | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_HEADER.match(line)
        if header:
            prefix = _table_path(header.group(1))
            if prefix is not None:
                position = Position(number, line.index("[") + 1, number, len(line) + 1)
                document.values.setdefault(prefix, position)
                document.keys.setdefault(prefix, position)
            continue
        key = _TOML_KEY.match(line)
        if prefix is None or key is None:
            continue
        path = (*prefix, *key.group(2).split("."))
        indent = len(key.group(1))
        document.keys.setdefault(path, Position(number, indent + 1, number, indent + 1))
        document.values.setdefault(path, Position(number, key.end() + 1, number, len(line) + 1))


def _table_path(name: str) -> tuple | None:
    """Return the path below ``tool.nrrgov`` of a table header, or None for another table."""
    parts = tuple(name.split("."))
    if parts[:2] != ("tool", "nrrgov"):
        return None
    return parts[2:]
