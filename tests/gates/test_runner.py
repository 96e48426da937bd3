from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from ci.core.errors import ToolNotFoundError, UsageError
from ci.core.result import GateResult, Status
from ci.gates import runner
from ci.gates.interface import GateContext
from tests.helpers import Repo


@dataclass
class FakeGate:
    """A gate whose behaviour the test chooses; stands in for real tools here only."""

    name: str
    outcome: Status = Status.PASSED
    delay: float = 0.0
    raises: Exception | None = None
    description: str = "fake"
    needs: tuple[str, ...] = ()

    def run(self, ctx: GateContext) -> GateResult:
        deadline = time.monotonic() + self.delay
        while time.monotonic() < deadline and not ctx.cancel.is_set():
            time.sleep(0.01)
        if self.raises:
            raise self.raises
        return GateResult(self.name, self.outcome, "done")


def test_select_unknown_gate() -> None:
    with pytest.raises(UsageError, match="unknown gate 'x'"):
        runner.select(["x"])


def test_select_all_by_default() -> None:
    assert [g.name for g in runner.select([])] == list(runner.GATES)


def test_gates_run_in_parallel(repo: Repo) -> None:
    """All four are running at once: each waits for the other three (no timing claim; the
    speed-up is measured in benchmarks/gates.py)."""
    all_started = threading.Barrier(4, timeout=60)

    @dataclass
    class Meeting(FakeGate):
        def run(self, ctx: GateContext) -> GateResult:
            all_started.wait()  # raises BrokenBarrierError when run one at a time
            return GateResult(self.name, Status.PASSED, "met")

    results = runner.run_gates([Meeting(f"g{i}") for i in range(4)], repo.context())
    assert [(r.status, r.summary) for r in results] == [(Status.PASSED, "met")] * 4


def test_fail_fast_cancels_the_rest(repo: Repo) -> None:
    gates = [FakeGate("bad", Status.FAILED), FakeGate("slow", delay=30)]
    results = runner.run_gates(gates, repo.context(), fail_fast=True)
    assert results[0].status is Status.FAILED
    assert results[1].status is Status.SKIPPED


def test_missing_tool_becomes_an_error_result_with_tip(repo: Repo) -> None:
    gate = FakeGate(
        "tool", raises=ToolNotFoundError("executable `x` not found", tip="pip install x")
    )
    (result,) = runner.run_gates([gate], repo.context())
    assert result.status is Status.ERROR
    assert result.summary == "executable `x` not found (tip: pip install x)"


def test_results_are_saved_and_loaded(repo: Repo) -> None:
    ctx = repo.context()
    runner.run_gates([FakeGate("a"), FakeGate("b", Status.FAILED)], ctx)
    loaded = runner.load_results(ctx.results_dir)
    assert {k: v.status for k, v in loaded.items()} == {"a": Status.PASSED, "b": Status.FAILED}


def test_sequential_runs_one_at_a_time(repo: Repo) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    @dataclass
    class Counting(FakeGate):
        def run(self, ctx: GateContext) -> GateResult:
            nonlocal active, peak
            with lock:
                active += 1
                peak = max(peak, active)
            time.sleep(0.05)
            with lock:
                active -= 1
            return GateResult(self.name, Status.PASSED, "ok")

    runner.run_gates([Counting("a"), Counting("b"), Counting("c")], repo.context(), parallel=False)
    assert peak == 1


def test_results_record_the_commit_they_checked(repo: Repo) -> None:
    ctx = repo.context().replace(sha="a" * 40)
    (result,) = runner.run_gates([FakeGate("a")], ctx)
    assert result.sha == "a" * 40
    assert runner.load_results(ctx.results_dir)["a"].sha == "a" * 40


def test_clean_head_is_empty_for_uncommitted_changes(repo: Repo) -> None:
    from ci.core import git

    assert git.clean_head(repo.path) == ""  # no commit yet
    repo.write("a.txt", "one")
    assert git.clean_head(repo.path) == ""
    sha = repo.commit("one")
    assert git.clean_head(repo.path) == sha
    repo.write("a.txt", "two")
    assert git.clean_head(repo.path) == ""
    repo.git("checkout", "a.txt")
    repo.write("new.txt", "untracked")
    assert git.clean_head(repo.path) == ""
    (repo.path / "new.txt").unlink()
    repo.git("add", "a.txt")
    repo.write("a.txt", "two")
    repo.git("add", "a.txt")  # staged only
    assert git.clean_head(repo.path) == ""


def test_a_gate_that_crashes_becomes_its_own_error_and_the_others_finish(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    from rich.console import Console

    from ci.report.terminal import TerminalReporter

    crash = FakeGate("crash", raises=KeyError("token=s3cr3t-value"))
    others = [FakeGate("a", delay=0.2), FakeGate("b", Status.FAILED)]
    ctx = repo.context()
    reporter = TerminalReporter(Console(force_terminal=False, width=200))
    results = runner.run_gates([crash, *others], ctx, [reporter])
    assert [r.status for r in results] == [Status.ERROR, Status.PASSED, Status.FAILED]
    summary = results[0].summary
    assert summary.startswith("the gate crashed: KeyError; the traceback is in ")
    log = ctx.results_dir / "crash-crash.log"
    assert "KeyError" in log.read_text()
    printed = capsys.readouterr().out
    assert "gates" in printed and "crash" in printed  # the summary table printed


def test_an_unwritable_results_dir_is_one_clear_error(repo: Repo) -> None:
    from ci.core.errors import CiError

    (repo.path / "results").write_text("a file, not a folder")
    ctx = GateContext(
        root=repo.path, settings=repo.context().settings, results_dir=repo.path / "results"
    )
    with pytest.raises(CiError, match=r"results directory .*results: cannot write there"):
        runner.run_gates([FakeGate("a")], ctx)


def test_a_failure_of_the_runner_itself_stops_the_other_gates(repo: Repo) -> None:
    # Ctrl-C, or a results folder that refuses a write: the gates still running are cancelled
    # (their tools stopped) before the runner waits for them, not after.
    stopped: list[bool] = []

    @dataclass
    class Waiting(FakeGate):
        def run(self, ctx: GateContext) -> GateResult:
            stopped.append(ctx.cancel.wait(timeout=30))
            return GateResult(self.name, Status.SKIPPED, "cancelled")

    class Failing:
        def start(self, gates: Sequence[str]) -> None: ...
        def gate_started(self, gate: str) -> None: ...
        def finish(self, results: Sequence[GateResult]) -> None: ...

        def gate_finished(self, result: GateResult) -> None:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.run_gates([FakeGate("quick"), Waiting("slow")], repo.context(), [Failing()])
    assert stopped == [True]
