"""`python -m ci hook all [FILES]`: the secrets, lint and env hooks as one, in one process.

pre-commit runs its hooks one after another, each a process of its own: three Python hooks
are three start-ups in series, and their tools run in series too. This is one process: gitleaks
starts first, ruff (check and format, with its cache, on FILES: the staged Python files that
pre-commit passes) runs beside it, and the env check runs here meanwhile.

It prints one line a part, in order, after that part's findings: `secrets: passed: ...`,
`lint: failed: 2 problem(s) ... in bot/calc.py`, `env: could not run: ...`. A part that cannot
run (a tool missing, a tool that fails, git failing) fails the hook: exit 3 when a part could
not run, else 1 when a part found a problem, else 0.

pre-commit's SKIP (hook ids, comma-separated) skips a whole hook, this one as `bottie`. The
parts are skipped here, by the ids the separate hooks have (`PARTS`): `SKIP=bottie-lint git
commit` runs secrets and env and prints `lint: skipped: ...`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from ci.commands import hook_checks
from ci.core import background, config_cache, git
from ci.core.errors import CiError, ExitCode
from ci.core.result import GateResult, Status

TYPE_CHECKING = False  # `typing` only for the type checker: it costs a commit hook more than json
if TYPE_CHECKING:
    from typing import Any

# part: the id that skips it in SKIP (the id of its separate hook)
PARTS = {"secrets": "bottie-secrets", "lint": "bottie-lint", "env": "bottie-env"}

_WORDS = {
    Status.PASSED: "passed",
    Status.FAILED: "failed",
    Status.ERROR: "could not run",
    Status.SKIPPED: "skipped",
}


def run(files: Sequence[str], environ: Mapping[str, str]) -> tuple[int, list[str]]:
    """The exit code and the lines to print of the three parts on what is staged."""
    skip = {name.strip() for name in environ.get("SKIP", "").split(",")}
    skipped = {part: f"{PARTS[part]} is in SKIP" for part in PARTS if PARTS[part] in skip}
    results: dict[str, GateResult] = {
        part: GateResult(part, Status.SKIPPED, why) for part, why in skipped.items()
    }
    if len(skipped) < len(PARTS):
        results.update(_run_parts([part for part in PARTS if part not in skipped], files))
    return _code(results.values()), _lines([results[part] for part in PARTS])


def _run_parts(parts: list[str], files: Sequence[str]) -> dict[str, GateResult]:
    root, git_dir = git.locate(Path.cwd())
    settings = config_cache.values(root, git_dir)
    checks: dict[str, Callable[[], GateResult]] = {
        "secrets": lambda: _secrets(root, settings),
        "lint": lambda: _lint(root, settings, files),
        "env": lambda: hook_checks.env_check(root, git_dir, settings),
    }
    # gitleaks takes longest: it starts first; ruff beside it; the env check in this thread.
    waits = {part: _beside(part, checks[part]) for part in parts if part != "env"}
    results = {"env": _guarded("env", checks["env"])} if "env" in parts else {}
    results.update({part: wait() for part, wait in waits.items()})
    return results


def _secrets(root: Path, settings: Mapping[str, Any]) -> GateResult:
    found = hook_checks.staged_scan(root, settings)
    if not found.findings:
        return GateResult("secrets", Status.PASSED, "no secret in the staged changes")
    count = len(found.findings)
    lines = [*hook_checks.secret_lines(found), found.allow_hint()]
    summary = f"{count} secret(s) staged: remove them, and rotate any that were real"
    return GateResult("secrets", Status.FAILED, summary, output="\n".join(lines))


def _lint(root: Path, settings: Mapping[str, Any], files: Sequence[str]) -> GateResult:
    result = hook_checks.lint_files(root, settings, files)
    if result is None:
        return GateResult("lint", Status.PASSED, "no staged Python file under the lint paths")
    if result.status != Status.FAILED:
        return result
    named = sorted({finding.file for finding in result.findings if finding.file})
    summary = f"{result.summary} in {', '.join(named)}" if named else result.summary
    return GateResult("lint", Status.FAILED, summary, output=result.output)


def _guarded(part: str, check: Callable[[], GateResult]) -> GateResult:
    """What `check` found; a known error (a tool missing, git failing) as the part's ERROR."""
    try:
        return check()
    except CiError as exc:
        from logsafe import Redactor  # only on the way out, as the CLI's own error line

        redact = Redactor.from_environ().redact
        tip = f" ({redact(exc.tip)})" if exc.tip else ""
        return GateResult(part, Status.ERROR, f"{redact(str(exc))}{tip}")


def _beside(part: str, check: Callable[[], GateResult]) -> Callable[[], GateResult]:
    """Start `check` in a thread now; the function returned waits for its result (and raises
    what it raised, other than a known error: a bug is not a part's verdict)."""
    return background.started(lambda: _guarded(part, check), name=part)


def _code(results: Iterable[GateResult]) -> int:
    statuses = {result.status for result in results}
    if Status.ERROR in statuses:
        return ExitCode.ERROR
    return ExitCode.FAILED if Status.FAILED in statuses else ExitCode.OK


def _lines(results: Sequence[GateResult]) -> list[str]:
    lines: list[str] = []
    for result in results:
        if not result.status.ok and result.output:
            lines += [line for line in result.output.splitlines() if line]
        lines.append(f"{result.gate}: {_WORDS[result.status]}: {result.summary}")
    return lines
