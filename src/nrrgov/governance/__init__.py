"""Governance as code: who owns which file, item lifecycles, and the base of a pull request.

- :mod:`~nrrgov.governance.ownership`: ``owns`` globs, the governed files and CODEOWNERS.
- :mod:`~nrrgov.governance.lifecycle`: governed items (metrics, later plays), their
  lifecycle and their meaning, compared between two versions of a project.
- :mod:`~nrrgov.governance.gitref`: the definitions as they are at a git ref, read with
  ``git show`` into a temporary folder without touching the working tree.
- :mod:`~nrrgov.governance.changes`: what changed in each definition between two versions.
- :mod:`~nrrgov.governance.scaffold`: the files ``nrrgov init`` writes.
"""
