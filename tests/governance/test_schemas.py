"""The committed JSON Schemas under schemas/, and the YAML comments that point to them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from nrrgov.spec import json_schema_files

REPOSITORY = Path(__file__).parents[2]
SCHEMAS = REPOSITORY / "schemas"
UPDATE = os.environ.get("NRRGOV_UPDATE_SNAPSHOTS") == "1"
SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=(?P<target>\S+)$")
# Every YAML file of the reference project, each with a schema comment on its first line.
REFERENCE_FILES = sorted(
    path.relative_to(REPOSITORY).as_posix()
    for pattern in ("nrrgov.yml", "definitions/*.yml", "raci/*.yml", "plays/*.yml")
    for path in REPOSITORY.glob(pattern)
)


@pytest.mark.parametrize(
    ("name", "text"), json_schema_files().items(), ids=list(json_schema_files())
)
def test_committed_schema_current(name: str, text: str) -> None:
    if UPDATE:
        SCHEMAS.mkdir(exist_ok=True)
        (SCHEMAS / name).write_text(text, encoding="utf-8")

    assert (SCHEMAS / name).read_text(encoding="utf-8") == text, (
        "run `nrrgov schema --out schemas` and commit the result"
    )


def test_no_stale_schema_files() -> None:
    assert sorted(path.name for path in SCHEMAS.glob("*.json")) == sorted(json_schema_files())


def test_schema_command_writes_same(run_cli, tmp_path) -> None:
    result = run_cli("schema", "--out", tmp_path)

    assert result.exit_code == 0, result.stderr
    for name, text in json_schema_files().items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text, name


@pytest.mark.parametrize("relative", REFERENCE_FILES)
def test_reference_file_matches_schema(relative: str) -> None:
    path = REPOSITORY / relative
    match = SCHEMA_COMMENT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match is not None, f"{relative} has no yaml-language-server comment on line 1"
    schema_path = path.parent / match["target"]
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    # Dates stay text, as an editor reads them.
    document = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))

    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))

    assert errors == []
