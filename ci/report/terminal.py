"""Live progress on a terminal, and a summary table (elsewhere: `ci/report/plain.py`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from rich.console import Console
from rich.live import Live
from rich.table import Table

from ci.core.result import GateResult, Status
from ci.report.plain import indent

_STYLE = {
    Status.PASSED: "green",
    Status.FAILED: "red",
    Status.ERROR: "red bold",
    Status.SKIPPED: "yellow",
}


class TerminalReporter:
    def __init__(self, console: Console, *, verbose: bool = False) -> None:
        self.console = console
        self.verbose = verbose
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}
        self._done: dict[str, GateResult] = {}
        self._order: list[str] = []
        self._live: Live | None = None

    def start(self, gates: Sequence[str]) -> None:
        self._order = list(gates)
        if self.console.is_terminal:
            self._live = Live(
                self._progress(),
                console=self.console,
                refresh_per_second=8,
                get_renderable=self._progress,
                transient=True,
            )
            self._live.start()

    def gate_started(self, gate: str) -> None:
        with self._lock:
            self._started[gate] = time.monotonic()

    def gate_finished(self, result: GateResult) -> None:
        with self._lock:
            self._done[result.gate] = result
        line = (
            f"[{_STYLE[result.status]}]{result.status.value:>7}[/] "
            f"{result.gate:<10} {result.duration:6.1f}s  {result.summary}"
        )
        self.console.print(line, highlight=False)
        if result.output and (self.verbose or not result.status.ok):
            self.console.print(indent(result.output), markup=False, highlight=False)

    def finish(self, results: Sequence[GateResult]) -> None:
        if self._live is not None:
            self._live.stop()
        table = Table(title="gates", title_justify="left")
        for column in ("gate", "status", "time", "summary"):
            table.add_column(column)
        for r in results:
            table.add_row(
                r.gate, f"[{_STYLE[r.status]}]{r.status.value}[/]", f"{r.duration:.1f}s", r.summary
            )
        self.console.print(table)

    def _progress(self) -> Table:
        table = Table.grid(padding=(0, 2))
        now = time.monotonic()
        with self._lock:
            for gate in self._order:
                if gate in self._done:
                    continue
                if gate in self._started:
                    table.add_row("[cyan]running[/]", gate, f"{now - self._started[gate]:.1f}s")
                else:
                    table.add_row("[dim]waiting[/]", gate, "")
        return table
