"""Plain lines for a log, a pipe or a commit hook: each gate as it finishes, then a summary.

No terminal, no live progress and no colour to draw, so nothing to import beyond the
standard library (a commit hook's output is read in a pager or a CI log). Lines are never
wrapped: a finding's file and line stay on one line for a person or a tool to follow.
"""

from __future__ import annotations

from collections.abc import Sequence

from ci.core.result import GateResult

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:
    from typing import TextIO

_COLUMNS = ("gate", "status", "time", "summary")


class PlainReporter:
    def __init__(self, stream: TextIO, *, verbose: bool = False) -> None:
        self.stream = stream
        self.verbose = verbose

    def start(self, gates: Sequence[str]) -> None:
        pass

    def gate_started(self, gate: str) -> None:
        pass

    def gate_finished(self, result: GateResult) -> None:
        lines = [
            f"{result.status.value:>7} {result.gate:<10} {result.duration:6.1f}s  {result.summary}"
        ]
        if result.output and (self.verbose or not result.status.ok):
            lines.append(indent(result.output))
        self._write(lines)

    def finish(self, results: Sequence[GateResult]) -> None:
        rows = [
            _COLUMNS,
            *((r.gate, r.status.value, f"{r.duration:.1f}s", r.summary) for r in results),
        ]
        # Every column but the last (the summary) padded to its widest cell.
        widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
        table = [
            "  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)), row[-1]])
            for row in rows
        ]
        self._write(["gates", *table])

    def _write(self, lines: list[str]) -> None:
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()


def indent(text: str, limit: int = 60) -> str:
    """A gate's output set off under its line: the last `limit` lines, indented."""
    lines = text.splitlines()
    shown = lines[-limit:]
    prefix = [f"    ... {len(lines) - limit} earlier lines ..."] if len(lines) > limit else []
    return "\n".join(prefix + ["    " + line for line in shown])
