"""``nrrgov init``: a new definitions repository that lints and computes at once."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from nrrgov import __version__
from nrrgov.governance.scaffold import scaffold_root
from nrrgov.loader import read_config
from nrrgov.spec import FILE_KINDS

REPOSITORY = Path(__file__).parents[2]
SCAFFOLD = Path(str(scaffold_root()))
UPDATE = os.environ.get("NRRGOV_UPDATE_SNAPSHOTS") == "1"

# Every action the workflow uses, pinned to the commit its release tag points to; the tag
# is also the comment after the SHA in the workflow.
PINNED_ACTIONS = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/github-script": ("60a0d83039c74a4aee543508d2ffcb1c3799cdea", "v7.0.1"),
}
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[^@\s]+)@(?P<ref>\S+)(?:\s+#\s*(?P<tag>\S+))?")
SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=(?P<target>\S+)$")

# Scaffold folders that copy a folder of reference files.
MIRRORED_FOLDERS = {
    "definitions": "definitions",
    "raci": "raci",
    "plays": "plays",
    "data": "examples/data",
}


def _mirrored() -> dict[str, str]:
    """Return scaffold path -> reference path for every file of the mirrored folders."""
    pairs = {}
    for scaffold, reference in MIRRORED_FOLDERS.items():
        if not (REPOSITORY / reference).is_dir():
            continue
        for path in sorted((REPOSITORY / reference).iterdir()):
            if path.is_file():
                pairs[f"{scaffold}/{path.name}"] = f"{reference}/{path.name}"
    return pairs


MIRRORED = _mirrored()


@pytest.fixture
def created(run_cli, tmp_path) -> Path:
    folder = tmp_path / "revenue-definitions"
    result = run_cli("init", folder)
    assert result.exit_code == 0, result.stderr
    return folder


def test_init_then_lint(run_cli, created) -> None:
    result = run_cli("lint", created)

    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("No problems found")


def test_init_then_compute(run_cli, created) -> None:
    result = run_cli("compute", "--project", created)

    assert result.exit_code == 0, result.stderr
    assert (created / "target" / "results.json").is_file()
    assert (created / "target" / "report" / "index.html").is_file()


def test_init_codeowners_current(run_cli, created) -> None:
    result = run_cli("codeowners", "--project", created, "--check")

    assert result.exit_code == 0, result.stdout


def test_init_layout(created) -> None:
    files = sorted(
        path.relative_to(created).as_posix() for path in created.rglob("*") if path.is_file()
    )
    schemas = [f"schemas/{kind}.schema.json" for kind in FILE_KINDS]

    assert files == sorted(
        [
            ".github/CODEOWNERS",
            ".github/workflows/nrrgov.yml",
            ".gitignore",
            "README.md",
            "nrrgov.yml",
            *MIRRORED,
            *schemas,
        ]
    )


def test_config_points_at_data(created) -> None:
    assert read_config(created).data == "data"


def test_yaml_schema_comments_resolve(created) -> None:
    definitions = [
        *created.glob("*.yml"),
        *(created / name for name in MIRRORED if name.endswith(".yml")),
    ]

    assert len(definitions) > 7
    for path in definitions:
        match = SCHEMA_COMMENT.match(path.read_text().splitlines()[0])
        assert match is not None, path
        assert (path.parent / match["target"]).is_file(), path


def test_non_empty_folder_is_usage_error(run_cli, tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")

    result = run_cli("init", tmp_path)

    assert result.exit_code == 2
    assert "NRG004" in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_file_is_usage_error(run_cli, tmp_path) -> None:
    (tmp_path / "nrrgov.yml").write_text("name: x\n")

    result = run_cli("init", tmp_path / "nrrgov.yml")

    assert result.exit_code == 2
    assert "is a file" in result.stderr


def test_empty_folder_is_accepted(run_cli, tmp_path) -> None:
    result = run_cli("init", tmp_path)

    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "nrrgov.yml").is_file()


def test_workflow_parses(created) -> None:
    workflow = yaml.safe_load((created / ".github" / "workflows" / "nrrgov.yml").read_text())

    steps = workflow["jobs"]["nrrgov"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    # PyYAML reads the key 'on' as the boolean True (YAML 1.1).
    assert set(workflow[True]) == {"push", "pull_request"}
    assert "nrrgov lint --format github" in runs
    assert "nrrgov compute" in runs
    assert "nrrgov diff --base" in runs
    assert f'pip install "nrrgov=={__version__}"' in runs
    assert workflow["jobs"]["nrrgov"]["permissions"]["pull-requests"] == "write"


def test_workflow_pins_every_action(created) -> None:
    lines = (created / ".github" / "workflows" / "nrrgov.yml").read_text().splitlines()
    uses = [match for match in map(USES.match, lines) if match]

    assert [match["action"] for match in uses] == list(PINNED_ACTIONS)
    for match in uses:
        sha, tag = PINNED_ACTIONS[match["action"]]
        assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), match["action"]
        assert match["ref"] == sha, match["action"]
        assert match["tag"] == tag, match["action"]


def test_workflow_updates_one_comment(created) -> None:
    text = (created / ".github" / "workflows" / "nrrgov.yml").read_text()

    assert "<!-- nrrgov-diff -->" in text
    assert "updateComment" in text
    assert "createComment" in text


@pytest.mark.parametrize(("scaffold", "reference"), MIRRORED.items(), ids=list(MIRRORED))
def test_scaffold_mirrors_reference(scaffold: str, reference: str) -> None:
    source = REPOSITORY / reference
    if UPDATE:
        (SCAFFOLD / scaffold).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, SCAFFOLD / scaffold)

    assert (SCAFFOLD / scaffold).read_bytes() == source.read_bytes(), (
        f"copy {reference} to src/nrrgov/scaffold/{scaffold}, or rerun with "
        "NRRGOV_UPDATE_SNAPSHOTS=1"
    )


def test_scaffold_has_no_stale_copies() -> None:
    copies = {
        f"{folder}/{path.name}"
        for folder in MIRRORED_FOLDERS
        if (SCAFFOLD / folder).is_dir()
        for path in (SCAFFOLD / folder).iterdir()
        if path.is_file()
    }

    assert copies - set(MIRRORED) == set(), "remove these from src/nrrgov/scaffold/"


def test_scaffold_config_matches_reference() -> None:
    scaffold = read_config(SCAFFOLD).model_dump()
    reference = read_config(REPOSITORY).model_dump()

    # Only the name and the data folder differ: the new repository keeps exports in data/.
    for key in ("name", "data"):
        scaffold.pop(key)
        reference.pop(key)
    assert scaffold == reference
