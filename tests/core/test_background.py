"""ci.core.background: work started now in a thread, its result or its error taken later
(the commit hook runs gitleaks, ruff and the seed pass this way)."""

from __future__ import annotations

import threading

import pytest

from ci.core.background import started


def test_the_work_runs_before_anyone_waits_and_its_result_is_returned() -> None:
    began = threading.Event()
    calls = []

    def work() -> str:
        calls.append(1)
        began.set()
        return "done"

    wait = started(work, name="work")
    assert began.wait(timeout=10), "the work did not start until it was waited for"
    assert wait() == "done"
    assert wait() == "done"  # asked again: the same result, the work not run again
    assert len(calls) == 1


@pytest.mark.parametrize("error", [ValueError("a bug"), SystemExit(3)])
def test_what_the_work_raised_is_raised_in_the_waiting_thread(error: BaseException) -> None:
    def work() -> str:
        raise error

    wait = started(work, name="work")
    with pytest.raises(type(error)) as raised:
        wait()
    assert raised.value is error
