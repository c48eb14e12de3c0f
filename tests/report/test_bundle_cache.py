"""The Vega bundle is built once per vl-convert version and then read from the cache."""

from __future__ import annotations

import vl_convert

from nrrgov.report import render


def test_bundle_written_to_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    bundle = render._vega_bundle()

    cached = tmp_path / "nrrgov" / f"vega-bundle-{vl_convert.__version__}.js"
    assert cached.read_text(encoding="utf-8") == bundle
    assert "vegaEmbed" in bundle


def test_bundle_read_from_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cached = tmp_path / "nrrgov" / f"vega-bundle-{vl_convert.__version__}.js"
    cached.parent.mkdir(parents=True)
    cached.write_text("/* cached bundle */", encoding="utf-8")

    assert render._vega_bundle() == "/* cached bundle */"


def test_unwritable_cache_still_builds(tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))

    assert "vegaEmbed" in render._vega_bundle()
