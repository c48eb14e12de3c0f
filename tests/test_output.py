"""The staging folder: a run replaces its output folder whole or not at all."""

from __future__ import annotations

import pytest

from nrrgov.engine.output import staged_output


def test_staged_output_replaces_folder(tmp_path):
    out = tmp_path / "target"
    out.mkdir()
    (out / "old.txt").write_text("old")

    with staged_output(out) as staging:
        (staging / "new.txt").write_text("new")

    assert (out / "new.txt").read_text() == "new"
    assert not (out / "old.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


def test_staged_output_failure_keeps_old(tmp_path):
    out = tmp_path / "target"
    out.mkdir()
    (out / "results.json").write_text("{}")

    with pytest.raises(RuntimeError), staged_output(out) as staging:
        (staging / "results.json").write_text('{"half": true}')
        raise RuntimeError("the run failed midway")

    assert (out / "results.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


def test_staged_output_creates_missing_parent(tmp_path):
    out = tmp_path / "a" / "b" / "target"

    with staged_output(out) as staging:
        (staging / "x").write_text("1")

    assert (out / "x").read_text() == "1"
