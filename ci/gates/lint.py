"""lint: `ruff check` and `ruff format --check`, with T20 (no stray print) on the bot."""

from __future__ import annotations

import json
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
    if not botenv.configured(ctx.config.python):
        return ruff_executable(), "the pipeline's ruff"
    try:
        own = botenv.tool_beside(botenv.bot_python(ctx.root, ctx.config.python), "ruff")
    except ConfigError:
        return ruff_executable(), "the pipeline's ruff: the bot's environment is not built"
    return (own, "the bot's ruff") if own else (ruff_executable(), "the pipeline's ruff")


class LintGate:
    name = "lint"
    description = "ruff check + ruff format --check (T20 on the bot's code)"
    needs = ("ruff",)

    def run(self, ctx: GateContext) -> GateResult:
        cfg = ctx.config.lint
        runs = [("check", *cfg.paths), ("format", "--check", *cfg.paths)]
        present = [p for p in cfg.print_free if (ctx.root / p).exists()]
        if present:
            runs.append(("check", "--select", "T20", *present))
        ruff, which = ruff_for(ctx)
        findings: list[Finding] = []
        for args in runs:
            result = proc.run(
                [ruff, *args, "--no-cache", "--output-format=json"],
                cwd=ctx.root,
                cancel=ctx.cancel,
            )
            if result.returncode not in (0, 1):
                return GateResult(self.name, Status.ERROR, result.describe(), output=result.output)
            findings += [f for f in _parse(result.stdout, ctx.root) if f not in findings]
        if findings:
            return GateResult(
                self.name,
                Status.FAILED,
                f"{len(findings)} problem(s) ({which})",
                findings=tuple(findings),
                output="\n".join(f.render() for f in findings),
            )
        return GateResult(self.name, Status.PASSED, f"ruff check and format clean ({which})")


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
