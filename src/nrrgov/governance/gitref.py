"""The definitions of a project as they are at a git ref, for comparing a pull request.

Files are read with ``git show REF:path`` into a folder the caller provides, so the
working tree, the index and the checked-out branch are never touched. Only the governed
files are copied (the configuration, the definitions folder, ``raci/`` and ``plays/``):
export files can be large, and a comparison computes both versions on the same data.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path, PurePosixPath

from nrrgov.errors import UserError
from nrrgov.loader import PLAYS_FOLDER, PROJECT_FILE, PYPROJECT_FILE, RACI_FOLDER, read_config

logger = logging.getLogger(__name__)

GIT_CODE = "NRG003"
GIT_TIMEOUT_SECONDS = 60


def materialize_ref(root: Path, ref: str, dest: Path) -> Path:
    """Write the governed files of the project at ``root``, as of ``ref``, under ``dest``.

    Args:
        root: the project folder, inside a git work tree.
        ref: a commit, branch or tag, such as ``origin/main``.
        dest: an empty folder to write into.

    Returns:
        ``dest``, now a project folder with the base version's definitions.

    Raises:
        UserError: ``root`` is not in a git repository or ``ref`` is not a commit
            (exit code 2).
    """
    root = Path(root).resolve()
    toplevel = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    prefix = PurePosixPath(root.relative_to(toplevel).as_posix())
    commit = _resolve(root, ref)
    tracked = _tracked_files(toplevel, commit, prefix)

    for name in (PROJECT_FILE, PYPROJECT_FILE):
        if name in tracked:
            _copy(toplevel, commit, prefix / name, dest / name)
    definitions = read_config(dest).definitions
    folders = tuple(PurePosixPath(folder) for folder in (definitions, RACI_FOLDER, PLAYS_FOLDER))
    for relative in sorted(tracked):
        path = PurePosixPath(relative)
        if any(folder in path.parents for folder in folders):
            _copy(toplevel, commit, prefix / path, dest / path)
    logger.info("read the definitions at %s (%s) into %s", ref, commit[:12], dest)
    return dest


def _resolve(root: Path, ref: str) -> str:
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except UserError:
        raise UserError(
            GIT_CODE,
            f"git ref {ref!r} is not a commit in this repository",
            hint="fetch it first (for example `git fetch origin main` and pass "
            "--base origin/main); in GitHub Actions check out with fetch-depth: 0",
            exit_code=2,
        ) from None


def _tracked_files(toplevel: Path, commit: str, prefix: PurePosixPath) -> set[str]:
    """Return the files under ``prefix`` at ``commit``, relative to ``prefix``."""
    listing = _git(toplevel, "ls-tree", "-r", "-z", "--name-only", commit, "--", f"{prefix}/")
    names = [name for name in listing.split("\0") if name]
    if str(prefix) == ".":
        return set(names)
    return {PurePosixPath(name).relative_to(prefix).as_posix() for name in names}


def _copy(toplevel: Path, commit: str, source: PurePosixPath, target: Path) -> None:
    content = _git_bytes(toplevel, "show", f"{commit}:{source.as_posix()}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def _git(cwd: Path, *args: str) -> str:
    return _git_bytes(cwd, *args).decode("utf-8", errors="replace")


def _git_bytes(cwd: Path, *args: str) -> bytes:
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UserError(
            GIT_CODE,
            f"git {args[0]} failed: {error}",
            hint="check that git is installed and on PATH",
            exit_code=2,
        ) from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", errors="replace").strip()
        detail = detail or f"exit status {completed.returncode}"
        raise UserError(
            GIT_CODE,
            f"git {args[0]} failed in {str(cwd)!r}: {detail}",
            hint="run the command inside the git repository that holds the definitions",
            exit_code=2,
        )
    return completed.stdout
