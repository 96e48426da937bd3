"""workflows: lint .github/workflows with zizmor (offline), the workflow JSON schema, and
actionlint when it is installed.

actionlint is optional: the only wheels that carry it here are an individual's fork,
which a pipeline guarding exchange keys should not run unreviewed. Install the
official release (pinned SHA-256) on PATH to enable it; CI does.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

from ci.core import proc
from ci.core.errors import ToolError
from ci.core.result import Finding, GateResult, Status
from ci.gates.interface import GateContext

_HINT = "pip install --require-hashes -r requirements/ci.txt"
_ZIZMOR_FINDINGS = range(10, 15)  # zizmor's exit codes for findings, by highest severity


def _tool(name: str) -> str:
    return proc.tool(name, install_hint=_HINT)


class WorkflowsGate:
    name = "workflows"
    description = "zizmor (offline) + GitHub workflow schema (+ actionlint when installed)"
    needs = ("zizmor", "check-jsonschema")

    def run(self, ctx: GateContext) -> GateResult:
        directory = ctx.root / ctx.config.workflows.dir
        files = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
        if not files:
            return GateResult(self.name, Status.PASSED, "no workflows")
        rel = [str(f.relative_to(ctx.root)) for f in files]
        findings = _zizmor(ctx, rel) + _schema(ctx, rel)
        checks = ["zizmor", "schema"]
        actionlint = shutil.which("actionlint")
        if actionlint:
            findings += _actionlint(ctx, actionlint, rel)
            checks.append("actionlint")
        skipped = "" if actionlint else " (actionlint not installed: skipped)"
        if findings:
            return GateResult.failed(self.name, findings, f"{len(findings)} problem(s){skipped}")
        return GateResult(
            self.name,
            Status.PASSED,
            f"{len(files)} workflow(s) clean: {', '.join(checks)}{skipped}",
        )


def _zizmor(ctx: GateContext, files: list[str]) -> list[Finding]:
    argv = [_tool("zizmor"), "--offline", "--format=json", "--no-progress", *files]
    result = proc.run(argv, cwd=ctx.root, cancel=ctx.cancel)
    if result.returncode != 0 and result.returncode not in _ZIZMOR_FINDINGS:
        raise ToolError(f"zizmor failed: {result.describe()}: {_last(result.stderr)}")
    try:
        items: list[dict[str, Any]] = json.loads(result.stdout or "[]")
    except ValueError:
        raise ToolError("zizmor printed output that is not JSON") from None
    findings = []
    for item in items:
        if item.get("ignored"):
            continue
        location = item["locations"][0]
        file = location["symbolic"]["key"].get("Local", {}).get("verbatim_path")
        row = location["concrete"]["location"]["start_point"]["row"] + 1
        severity = item["determinations"]["severity"]
        message = f"{item['desc']} ({severity}): {location['symbolic'].get('annotation', '')}"
        findings.append(Finding(message.rstrip(": "), file=file, line=row, rule=item["ident"]))
    return findings


def _schema(ctx: GateContext, files: list[str]) -> list[Finding]:
    argv = [
        _tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        "-o",
        "json",
        *files,
    ]
    result = proc.run(argv, cwd=ctx.root, cancel=ctx.cancel)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        raise ToolError(f"check-jsonschema failed: {_last(result.stderr)}") from None
    findings = []
    for error in report.get("errors", []):
        best = error.get("best_deep_match") or error
        findings.append(
            Finding(f"{best['path']}: {best['message']}", file=error["filename"], rule="schema")
        )
    for error in report.get("parse_errors", []):
        findings.append(
            Finding(
                f"not valid YAML: {error.get('message', '')}",
                file=error.get("filename"),
                rule="schema",
            )
        )
    return findings


def _actionlint(ctx: GateContext, exe: str, files: list[str]) -> list[Finding]:
    result = proc.run([exe, "-format", "{{json .}}", *files], cwd=ctx.root, cancel=ctx.cancel)
    try:
        items = json.loads(result.stdout or "[]")
    except ValueError:
        raise ToolError(f"actionlint failed: {_last(result.stderr)}") from None
    return [
        Finding(i["message"], file=i["filepath"], line=i["line"], rule=i.get("kind")) for i in items
    ]


def _last(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""
