"""The gate run under GitHub Actions: an annotation per finding and a Markdown job summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from ci.core import actions
from ci.core.result import Finding, GateResult, Status

_ICON = {Status.PASSED: "✅", Status.FAILED: "❌", Status.ERROR: "💥", Status.SKIPPED: "⏭️"}


def annotation(gate: str, finding: Finding, level: str = "error") -> str:
    title = gate + (": " + finding.rule if finding.rule else "")
    return actions.annotation(
        finding.message, title=title, file=finding.file, line=finding.line, level=level
    )


def summary_markdown(results: Sequence[GateResult]) -> str:
    lines = ["## Gates", "", "| gate | status | time | summary |", "|---|---|---|---|"]
    for r in results:
        summary = r.summary.replace("|", "\\|")
        lines.append(
            f"| {r.gate} | {_ICON[r.status]} {r.status.value} | {r.duration:.1f}s | {summary} |"
        )
    return "\n".join(lines) + "\n"


class GithubReporter:
    def __init__(self, stream: TextIO, environ: Mapping[str, str] | None = None) -> None:
        self.stream = stream
        self.environ = environ

    def start(self, gates: Sequence[str]) -> None:
        pass

    def gate_started(self, gate: str) -> None:
        pass

    def gate_finished(self, result: GateResult) -> None:
        if result.status.ok:
            return
        findings = result.findings or (Finding(result.summary),)
        for finding in findings:
            self.stream.write(annotation(result.gate, finding) + "\n")

    def finish(self, results: Sequence[GateResult]) -> None:
        actions.append_summary(summary_markdown(results), self.environ)
