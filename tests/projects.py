"""Build small definitions repositories in a temporary folder for end-to-end tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO

ACCOUNTS_HEADER = "account_id,account_name,segment,region,csm_owner,created_at,parent_account_id"
SUBSCRIPTIONS_HEADER = (
    "subscription_id,account_id,plan,currency,billing_period,amount,quantity,"
    "start_date,end_date,status"
)


# The revenue sources of the reference contract, without the optional activity exports,
# so a test project needs only accounts, subscriptions and fx rates.
CORE_SOURCES = """\
sources:
  - name: accounts
    path: accounts.csv
  - name: subscriptions
    path: subscriptions.csv
    on_invalid: quarantine
  - name: fx_rates
    path: fx_rates.csv
"""


def make_project(
    root: Path,
    files: dict[str, str],
    sources: str | None = None,
    config: str | None = None,
) -> Path:
    """Write a project with the reference metrics and taxonomy and the given exports.

    Args:
        root: folder to create the project in.
        files: export file name (under ``data/``) -> CSV text.
        sources: the text of ``definitions/sources.yml``; :data:`CORE_SOURCES` by default.
        config: the text of ``nrrgov.yml``; by default USD, data in ``data/``, sliced by
            segment and region.
    """
    root.mkdir(parents=True, exist_ok=True)
    definitions = root / "definitions"
    definitions.mkdir(exist_ok=True)
    for name in ("metrics.yml", "taxonomy.yml"):
        shutil.copy(REPO / "definitions" / name, definitions / name)
    (definitions / "sources.yml").write_text(sources or CORE_SOURCES)
    (root / "nrrgov.yml").write_text(
        config or "name: test\nreporting_currency: USD\ndata: data\ndimensions: [segment, region]\n"
    )
    data = root / "data"
    data.mkdir(exist_ok=True)
    for name, text in files.items():
        (data / name).write_text(text)
    return root


def csv_text(header: str, rows: list[str]) -> str:
    """Join a header and rows into CSV text with a final newline."""
    return "\n".join([header, *rows]) + "\n"
