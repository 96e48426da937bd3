"""Work started in a thread of its own now, its result taken later: how one short process
(a commit hook) runs its slow parts beside each other.

Not `concurrent.futures`: importing it costs about 17 ms here, a large share of a hook's time.
"""

from __future__ import annotations

import threading

TYPE_CHECKING = False  # `typing` only for the type checker: it costs a commit hook more than json
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    T = TypeVar("T")


def started(work: Callable[[], T], *, name: str) -> Callable[[], T]:
    """Start `work()` in a thread now; the function returned waits until it has ended and
    returns what it returned, or raises, in the waiting thread, what it raised."""
    outcome: list[T | BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # raised again by `wait`
            outcome.append(exc)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()

    def wait() -> T:
        thread.join()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    return wait
