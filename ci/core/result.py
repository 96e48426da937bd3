"""What a gate found: `Status`, `Finding` and `GateResult`, saved as JSON per gate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # the gate ran and found a problem
    ERROR = "error"  # the gate could not run (missing tool, tool crashed)
    SKIPPED = "skipped"  # not run: cancelled by --fail-fast, or nothing to check

    @property
    def ok(self) -> bool:
        return self in (Status.PASSED, Status.SKIPPED)


@dataclass(frozen=True)
class Finding:
    """One problem a gate found, with where it is when the tool says."""

    message: str
    file: str | None = None
    line: int | None = None
    rule: str | None = None

    def render(self) -> str:
        """`file:line: [rule] message`, as far as the location is known."""
        where = ":".join(str(part) for part in (self.file, self.line) if part)
        rule = f"[{self.rule}] " if self.rule else ""
        return f"{where}: {rule}{self.message}" if where else f"{rule}{self.message}"


@dataclass(frozen=True)
class GateResult:
    gate: str
    status: Status
    summary: str
    duration: float = 0.0
    findings: tuple[Finding, ...] = ()
    output: str = ""  # the tools' output, already redacted
    artifacts: dict[str, str] = field(default_factory=dict)  # name -> path relative to root
    sha: str = ""  # the commit the gate checked; "" when the work tree had uncommitted changes

    @classmethod
    def failed(
        cls,
        gate: str,
        findings: Sequence[Finding],
        summary: str = "",
        artifacts: dict[str, str] | None = None,
    ) -> GateResult:
        """A FAILED result listing `findings`, one rendered line each as its output."""
        return cls(
            gate,
            Status.FAILED,
            summary or f"{len(findings)} problem(s)",
            findings=tuple(findings),
            output="\n".join(f.render() for f in findings),
            artifacts=dict(artifacts or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GateResult:
        return cls(
            gate=data["gate"],
            status=Status(data["status"]),
            summary=data["summary"],
            duration=float(data.get("duration", 0.0)),
            findings=tuple(Finding(**f) for f in data.get("findings", ())),
            output=data.get("output", ""),
            artifacts=dict(data.get("artifacts", {})),
            sha=str(data.get("sha", "")),
        )
