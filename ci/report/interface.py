"""A Reporter is told when gates start and finish; each output format is one."""

from __future__ import annotations

from collections.abc import Sequence

from ci.core.result import GateResult

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object  # a reporter is any object with these methods


class Reporter(Protocol):
    def start(self, gates: Sequence[str]) -> None: ...

    def gate_started(self, gate: str) -> None: ...

    def gate_finished(self, result: GateResult) -> None: ...

    def finish(self, results: Sequence[GateResult]) -> None: ...
