"""The few git questions the pipeline asks, through the one subprocess helper."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from ci.core import proc
from ci.core.errors import GitError

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 object names


def _git(root: Path, *args: str, verbatim: bool = False) -> proc.ProcResult:
    return proc.run(["git", *args], cwd=root, timeout=120, verbatim=verbatim)


def locate(start: Path) -> tuple[Path, Path]:
    """The root of the git work tree containing `start`, and its git dir, as `git rev-parse
    --show-toplevel --absolute-git-dir` says (`found_without_git` first, else that call).

    Read verbatim: they are directories to work in, which a mask would break; a message that
    shows one is redacted where it is shown (the CLI's error line, a gate's summary)."""
    if not start.is_dir():
        raise GitError(f"{start}: no such directory")
    found = found_without_git(start)
    if found is not None:
        return found
    result = _git(start, "rev-parse", "--show-toplevel", "--absolute-git-dir", verbatim=True)
    lines = result.stdout.splitlines()
    if not result.ok or len(lines) != 2:
        raise GitError(f"{start}: not a git repository", tip="run it inside a clone of the bot")
    return Path(lines[0]), Path(lines[1])


# Settings that change where git looks for a repository, or what it makes of one. (The user's
# and the system's config files cannot: git reads core.worktree and core.bare from the
# repository's own, and safe.directory only matters for a folder someone else owns.)
_DISCOVERY_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_CONFIG",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_PARAMETERS",
)


def found_without_git(start: Path) -> tuple[Path, Path] | None:
    """`locate`'s answer read from the file system, in the plain case only: None otherwise.

    A git call costs a commit hook or `run lint` about as much as a ruff run. The plain case is
    git's own search done by hand: from `start` (its real path, as git's getcwd gives it) up
    to the first folder holding `.git`, a folder or a `gitdir:` file naming one (a linked
    worktree), with HEAD and objects or commondir in it. Anything else (a GIT_* variable
    that moves the search, a `.git` link, a folder on the way that is itself a git dir, another
    file system, a folder or git dir owned by another user, a config naming a work tree or a
    bare repository, no `.git` at all) is left to git, which also says why it cannot."""
    if any(name in os.environ for name in _DISCOVERY_ENV):
        return None
    try:
        folder = start.resolve()
        device, user = folder.stat().st_dev, os.getuid()
        while True:
            dot_git = folder / ".git"
            if (folder / "HEAD").is_file() or dot_git.is_symlink():
                return None  # a git dir itself (bare, or `.git` entered), or a linked `.git`
            if dot_git.is_dir():
                git_dir = dot_git
                break
            if dot_git.is_file():
                line = dot_git.read_text(encoding="utf-8").strip()
                if not line.startswith("gitdir: ") or "\n" in line:
                    return None
                git_dir = (folder / line.removeprefix("gitdir: ")).resolve()
                break
            if folder.parent == folder or folder.parent.stat().st_dev != device:
                return None
            folder = folder.parent
        common = git_dir
        if (git_dir / "commondir").is_file():
            common = git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()
            common = common.resolve()
        if not (
            (git_dir / "HEAD").is_file()
            and (common / "objects").is_dir()
            and all(path.stat().st_uid == user for path in (folder, git_dir, common))
            and not (git_dir / "config.worktree").exists()
            and all(_plain_config(where / "config") for where in {git_dir, common})
        ):
            return None
    except (OSError, UnicodeDecodeError):
        return None
    return folder, git_dir


def _plain_config(path: Path) -> bool:
    """A repository config that sets no work tree elsewhere and no bare repository."""
    try:
        text = "".join(path.read_text(encoding="utf-8", errors="replace").lower().split())
    except FileNotFoundError:
        return True
    return "worktree" not in text and "bare=true" not in text


def toplevel(start: Path) -> Path:
    """The root of the git work tree containing `start`."""
    return locate(start)[0]


def absolute_git_dir(root: Path) -> Path:
    """The git dir of the work tree at `root` (each worktree has its own), read verbatim."""
    found = found_without_git(root)
    if found is not None:
        return found[1]
    result = _git(root, "rev-parse", "--absolute-git-dir", verbatim=True)
    if not result.ok:
        raise GitError(f"{root}: not a git repository")
    return Path(result.stdout.strip())


def head_sha(root: Path) -> str:
    result = _git(root, "rev-parse", "--verify", "HEAD")
    if not result.ok:
        raise GitError(f"{root}: repository has no commits yet")
    return result.stdout.strip()


def output(root: Path, *args: str, verbatim: bool = False) -> str:
    """stdout of a git command that must succeed (`verbatim`: unredacted, for data that is
    parsed and checked, never shown as it is)."""
    result = _git(root, *args, verbatim=verbatim)
    if not result.ok:
        raise GitError(f"git {' '.join(args)}: {result.describe()}: {result.stderr.strip()}")
    return result.stdout


def is_ignored(root: Path, path: str) -> bool:
    # --no-index: ask the ignore rules, even for a file that is (wrongly) tracked.
    return _git(root, "check-ignore", "-q", "--no-index", "--", path).ok


def clean_head(root: Path) -> str:
    """HEAD's SHA when the work tree matches it exactly (no changes, no untracked files).

    "" otherwise: results of uncommitted changes vouch for no commit. One `git status`
    answers both: its `# branch.oid` header is HEAD ("(initial)" before the first commit),
    and every other line is a change. It may run from any folder of the work tree (porcelain
    output covers the whole tree, whatever the folder).
    """
    return start_clean_head(root)()


def start_clean_head(start: Path) -> Callable[[], str]:
    """`clean_head`, its git started now: call what it returns for the answer."""
    status = proc.start(
        ["git", "status", "--porcelain=v2", "--branch", "--untracked-files=normal"], cwd=start
    )

    def answer() -> str:
        # Verbatim: nothing of it is shown or kept but a SHA, checked to be one.
        result = status.wait(timeout=120, verbatim=True)
        lines = result.stdout.splitlines()
        head = [
            line.removeprefix("# branch.oid ") for line in lines if line.startswith("# branch.oid ")
        ]
        changed = [line for line in lines if not line.startswith("# ")]
        if not result.ok or changed or len(head) != 1 or not _SHA.fullmatch(head[0]):
            return ""
        return head[0]

    return answer


def ref_exists(root: Path, ref: str) -> bool:
    return _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").ok


RESULTS_FOLDER = "bottie-results"


def results_dir(root: Path, configured: str, git_dir: Path | None = None) -> Path:
    """Where gate results go: `configured` under `root` when set, else inside the git dir.

    Results never land in the work tree by default: an untracked result would make the tree
    dirty (every result would then vouch for no commit) and the secrets gate would scan the
    pipeline's own reports. Each worktree has its own git dir, so its own results. `git_dir`
    is root's, when the caller has it already (`locate`).
    """
    if configured:
        return (root / Path(configured).expanduser()).resolve()
    return (git_dir or absolute_git_dir(root)) / RESULTS_FOLDER
