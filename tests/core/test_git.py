"""The git questions every command starts with, on real repositories."""

from __future__ import annotations

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
