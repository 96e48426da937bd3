"""A Reporter is told when gates start and finish; each output format is one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ci.core.result import GateResult


class Reporter(Protocol):
    def start(self, gates: Sequence[str]) -> None: ...

    def gate_started(self, gate: str) -> None: ...

    def gate_finished(self, result: GateResult) -> None: ...

    def finish(self, results: Sequence[GateResult]) -> None: ...
