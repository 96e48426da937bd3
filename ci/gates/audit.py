"""audit: pip-audit on the hash-locked requirements, against OSV.

The service is osv.dev by default; `osv_url` points at another OSV-compatible one,
and `osv_db` (a directory of OSV records, e.g. a PyPA advisory-database snapshot)
is served on loopback for machines without internet.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from ci.core import proc
from ci.core.config import AuditConfig
from ci.core.result import Finding, GateResult, Status
from ci.gates.interface import GateContext

_HINT = "pip install --require-hashes -r requirements/ci.txt"
_OFFLINE_TIP = (
    "tip: no vulnerability service answered; offline, set BOTTIE_OSV_DB to a directory of "
    "OSV records (e.g. a PyPA advisory-database snapshot's vulns/)"
)


def _pip_audit() -> str:
    return proc.tool("pip-audit", install_hint=_HINT)


class AuditGate:
    name = "audit"
    description = "pip-audit (OSV) on the hash-locked requirements"
    needs = ("pip-audit",)

    def run(self, ctx: GateContext) -> GateResult:
        cfg = ctx.config.audit
        findings: list[Finding] = []
        reports: dict[str, Any] = {}
        with _service(ctx.root, cfg) as url, tempfile.TemporaryDirectory() as cache:
            for requirements in cfg.requirements:
                if not (ctx.root / requirements).is_file():
                    return GateResult(self.name, Status.ERROR, f"{requirements}: no such file")
                argv = [
                    _pip_audit(),
                    "-r",
                    requirements,
                    "--require-hashes",
                    "--disable-pip",
                    "--strict",
                    "--format=json",
                    "--progress-spinner=off",
                    "-s",
                    "osv",
                    f"--cache-dir={cache}",
                    f"--timeout={int(cfg.timeout)}",
                ]
                if url:
                    argv.append(f"--osv-url={url}")
                result = proc.run(argv, cwd=ctx.root, timeout=cfg.timeout, cancel=ctx.cancel)
                report = _parse(result)
                if report is None:
                    return _broken(self.name, requirements, result)
                reports[requirements] = report
                findings += _findings(report, requirements)
        artifact = ctx.results_dir / "audit.json"
        ctx.results_dir.mkdir(parents=True, exist_ok=True)
        artifact.write_text(json.dumps(reports, indent=2) + "\n", encoding="utf-8")
        counted = sum(len(r.get("dependencies", [])) for r in reports.values())
        if findings:
            return GateResult.failed(
                self.name,
                findings,
                f"{len(findings)} known vulnerability(ies)",
                artifacts={"audit": str(artifact)},
            )
        return GateResult(
            self.name,
            Status.PASSED,
            f"no known vulnerabilities in {counted} pinned packages",
            artifacts={"audit": str(artifact)},
        )


@contextmanager
def _service(root: Path, cfg: AuditConfig) -> Iterator[str | None]:
    database = os.environ.get("BOTTIE_OSV_DB") or cfg.osv_db
    if database:
        # Imported here: the local OSV service needs yaml and packaging, which `ci run
        # <other gates>` should not load.
        from ci.gates.audit_osv import serving

        with serving((root / database).resolve()) as url:
            yield url
        return
    with nullcontext(os.environ.get("BOTTIE_OSV_URL") or cfg.osv_url) as url:
        yield url


def _parse(result: proc.ProcResult) -> dict[str, Any] | None:
    if result.returncode not in (0, 1):
        return None
    try:
        report = json.loads(result.stdout)
    except ValueError:
        return None
    return report if isinstance(report, dict) and "dependencies" in report else None


def _broken(gate: str, requirements: str, result: proc.ProcResult) -> GateResult:
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    last = lines[-1] if lines else result.describe()
    if any(word in result.stderr for word in ("ConnectionError", "Max retries", "connect")):
        return GateResult(
            gate,
            Status.ERROR,
            f"{requirements}: could not reach the vulnerability service",
            output=f"{last[:300]}\n{_OFFLINE_TIP}",
        )
    return GateResult(
        gate,
        Status.ERROR,
        f"{requirements}: pip-audit could not audit: {last[:200]}",
        output=result.output,
    )


def _findings(report: dict[str, Any], requirements: str) -> list[Finding]:
    findings = []
    for dep in report.get("dependencies", []):
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            aliases = ", ".join(sorted(vuln.get("aliases", [])))  # pip-audit gives a set
            ids = vuln["id"] + (f" ({aliases})" if aliases else "")
            findings.append(
                Finding(
                    f"{dep['name']} {dep['version']}: {ids}; fixed in {fixes}",
                    file=requirements,
                    rule=vuln["id"],
                )
            )
    return findings
