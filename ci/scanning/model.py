"""What a secret scan returns, whichever detector found it: findings, each with the
fingerprint that `.gitleaksignore` takes to allow it."""

from __future__ import annotations

from pathlib import Path

from ci.core.frozen import Frozen
from ci.core.result import Finding

IGNORE_FILE = ".gitleaksignore"


class Scan(Frozen):
    __slots__ = _fields = ("findings", "fingerprints")
    findings: tuple[Finding, ...]
    fingerprints: tuple[str, ...]  # one per finding, in order: what .gitleaksignore takes

    def __init__(
        self, findings: tuple[Finding, ...] = (), fingerprints: tuple[str, ...] = ()
    ) -> None:
        self._set(findings=findings, fingerprints=fingerprints)

    def __add__(self, other: Scan) -> Scan:
        return Scan(self.findings + other.findings, self.fingerprints + other.fingerprints)

    def allow_hint(self) -> str:
        """How to allow these findings, should they be false positives (never a real secret)."""
        if not self.fingerprints:
            return ""
        listed = "\n".join(f"  {fingerprint}" for fingerprint in self.fingerprints)
        return (
            "a false positive (never a real secret: rotate those) is allowed by adding its "
            f"fingerprint to .gitleaksignore with a comment saying why:\n{listed}"
        )


def fingerprint(commit: str | None, file: str, rule: str, line: int) -> str:
    """gitleaks' shape: `<commit>:<file>:<rule>:<line>`, or `<file>:<rule>:<line>` uncommitted."""
    return f"{commit}:{file}:{rule}:{line}" if commit else f"{file}:{rule}:{line}"


def allowed(root: Path) -> frozenset[str]:
    """The fingerprints listed in root/.gitleaksignore (comments and blank lines skipped)."""
    path = root / IGNORE_FILE
    if not path.is_file():
        return frozenset()
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return frozenset(s for line in lines if (s := line.split("#", 1)[0].strip()))
