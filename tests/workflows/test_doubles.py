"""The checkout test double (tests/workflows/doubles/checkout), run as act runs it: it
stands in for actions/checkout, which cannot be fetched from github.com here, so the
end-to-end tests can run on a fresh offline machine. These cases hold it to what the
workflows rely on of the real action. The download-artifact double (its download.sh)
likewise: a folder per artifact unless merge-multiple, as checklist.yml relies on."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import Repo

SCRIPT = Path(__file__).with_name("doubles") / "checkout" / "checkout.sh"
REPOSITORY = "acme/bot"


class Origin:
    """A bare repository standing for github.com/acme/bot: two commits on main, a tag."""

    def __init__(self, root: Path) -> None:
        work = Repo(root / "work")
        work.path.mkdir()
        work.git("init", "-q", "-b", "main")
        work.write("app.py", "first\n")
        self.first = work.commit("first")
        work.git("tag", "deploy/testnet/20200101T000000Z-first", self.first)
        work.write("app.py", "second\n")
        self.second = work.commit("second")
        self.path = root / "origin.git"
        work.git("clone", "-q", "--bare", str(work.path), str(self.path))


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    return Origin(tmp_path)


def checkout(origin: Origin, workspace: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "BOTTIE_TEST_ORIGIN": str(origin.path),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_SHA": origin.second,
        "GITHUB_SERVER_URL": "https://github.com",
        "REPOSITORY": inputs.get("repository", REPOSITORY),
        "REF": inputs.get("ref", ""),
        "TARGET_PATH": inputs.get("path", "."),
        "FETCH_DEPTH": inputs.get("fetch_depth", "1"),
        "PERSIST_CREDENTIALS": inputs.get("persist_credentials", "true"),
    }
    workspace.mkdir(exist_ok=True)
    return subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def git(path: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_ref_into_a_path_without_credentials(origin: Origin, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    done = checkout(origin, workspace, ref=origin.first, path="sub", persist_credentials="false")
    assert done.returncode == 0, done.stderr
    checked = workspace / "sub"
    assert (checked / "app.py").read_text() == "first\n"
    assert git(checked, "rev-parse", "HEAD") == origin.first
    assert git(checked, "rev-parse", "--is-shallow-repository") == "true"
    assert git(checked, "tag", "-l") == ""
    assert "extraheader" not in (checked / ".git" / "config").read_text()


def test_fetch_depth_0_brings_all_history_and_tags(origin: Origin, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    done = checkout(origin, workspace, fetch_depth="0", persist_credentials="false")
    assert done.returncode == 0, done.stderr
    assert git(workspace, "rev-parse", "HEAD") == origin.second  # the event's commit
    assert git(workspace, "rev-list", "--count", "HEAD") == "2"
    assert git(workspace, "tag", "-l") == "deploy/testnet/20200101T000000Z-first"


def test_a_branch_ref_checks_out_its_branch(origin: Origin, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert checkout(origin, workspace, ref="main").returncode == 0
    assert git(workspace, "symbolic-ref", "--short", "HEAD") == "main"
    assert git(workspace, "rev-parse", "HEAD") == origin.second


def test_credentials_persist_only_when_asked(origin: Origin, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert checkout(origin, workspace).returncode == 0
    header = git(workspace, "config", "--local", "http.https://github.com/.extraheader")
    assert header.startswith("AUTHORIZATION: basic")
    assert checkout(origin, workspace, persist_credentials="false").returncode == 0
    assert "extraheader" not in (workspace / ".git" / "config").read_text()


def test_the_workspace_is_left_clean(origin: Origin, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert checkout(origin, workspace).returncode == 0
    (workspace / "stray.txt").write_text("left by an earlier step\n")
    (workspace / "app.py").write_text("edited\n")
    assert checkout(origin, workspace, ref=origin.first).returncode == 0
    assert not (workspace / "stray.txt").exists()
    assert (workspace / "app.py").read_text() == "first\n"


@pytest.mark.parametrize(
    "inputs",
    [
        pytest.param({"repository": "someone/else"}, id="another-repository"),
        pytest.param({"path": "../outside"}, id="path-outside-the-workspace"),
        pytest.param({"ref": "f" * 40}, id="unknown-sha"),
        pytest.param({"ref": "no-such-branch"}, id="unknown-ref"),
    ],
)
def test_what_cannot_be_checked_out_fails_the_step(
    origin: Origin, tmp_path: Path, inputs: dict[str, str]
) -> None:
    done = checkout(origin, tmp_path / "ws", **inputs)
    assert done.returncode != 0
    assert not (tmp_path / "outside").exists()


DOWNLOAD = SCRIPT.parents[1] / "download-artifact" / "download.sh"


def download(store: Path, target: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "BOTTIE_TEST_ARTIFACTS": str(store),
        "NAME": inputs.get("name", ""),
        "PATTERN": inputs.get("pattern", ""),
        "MERGE": inputs.get("merge", "false"),
        "TARGET": str(target),
    }
    return subprocess.run(
        ["bash", str(DOWNLOAD)], env=env, capture_output=True, text=True, check=False, timeout=60
    )


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Three artifacts as the upload double leaves them: two gates' results and a checklist."""
    for name, file in (("gate-lint", "lint.json"), ("gate-tests", "tests.json")):
        (tmp_path / "store" / name).mkdir(parents=True)
        (tmp_path / "store" / name / file).write_text("{}")
    (tmp_path / "store" / "checklist").mkdir()
    (tmp_path / "store" / "checklist" / "checklist.json").write_text("{}")
    return tmp_path / "store"


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_download_a_pattern_keeps_a_folder_per_artifact(store: Path, tmp_path: Path) -> None:
    done = download(store, tmp_path / "out", pattern="gate-*")
    assert done.returncode == 0, done.stderr
    assert _files(tmp_path / "out") == {"gate-lint/lint.json", "gate-tests/tests.json"}


def test_download_a_pattern_merged_puts_every_file_in_one_folder(
    store: Path, tmp_path: Path
) -> None:
    done = download(store, tmp_path / "out", pattern="gate-*", merge="true")
    assert done.returncode == 0, done.stderr
    assert _files(tmp_path / "out") == {"lint.json", "tests.json"}


def test_download_by_name_and_a_missing_name_fails(store: Path, tmp_path: Path) -> None:
    assert download(store, tmp_path / "out", name="checklist").returncode == 0
    assert _files(tmp_path / "out") == {"checklist.json"}
    missing = download(store, tmp_path / "none", name="checklist-mainnet")
    assert missing.returncode != 0 and "no artifact checklist-mainnet" in missing.stderr
