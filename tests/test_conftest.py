"""The suite's own machinery: under CI=true a skipped end-to-end test fails the run
(tests/ci_skips.py); what the workers of one run share is built once (tests/helpers.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests import ci_skips
from tests.helpers import PROJECT_ROOT, Repo, made_once

SUITE = """
import pytest

@pytest.mark.e2e
def test_needs_act():
    pytest.skip("act is not installed")

@pytest.mark.e2e
@pytest.mark.skipif(True, reason="no copy of actions/checkout")
def test_marked_skip():
    pass

def test_fast_and_skipped():
    pytest.skip("not on this platform")
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\nmarkers =\n    e2e: end to end\n")
    pytester.makepyfile(test_suite=SUITE)
    pytester.makepyfile(
        test_module_skip='import pytest\npytest.skip("no act", allow_module_level=True)\n'
    )
    return pytester


def test_under_ci_a_skipped_e2e_test_fails(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest(
        "-p", "no:randomly", "--continue-on-collection-errors", plugins=[ci_skips]
    )
    result.assert_outcomes(failed=1, errors=2, skipped=1)  # a skip in setup: an error
    for line in (
        "FAILED *test_needs_act - an end-to-end test may not skip under CI=true*act is not*",
        "ERROR *test_marked_skip - an end-to-end test may not skip*no copy of actions/checkout",
        "ERROR *test_module_skip.py - a test module may not skip under CI=true*no act",
    ):
        result.stdout.fnmatch_lines([line])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_outside_ci_a_skip_stays_a_skip(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = suite.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", plugins=[ci_skips])
    result.assert_outcomes(skipped=4)
    assert result.ret == pytest.ExitCode.OK


def test_the_e2e_modules_never_depend_on_a_path_of_this_machine() -> None:
    machine_path = "/" + "work" + "/"  # written in parts: the repository names no machine path
    for name in ("test_e2e.py", "test_e2e_ssh.py", "conftest.py"):
        text = (Path(__file__).parent / "workflows" / name).read_text(encoding="utf-8")
        assert machine_path not in text and "skipif" not in text, name


SHARED = """
import os
import pytest
from tests.helpers import shared_by_workers

@pytest.fixture(scope="session")
def built(tmp_path_factory):
    with shared_by_workers(tmp_path_factory, "thing") as folder:
        if not (folder / "made").exists():
            with open(os.environ["BUILD_LOG"], "a") as log:
                log.write(os.environ.get("PYTEST_XDIST_WORKER", "main") + "\\n")
            (folder / "made").write_text("once")
        return (folder / "made").read_text()

@pytest.mark.parametrize("n", range(6))
def test_reads_it(built, n):
    assert built == "once"
"""


@pytest.mark.usefixtures("lean_child_pytest")
def test_what_the_workers_share_is_built_once_per_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_shared=SHARED)
    log = pytester.path / "builds.log"
    monkeypatch.setenv("BUILD_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    # Of the installed pytest plugins the runs need xdist alone: each of their three processes
    # (the controller and two workers) goes without loading the others (about 0.2 s of CPU).
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for _ in range(2):  # a second run builds its own: nothing is shared across runs
        result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist.plugin", "-v")
        result.assert_outcomes(passed=6)
        for worker in ("gw0", "gw1"):  # both workers asked, in whichever order they answer
            assert re.search(rf"^\[{worker}\].* PASSED ", result.stdout.str(), re.M), worker
    assert len(log.read_text().splitlines()) == 2


GROUPED = """
import pytest

@pytest.mark.xdist_group("story")
@pytest.mark.parametrize("n", range(8))
def test_part_of_the_story(n):
    pass

@pytest.mark.parametrize("n", range(8))
def test_on_its_own(n):
    pass
"""


@pytest.mark.usefixtures("lean_child_pytest")
def test_loadgroup_keeps_an_xdist_group_on_one_worker(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `./dev test` relies on for the end-to-end story (tests/workflows/test_e2e.py): with
    `--dist loadgroup` the tests of one xdist_group run on one worker, one after another, while
    the other worker takes the rest. (pytest 9.2 with pytest-xdist 3.8 spreads them: the pin in
    requirements/ci.in.)"""
    pytester.makepyfile(test_grouped=GROUPED)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    result = pytester.runpytest_subprocess(
        "-n", "2", "--dist", "loadgroup", "-p", "xdist.plugin", "-v"
    )
    result.assert_outcomes(passed=16)
    ran_on = re.findall(r"^\[(gw\d)\].*? PASSED \S*::(\w+)", result.stdout.str(), re.M)
    story = {worker for worker, test in ran_on if test == "test_part_of_the_story"}
    assert len(story) == 1, f"the story's tests ran on {sorted(story)}"
    assert {worker for worker, _ in ran_on} == {"gw0", "gw1"}  # the other tests spread


def test_commit_each_makes_the_history_commit_would(repo: Repo) -> None:
    repo.write("a.txt", "one\n")
    first = repo.commit("first")
    changes: list[tuple[str, dict[str, str | None]]] = [
        ("two", {"a.txt": "two\n", "b/c.txt": "new\n"}),
        ("three", {"a.txt": None}),
        ("same again", {"b/c.txt": "new\n"}),  # nothing changed: a commit all the same
    ]
    shas = repo.commit_each(changes)
    assert repo.git("rev-list", "--reverse", "HEAD").split() == [first, *shas]
    assert repo.git("log", "--reverse", "--format=%s").splitlines() == [
        "first",
        *[message for message, _ in changes],
    ]
    assert repo.git("show", f"{shas[0]}:a.txt") == "two\n"
    assert repo.git("ls-tree", "-r", "--name-only", shas[1]).split() == ["b/c.txt"]
    people = "%an <%ae> %cn <%ce>"
    assert repo.git("log", "-1", f"--format={people}", shas[2]) == repo.git(
        "log", "-1", f"--format={people}", first
    )
    assert repo.git("status", "--porcelain") == ""  # the work tree and index followed
    assert not (repo.path / "a.txt").exists()
    assert (repo.path / "b" / "c.txt").read_text() == "new\n"


def test_made_once_answers_from_one_make_and_starts_afresh_after_a_failure(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    name = f"made-once-{tmp_path.name}"  # this test's own, in the folder the run's workers share

    def failing(folder: Path) -> dict[str, Any]:
        (folder / "half").write_text("left behind")
        raise RuntimeError("the build broke")

    with pytest.raises(RuntimeError):
        made_once(tmp_path_factory, name, failing)
    found: list[list[str]] = []

    def make(folder: Path) -> dict[str, Any]:
        found.append(sorted(path.name for path in folder.iterdir()))
        (folder / "built").write_text("once")
        return {"folder": str(folder)}

    first = made_once(tmp_path_factory, name, make)
    assert made_once(tmp_path_factory, name, make) == first
    assert found == [[]]  # made once, in a folder cleared of what the failure left
    assert (Path(first["folder"]) / "built").read_text() == "once"
