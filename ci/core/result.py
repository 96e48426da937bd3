"""What a gate found: `Status`, `Finding` and `GateResult`, saved as JSON per gate."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from ci.core.frozen import Frozen

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:
    from typing import Any


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # the gate ran and found a problem
    ERROR = "error"  # the gate could not run (missing tool, tool crashed)
    SKIPPED = "skipped"  # not run: cancelled by --fail-fast, or nothing to check

    @property
    def ok(self) -> bool:
        return self in (Status.PASSED, Status.SKIPPED)


class Finding(Frozen):
    """One problem a gate found, with where it is when the tool says."""

    __slots__ = _fields = ("message", "file", "line", "rule")
    message: str
    file: str | None
    line: int | None
    rule: str | None

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        rule: str | None = None,
    ) -> None:
        self._set(message=message, file=file, line=line, rule=rule)

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "file": self.file, "line": self.line, "rule": self.rule}

    def render(self) -> str:
        """`file:line: [rule] message`, as far as the location is known."""
        where = ":".join(str(part) for part in (self.file, self.line) if part)
        rule = f"[{self.rule}] " if self.rule else ""
        return f"{where}: {rule}{self.message}" if where else f"{rule}{self.message}"


class GateResult(Frozen):
    __slots__ = _fields = (
        "gate",
        "status",
        "summary",
        "duration",
        "findings",
        "output",
        "artifacts",
        "sha",
    )
    gate: str
    status: Status
    summary: str
    duration: float
    findings: tuple[Finding, ...]
    output: str  # the tools' output, already redacted
    artifacts: dict[str, str]  # name -> path relative to root
    sha: str  # the commit the gate checked; "" when the work tree had uncommitted changes

    def __init__(
        self,
        gate: str,
        status: Status,
        summary: str,
        duration: float = 0.0,
        findings: tuple[Finding, ...] = (),
        output: str = "",
        artifacts: dict[str, str] | None = None,
        sha: str = "",
    ) -> None:
        self._set(
            gate=gate,
            status=status,
            summary=summary,
            duration=duration,
            findings=findings,
            output=output,
            artifacts={} if artifacts is None else artifacts,
            sha=sha,
        )

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
        return {
            "gate": self.gate,
            "status": self.status.value,
            "summary": self.summary,
            "duration": self.duration,
            "findings": [finding.to_dict() for finding in self.findings],
            "output": self.output,
            "artifacts": dict(self.artifacts),
            "sha": self.sha,
        }

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
