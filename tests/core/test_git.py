"""The git questions every command starts with, on real repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ci.core import git
from ci.core.errors import GitError
from tests.helpers import Repo


def test_locate_finds_the_root_and_git_dir_from_a_subfolder(repo: Repo) -> None:
    (repo.path / "bot" / "deep").mkdir(parents=True)
    root, git_dir = git.locate(repo.path / "bot" / "deep")
    assert root == repo.path.resolve()
    assert git_dir == (repo.path / ".git").resolve()
    assert git.results_dir(root, "", git_dir) == repo.results


def test_a_linked_worktree_keeps_its_own_git_dir_and_results(repo: Repo, tmp_path: Path) -> None:
    repo.commit("first")
    other = tmp_path / "other"
    repo.git("worktree", "add", "-q", str(other), "-b", "other")
    root, git_dir = git.locate(other)
    assert root == other.resolve()
    assert git_dir == (repo.path / ".git" / "worktrees" / "other").resolve()
    assert git_dir == git.absolute_git_dir(other)
    assert git.results_dir(root, "", git_dir) != repo.results


def test_locate_outside_a_repository_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitError, match="not a git repository"):
        git.locate(tmp_path / "plain")
    with pytest.raises(GitError, match="no such directory"):
        git.locate(tmp_path / "missing")


def test_clean_head_started_in_a_subfolder_sees_the_whole_tree(repo: Repo) -> None:
    # `run` starts `git status` from where it was started, before the root is known.
    repo.write("bot/calc.py", "VALUE = 1\n")
    sha = repo.commit("one")
    assert git.start_clean_head(repo.path / "bot")() == sha
    repo.write("top.txt", "untracked, outside the folder")
    assert git.start_clean_head(repo.path / "bot")() == ""


def rev_parse(where: Path) -> tuple[Path, Path] | None:
    done = subprocess.run(
        ["git", "rev-parse", "--show-toplevel", "--absolute-git-dir"],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.splitlines()
    return (Path(lines[0]), Path(lines[1])) if done.returncode == 0 and len(lines) == 2 else None


def test_the_file_system_answer_is_git_s_own(repo: Repo, tmp_path: Path) -> None:
    # `locate` reads the plain case without a git process: it must say what git says, from
    # the root, a subfolder, a linked worktree, a folder reached through a symbolic link, and
    # a repository whose `.git` file points elsewhere with a relative path.
    repo.commit("first")
    (repo.path / "bot" / "deep").mkdir(parents=True)
    repo.git("worktree", "add", "-q", str(tmp_path / "linked"), "-b", "linked")
    (tmp_path / "alias").symlink_to(repo.path / "bot")
    moved = tmp_path / "moved"
    moved.mkdir()
    subprocess.run(
        ["git", "init", "-q", "--separate-git-dir", str(tmp_path / "moved.git"), str(moved)],
        check=True,
    )
    (moved / ".git").write_text("gitdir: ../moved.git\n")
    places = [repo.path, repo.path / "bot" / "deep", tmp_path / "linked", tmp_path / "alias"]
    for where in [*places, moved]:
        found = git.found_without_git(where)
        assert found is not None, where
        assert found == rev_parse(where) == git.locate(where), where


@pytest.mark.parametrize(
    "case", ["GIT_DIR", "core.worktree", "bare", "inside .git", "other file system", "no repo"]
)
def test_anything_but_the_plain_case_is_left_to_git(
    case: str, repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit("first")
    where = repo.path
    if case == "GIT_DIR":
        monkeypatch.setenv("GIT_DIR", str(repo.path / ".git"))
    elif case == "core.worktree":
        repo.git("config", "core.worktree", str(repo.path))
    elif case == "bare":
        where = tmp_path / "bare.git"
        subprocess.run(["git", "init", "-q", "--bare", str(where)], check=True)
    elif case == "inside .git":
        where = repo.path / ".git"
    elif case == "other file system":
        if Path("/proc/self").stat().st_dev == Path("/").stat().st_dev:
            pytest.skip("needs /proc on a file system of its own")
        where = Path("/proc/self")
    else:
        where = tmp_path / "plain"
        where.mkdir()
    assert git.found_without_git(where) is None
    if case not in ("bare", "inside .git", "no repo", "other file system"):
        assert git.locate(where) == rev_parse(where)  # git answers, as before
