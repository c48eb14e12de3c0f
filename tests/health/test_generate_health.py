"""The health, forecast and decision example generator: deterministic and committed."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "examples" / "data"
INPUTS = ("accounts.csv", "subscriptions.csv", "fx_rates.csv")
OUTPUTS = ("health_signals.csv", "forecasts.csv", "decisions.csv")


def _generator():
    spec = importlib.util.spec_from_file_location(
        "generate_health", REPO / "examples" / "generate_health.py"
    )
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while the class is created.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _generate(folder: Path) -> None:
    folder.mkdir()
    for name in INPUTS:
        shutil.copy(DATA / name, folder / name)
    _generator().generate(folder, seed=11, months=12)


def test_committed_exports_match_generator(tmp_path: Path) -> None:
    _generate(tmp_path / "run")

    for name in OUTPUTS:
        assert (tmp_path / "run" / name).read_bytes() == (DATA / name).read_bytes(), name


def test_generator_is_deterministic(tmp_path: Path) -> None:
    _generate(tmp_path / "first")
    _generate(tmp_path / "second")

    for name in OUTPUTS:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_month_arithmetic() -> None:
    generator = _generator()

    # Eleven months before 2026-11 is 2025-12.
    assert generator.add_months(generator.date(2026, 11, 1), -11) == generator.date(2025, 12, 1)
