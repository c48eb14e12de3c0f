"""A small governed project and a git helper, for the pull-request workflow tests."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

# Three accounts paying monthly from 2025-01. A2 (SMB, 200) ends on 2025-03-01, so it has
# no MRR in March; A3 (Enterprise, 300) adds a 100 subscription in March.
ACCOUNTS = "account_id,segment\nA1,SMB\nA2,SMB\nA3,Enterprise\n"
SUBSCRIPTIONS = """\
subscription_id,account_id,currency,billing_period,amount,start_date,end_date
S1,A1,USD,monthly,100,2025-01-01,
S2,A2,USD,monthly,200,2025-01-01,2025-03-01
S3,A3,USD,monthly,300,2025-01-01,
S4,A3,USD,monthly,100,2025-03-01,
"""
CONFIG = """\
name: diff test
reporting_currency: USD
data: data
dimensions: [segment]
"""
TAXONOMY = """\
dimensions:
  - name: segment
    values: [Enterprise, SMB]
"""
SOURCES = """\
sources:
  - name: accounts
    path: accounts.csv
  - name: subscriptions
    path: subscriptions.csv
"""
METRICS = """\
metrics:
  - name: nrr
    label: Net revenue retention
    owner: data_board
    formula: ending_mrr / starting_mrr
    lookback_months: 1
    dimensions: [segment]
    version: 1
    approved_by: "@board-chair"
    approved_on: 2025-01-15
  - name: grr
    label: Gross revenue retention
    owner: data_board
    formula: retained_mrr / starting_mrr
    lookback_months: 1
    dimensions: [segment]
    version: 1
    approved_by: "@board-chair"
    approved_on: 2025-01-15
"""
BODIES = """\
bodies:
  - name: council
    label: Revenue Council
    members:
      - {handle: "@council-chair", role: cro}
    chair: "@council-chair"
    cadence: monthly
    owns: [raci/**]
    decisions: [metric_definition_change]
  - name: data_board
    label: Data & Definitions Board
    members:
      - {handle: "@board-chair", role: revops}
      - {handle: "@acme/analysts", role: analyst}
    chair: "@board-chair"
    cadence: on_every_pr
    quorum: 2
    owns: [definitions/**, nrrgov.yml]
"""
DECISIONS = """\
decisions:
  - name: metric_definition_change
    label: Metric definition change
    responsible: analyst
    accountable: revops
    informed: council
"""


@dataclass(frozen=True)
class Repo:
    """A project folder that is also a git repository."""

    root: Path

    def write(self, files: dict[str, str]) -> None:
        """Write each ``relative path -> text`` under the root, creating folders."""
        for name, text in files.items():
            (self.root / name).parent.mkdir(parents=True, exist_ok=True)
            (self.root / name).write_text(text, encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        """Replace ``old`` by ``new`` in one file; the text must contain ``old``."""
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def git(self, *args: str) -> str:
        """Run git in the root with a fixed identity; return its standard output."""
        command = ["git", "-c", "user.name=nrrgov", "-c", "user.email=nrrgov@example.com"]
        command += ["-c", "commit.gpgsign=false", *args]
        completed = subprocess.run(
            command, cwd=self.root, check=True, capture_output=True, text=True
        )
        return completed.stdout

    def commit(self, message: str) -> None:
        """Stage every file and commit, creating the repository on the first call."""
        if not (self.root / ".git").exists():
            self.git("init", "-q")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)


@pytest.fixture
def governed_project(tmp_path: Path) -> Repo:
    """The small governed project, committed once as the base of a pull request."""
    return make_governed_project(tmp_path / "project")


def make_governed_project(root: Path) -> Repo:
    """Write the small governed project in ``root`` and commit it."""
    repo = Repo(root)
    repo.write(
        {
            "nrrgov.yml": CONFIG,
            "definitions/metrics.yml": METRICS,
            "definitions/taxonomy.yml": TAXONOMY,
            "definitions/sources.yml": SOURCES,
            "raci/bodies.yml": BODIES,
            "raci/decisions.yml": DECISIONS,
            "data/accounts.csv": ACCOUNTS,
            "data/subscriptions.csv": SUBSCRIPTIONS,
        }
    )
    repo.commit("Add the definitions")
    return repo


# The pull request: NRR stops counting expansion (a change of meaning, version 2, approved
# again), and GRR gets a new label (no change of meaning).
NRR_CHANGED = (
    "formula: ending_mrr / starting_mrr",
    "formula: (ending_mrr - expansion_mrr) / starting_mrr",
)


def change_nrr(repo: Repo) -> None:
    """Make the pull request's edits in the working tree."""
    text = (repo.root / "definitions" / "metrics.yml").read_text(encoding="utf-8")
    nrr, grr = text.split("  - name: grr\n")
    nrr = nrr.replace(*NRR_CHANGED).replace("version: 1", "version: 2")
    nrr = nrr.replace("approved_on: 2025-01-15", "approved_on: 2025-04-02")
    grr = grr.replace("label: Gross revenue retention", "label: Gross revenue retention (capped)")
    repo.write({"definitions/metrics.yml": nrr + "  - name: grr\n" + grr})


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory) -> Repo:
    """The governed project with a second commit that changes NRR, shared by a module."""
    repo = make_governed_project(tmp_path_factory.mktemp("pull-request") / "project")
    change_nrr(repo)
    repo.commit("Stop counting expansion in NRR")
    return repo
