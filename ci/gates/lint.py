"""lint: `ruff check` and `ruff format --check`, with T20 (no stray print) on the bot."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

from ci.core import botenv, proc
from ci.core.errors import ConfigError
from ci.core.result import Finding, GateResult, Status
from ci.gates.interface import GateContext

_RUFF_HINT = "pip install ruff (it is in requirements/ci.txt)"


def ruff_executable() -> str:
    return proc.tool("ruff", install_hint=_RUFF_HINT)


def ruff_for(ctx: GateContext) -> tuple[str, str]:
    """(ruff, which one): the bot's own pinned ruff when its environment has one, else ours.

    Linting runs none of the bot's code, so a bot environment that is not built yet is no
    error here (the tests and smoke gates refuse it); the summary says whose ruff ran."""
    python: str = ctx.settings["python"]
    if not botenv.configured(python):
        return ruff_executable(), "the pipeline's ruff"
    try:
        own = botenv.tool_beside(botenv.bot_python(ctx.root, python), "ruff")
    except ConfigError:
        return ruff_executable(), "the pipeline's ruff: the bot's environment is not built"
    return (own, "the bot's ruff") if own else (ruff_executable(), "the pipeline's ruff")


class LintGate:
    name = "lint"
    description = "ruff check + ruff format --check (T20 on the bot's code)"
    needs = ("ruff",)

    def run(self, ctx: GateContext) -> GateResult:
        # Plain values, not ctx.config: linting needs neither pydantic nor the models.
        paths: list[str] = ctx.settings["lint"]["paths"]
        print_free = [p for p in ctx.settings["lint"]["print_free"] if (ctx.root / p).exists()]
        ruff, which = ruff_for(ctx)
        return lint(self.name, ctx.root, paths, print_free, cancel=ctx.cancel, ruff=(ruff, which))


def lint(
    name: str,
    root: Path,
    paths: Sequence[str],
    print_free: Sequence[str],
    *,
    force_exclude: bool = False,
    cancel: threading.Event | None = None,
    ruff: tuple[str, str] | None = None,
) -> GateResult:
    """ruff check and format --check on `paths`, and T20 on `print_free`, as one result.

    The ruff calls run side by side (all started before any is waited for), each with ruff's
    cache (`.ruff_cache/`, which ignores itself in git), so an unchanged file is not linted
    again. `force_exclude` keeps ruff's excluded files out even when they are named one by
    one (as a commit hook names them). `ruff` is (executable, whose it is) when not the
    pipeline's own (`ruff_for`)."""
    runs = [("check", *paths), ("format", "--check", *paths)]
    if print_free:
        runs.append(("check", "--select", "T20", *print_free))
    if force_exclude:
        runs = [(*args, "--force-exclude") for args in runs]
    executable, which = ruff or (ruff_executable(), "the pipeline's ruff")
    started = [proc.start([executable, *args, "--output-format=json"], cwd=root) for args in runs]
    results = [run.wait(cancel=cancel) for run in started]
    findings: list[Finding] = []
    for result in results:
        if result.returncode not in (0, 1):
            return GateResult(name, Status.ERROR, result.describe(), output=result.output)
        findings += [f for f in _parse(result.stdout, root) if f not in findings]
    if findings:
        return GateResult.failed(name, findings, f"{len(findings)} problem(s) ({which})")
    return GateResult(name, Status.PASSED, f"ruff check and format clean ({which})")


def _parse(stdout: str, root: Path) -> list[Finding]:
    try:
        items = json.loads(stdout or "[]")
    except json.JSONDecodeError:
        return [Finding(f"ruff printed output that is not JSON: {stdout[:200]!r}")]
    findings = []
    for item in items:
        path = Path(item["filename"])
        rel = path.relative_to(root) if path.is_relative_to(root) else path
        message = item["message"]
        if item.get("code") == "unformatted":
            message += " (run `ruff format`)"
        findings.append(
            Finding(message, file=str(rel), line=item["location"]["row"], rule=item.get("code"))
        )
    return findings
