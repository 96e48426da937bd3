"""smoke: start the app on loopback with trading off, probe it, check for leaks."""

from __future__ import annotations

from ci.core import botenv
from ci.core.result import Finding, GateResult, Status
from ci.gates.interface import GateContext


class SmokeGate:
    name = "smoke"
    description = (
        "start the app on loopback (kill switch off), probe routes, refuse orders, no leaks"
    )
    needs = ("python",)

    def run(self, ctx: GateContext) -> GateResult:
        # Imported here: the probe needs httpx, which `ci run <other gates>` should not load.
        from ci.gates.smoke_probe import run_smoke

        report = run_smoke(
            ctx.root,
            ctx.config.app,
            ctx.config.smoke,
            ctx.config.profile,
            python=botenv.bot_python(ctx.root, ctx.config.python),
            cancel=ctx.cancel,
        )
        output = "\n".join(report.checks + report.problems)
        if report.log_tail:
            output += "\n--- last lines of the app's log (redacted) ---\n" + report.log_tail
        if report.ok:
            return GateResult(
                self.name, Status.PASSED, f"{len(report.checks)} checks passed", output=output
            )
        return GateResult(
            self.name,
            Status.FAILED,
            report.problems[0],
            findings=tuple(Finding(p) for p in report.problems),
            output=output,
        )
