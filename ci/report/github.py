"""GitHub Actions: workflow-command annotations and a Markdown job summary."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from ci.gates.interface import Finding, GateResult, Status

_ICON = {Status.PASSED: "✅", Status.FAILED: "❌", Status.ERROR: "💥", Status.SKIPPED: "⏭️"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's own encoding rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(gate: str, finding: Finding, level: str = "error") -> str:
    props = [f"title={escape_property(gate + (': ' + finding.rule if finding.rule else ''))}"]
    if finding.file:
        props.insert(0, f"file={escape_property(finding.file)}")
        if finding.line:
            props.insert(1, f"line={finding.line}")
    return f"::{level} {','.join(props)}::{escape_data(finding.message)}"


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
        self.environ = os.environ if environ is None else environ

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
        path = self.environ.get("GITHUB_STEP_SUMMARY")
        if path:
            with Path(path).open("a", encoding="utf-8") as handle:
                handle.write(summary_markdown(results))


def append_summary(markdown: str, environ: Mapping[str, str] | None = None) -> bool:
    """Append to the job summary when running under GitHub Actions; whether it did."""
    env = os.environ if environ is None else environ
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path or env.get("GITHUB_ACTIONS") != "true":
        return False
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(markdown + "\n")
    return True
