"""tests: pytest + pytest-cov on the fast unit tests; JUnit and coverage XML for CI."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import defusedxml.ElementTree as SafeET

from ci.core import botenv, proc, redaction
from ci.core.result import Finding, GateResult, Status
from ci.gates.interface import GateContext
from logsafe import Redactor, is_secret_name

# Set in the child pytest, so a suite that runs gates cannot start this gate on itself again.
_INSIDE = "BOTTIE_TESTS_GATE_ROOT"
_NO_TESTS = 5


class TestsGate:
    __test__ = False  # a gate, not a pytest test class
    name = "tests"
    description = "pytest + pytest-cov on the fast tests (JUnit and coverage XML written)"
    needs = ("pytest", "pytest-cov")

    def run(self, ctx: GateContext) -> GateResult:
        if os.environ.get(_INSIDE) == str(ctx.root):
            return GateResult(self.name, Status.SKIPPED, "already running inside this gate")
        cfg = ctx.config.tests
        junit = ctx.results_dir / "junit.xml"
        coverage = ctx.results_dir / "coverage.xml"
        for stale in (junit, coverage):
            stale.unlink(missing_ok=True)
        argv = [
            botenv.bot_python(ctx.root, ctx.config.python),
            "-m",
            "pytest",
            *cfg.paths,
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "junit_family=xunit1",
            f"--junitxml={junit}",
            *[f"--cov={source}" for source in cfg.coverage_source],
            f"--cov-report=xml:{coverage}",
            "--cov-report=term",
            f"--cov-fail-under={cfg.fail_under}",
        ]
        if cfg.exclude_markers:
            argv += ["-m", " and ".join(f"not {m}" for m in cfg.exclude_markers)]
        argv += _worker_args(cfg.workers)
        # The code under test never holds the real secrets: canaries stand in for them.
        env = {
            **redaction.canary_environ(),
            _INSIDE: str(ctx.root),
            "COVERAGE_FILE": str(ctx.results_dir / ".coverage"),
        }
        hide = redaction.redactor(extra=_local_env_secrets(ctx.root / ".env"))
        result = proc.run(
            argv, cwd=ctx.root, env=env, timeout=cfg.timeout, cancel=ctx.cancel, redactor=hide
        )
        for report in (junit, coverage):
            _redact_file(report, hide)
        artifacts = {p.name: str(p) for p in (junit, coverage) if p.exists()}
        return _verdict(self.name, result, junit, coverage, cfg.fail_under, artifacts)


def _worker_args(workers: int | str | None) -> list[str]:
    """pytest-xdist's `-n` when the config asks for workers and xdist is installed.

    Off by default: a bot's own tests may share files or ports. Without xdist the same tests
    run in one process, only slower."""
    if workers is None or importlib.util.find_spec("xdist") is None:
        return []
    return ["-n", str(workers)]


def _verdict(
    name: str,
    result: proc.ProcResult,
    junit: Path,
    coverage: Path,
    fail_under: float,
    artifacts: dict[str, str],
) -> GateResult:
    output = result.output
    if result.returncode == _NO_TESTS:
        return GateResult(name, Status.FAILED, "no tests were collected", output=output)
    if result.timed_out or result.cancelled or not junit.exists():
        return GateResult(name, Status.ERROR, result.describe(), output=output)
    failures = failed_tests(junit)
    if failures:
        return GateResult(
            name,
            Status.FAILED,
            f"{len(failures)} test(s) failed",
            findings=tuple(failures),
            output=output,
            artifacts=artifacts,
        )
    percent = coverage_percent(coverage)
    if result.returncode != 0 and percent is not None and percent < fail_under:
        return GateResult(
            name,
            Status.FAILED,
            f"coverage {percent:.1f}% is below the required {fail_under:g}%",
            output=output,
            artifacts=artifacts,
        )
    if result.returncode != 0:
        return GateResult(name, Status.ERROR, result.describe(), output=output, artifacts=artifacts)
    passed = _count(junit)
    cov = f", coverage {percent:.1f}%" if percent is not None else ""
    return GateResult(
        name, Status.PASSED, f"{passed} tests passed{cov}", output=output, artifacts=artifacts
    )


def _local_env_secrets(path: Path) -> list[str]:
    """Secret values in the local, ignored .env, which code under test may load itself."""
    if not path.is_file():
        return []
    values = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        name, sep, value = line.removeprefix("export ").partition("=")
        if sep and is_secret_name(name.strip()):
            values.append(value.strip().strip("'\""))
    return [v for v in values if v]


def _redact_file(path: Path, hide: Redactor) -> None:
    """Rewrite a report the child wrote with every secret form masked (it may quote them)."""
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    masked = hide.redact(text)
    if masked != text:
        path.write_text(masked, encoding="utf-8")


def failed_tests(junit: Path) -> list[Finding]:
    findings = []
    for case in SafeET.parse(junit).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            continue
        test_id = f"{case.get('file') or case.get('classname')}::{case.get('name')}"
        message = (problem.get("message") or problem.tag).splitlines()[0][:300]
        line = case.get("line")
        findings.append(
            Finding(
                f"{test_id}: {message}",
                file=case.get("file"),
                line=int(line) + 1 if line and line.isdigit() else None,
                rule="test",
            )
        )
    return findings


def coverage_percent(coverage: Path) -> float | None:
    if not coverage.exists():
        return None
    rate = SafeET.parse(coverage).getroot().get("line-rate")
    return float(rate) * 100 if rate is not None else None


def _count(junit: Path) -> int:
    return sum(
        1 for case in SafeET.parse(junit).getroot().iter("testcase") if case.find("skipped") is None
    )
