"""Read ``plays/*.yml`` and ``definitions/council.yml`` with the position of every node.

A play file contains one play as a top-level mapping, or a ``plays:`` list. Files are read
in name order; ``.yml`` and ``.yaml`` both count. Without ``council.yml`` the review uses
:data:`nrrgov.plays.council.DEFAULT_RULES`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from nrrgov.errors import UserError
from nrrgov.loader import PLAYS_FOLDER, Finding, read_config
from nrrgov.spec.plays import CouncilFileSpec, CouncilRuleSpec, PlaysFileSpec, PlaySpec
from nrrgov.yamlio import NodePath, YamlDocument, parse_yaml, validation_problems

logger = logging.getLogger(__name__)

COUNCIL_FILE = "council.yml"
READ_ERROR_CODE = "NRG100"


@dataclass(frozen=True)
class LoadedPlay:
    """A validated play and where it was written.

    Attributes:
        document: the parsed file, for pointing findings at lines.
        path: the node path of the play inside its file: ``()`` or ``("plays", i)``.
    """

    spec: PlaySpec
    document: YamlDocument
    path: NodePath

    def locate(self, *keys: str | int, key: bool = False):
        """Return the file, line and column of a field of this play."""
        return self.document.locate((*self.path, *keys), key=key)


@dataclass(frozen=True)
class Playbook:
    """Every play of a project and the council rules.

    Attributes:
        council_document: the parsed ``council.yml``; None when the defaults apply.
    """

    plays: tuple[LoadedPlay, ...] = ()
    rules: tuple[CouncilRuleSpec, ...] = ()
    council_document: YamlDocument | None = None
    files: tuple[str, ...] = field(default=())

    def play(self, name: str) -> LoadedPlay | None:
        """Return the first play called ``name``, if any."""
        return next((play for play in self.plays if play.spec.name == name), None)

    @property
    def specs(self) -> tuple[PlaySpec, ...]:
        return tuple(play.spec for play in self.plays)


def load_plays(project_root: Path) -> tuple[Playbook, list[Finding]]:
    """Read every play file and the council rules, collecting all problems.

    Returns:
        The plays and rules that validated, and a finding for each problem (YAML syntax,
        duplicate keys, schema errors), each with its file, line and column.
    """
    root = Path(project_root)
    findings: list[Finding] = []
    plays: list[LoadedPlay] = []
    files = _play_files(root)
    for path in files:
        plays.extend(_read_play_file(path, findings))

    rules, council_document = _read_council(root, findings)
    return Playbook(tuple(plays), rules, council_document, tuple(map(str, files))), findings


def require_plays(project_root: Path) -> Playbook:
    """Load the plays and council rules, raising on the first error.

    Raises:
        UserError: a play file or council.yml is invalid; every error is listed in
            ``details``.
    """
    playbook, findings = load_plays(project_root)
    errors = [finding for finding in findings if finding.level == "error"]
    if errors:
        details = [f"{f.where}: {f.code} {f.message}" for f in errors] if len(errors) > 1 else None
        raise errors[0].to_user_error(details=details)
    return playbook


def _play_files(root: Path) -> list[Path]:
    folder = root / PLAYS_FOLDER
    if not folder.is_dir():
        return []
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])


def _read_play_file(path: Path, findings: list[Finding]) -> list[LoadedPlay]:
    document = _parse(path, findings)
    if document is None or document.data is None:
        return []
    data = document.data
    if isinstance(data, dict) and "plays" in data:
        spec = _validate(document, PlaysFileSpec, findings)
        if spec is None:
            return _valid_items(document, findings)
        return [LoadedPlay(play, document, ("plays", i)) for i, play in enumerate(spec.plays)]
    spec = _validate(document, PlaySpec, findings)
    return [] if spec is None else [LoadedPlay(spec, document, ())]


def _valid_items(document: YamlDocument, findings: list[Finding]) -> list[LoadedPlay]:
    """Keep the plays of a list that validate on their own, so that other rules still run."""
    items = document.data.get("plays")
    if not isinstance(items, list):
        return []
    loaded = []
    for index, item in enumerate(items):
        try:
            loaded.append(LoadedPlay(PlaySpec.model_validate(item), document, ("plays", index)))
        except ValidationError:
            continue
    return loaded


def _read_council(
    root: Path, findings: list[Finding]
) -> tuple[tuple[CouncilRuleSpec, ...], YamlDocument | None]:
    # Imported here because the council module imports this one for the playbook type.
    from nrrgov.plays.council import DEFAULT_RULES

    path = root / read_config(root).definitions / COUNCIL_FILE
    if not path.is_file():
        return DEFAULT_RULES, None
    document = _parse(path, findings)
    if document is None:
        return (), None
    spec = _validate(document, CouncilFileSpec, findings)
    return (spec.rules if spec else ()), document


def _parse(path: Path, findings: list[Finding]) -> YamlDocument | None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        findings.append(
            Finding(
                READ_ERROR_CODE,
                "error",
                str(path),
                None,
                None,
                f"cannot read the file: {error}",
                hint="check that the file is readable and saved as UTF-8 text",
            )
        )
        return None
    logger.debug("parsing %s", path)
    document, problems = parse_yaml(text, str(path))
    findings.extend(Finding.from_error(problem) for problem in problems)
    return None if problems else document


def _validate(document: YamlDocument, model: type[BaseModel], findings: list[Finding]):
    try:
        return model.model_validate({} if document.data is None else document.data)
    except ValidationError as error:
        problems = validation_problems(error, document, model)
        findings.extend(Finding.from_error(problem) for problem in problems)
        return None


def play_error(play: LoadedPlay, code: str, message: str, *keys: str, hint: str) -> UserError:
    """Build a :class:`UserError` pointing at a field of ``play``."""
    return UserError(code, message, where=play.locate(*keys), hint=hint)
