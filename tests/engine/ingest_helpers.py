"""Small source projects for the ingest tests: files written under ``tmp_path/data``."""

from __future__ import annotations

from pathlib import Path

from conftest import PEER_DATA  # noqa: F401 - re-exported for the ingest tests
from nrrgov.engine.context import EngineContext
from nrrgov.loader import Project
from nrrgov.spec import ProjectSpec, SourceSpec, TaxonomyFileSpec

SUBSCRIPTIONS = (
    "subscription_id,account_id,plan,currency,billing_period,amount,quantity,"
    "start_date,end_date,status"
)


def make_ctx(tmp_path: Path, files: dict[str, str | bytes], sources: list[dict]) -> EngineContext:
    """Write ``files`` under ``tmp_path/data`` and return a context over ``sources``."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for name, content in files.items():
        path = data / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    project = Project(
        root=tmp_path,
        config=ProjectSpec(),
        metrics=(),
        taxonomy=TaxonomyFileSpec(),
        sources=tuple(SourceSpec(**source) for source in sources),
    )
    return EngineContext(project, data)


def lines(*rows: str) -> str:
    """Join CSV rows with a final newline."""
    return "\n".join(rows) + "\n"
