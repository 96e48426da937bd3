"""env: `.env` stays out of git, and `.env.example` documents exactly what the bot reads."""

from __future__ import annotations

import re
from pathlib import Path

from dotenv import dotenv_values

from ci.core import git
from ci.core.result import Finding, GateResult, Status
from ci.gates.env_reads import reads_in_tree
from ci.gates.interface import GateContext
from logsafe import Redactor, is_secret_name

# What an example file may hold for a secret: nothing, or an obvious placeholder.
PLACEHOLDER = re.compile(
    r"(?i)^(|changeme|change[-_]me|replace[-_]me|your[-_][\w-]*|<[^>]*>|x{3,}|\.{3}|"
    r"placeholder|example|dummy|test|none|null)$"
)


class EnvGate:
    name = "env"
    description = ".env untracked and ignored; .env.example lists every variable read, no values"
    needs = ("git",)

    def run(self, ctx: GateContext) -> GateResult:
        # Plain values, not ctx.config: the commit hook runs this gate without pydantic.
        name: str = ctx.settings["env"]["example"]
        findings = _dotenv_kept_out(ctx.root)
        example = ctx.root / name
        if not example.is_file():
            findings.append(Finding(f"{name} is missing", file=name))
        else:
            findings += _example_current(ctx.root, name, ctx.settings["env"]["sources"])
            findings += _example_has_no_values(example, name)
        if findings:
            return GateResult.failed(self.name, findings)
        return GateResult(self.name, Status.PASSED, f".env kept out of git; {name} is current")


def _dotenv_kept_out(root: Path) -> list[Finding]:
    tracked = git.output(root, "ls-files", "-z", "--", ".env", "*.env", ".env.*")
    findings = [
        Finding(
            f"{path} is tracked by git: remove it (git rm --cached) and rotate its keys",
            file=path,
            rule="tracked",
        )
        for path in tracked.split("\0")
        if path and not path.endswith(".example")
    ]
    if not git.is_ignored(root, ".env"):
        findings.append(
            Finding(
                ".env is not ignored: add it to .gitignore", file=".gitignore", rule="not-ignored"
            )
        )
    return findings


def _example_current(root: Path, example: str, sources: list[str]) -> list[Finding]:
    documented = _documented(root / example)
    reads = reads_in_tree(root, sources)
    read_names = {r.name for r in reads}
    findings: list[Finding] = []
    reported: set[str] = set()
    for read in reads:
        if read.name not in documented and read.name not in reported:
            reported.add(read.name)
            findings.append(
                Finding(
                    f"{read.name} is read here but missing from {example}",
                    file=read.file,
                    line=read.line,
                    rule="undocumented",
                )
            )
    for name, line in documented.items():
        if name not in read_names:
            findings.append(
                Finding(
                    f"{name} is documented but no code reads it (stale)",
                    file=example,
                    line=line,
                    rule="stale",
                )
            )
    return findings


def _documented(example: Path) -> dict[str, int]:
    names: dict[str, int] = {}
    pattern = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")
    for number, text in enumerate(example.read_text(encoding="utf-8").splitlines(), start=1):
        match = pattern.match(text)
        if match:
            names.setdefault(match.group(1), number)
    return names


def _example_has_no_values(example: Path, rel: str) -> list[Finding]:
    lines = _documented(example)
    redactor = Redactor()
    findings = []
    for name, value in dotenv_values(example).items():
        text = value or ""
        if is_secret_name(name) and not PLACEHOLDER.match(text.strip()):
            problem = f"{name} holds a value: leave secrets empty in {rel}"
        elif redactor.redact(text) != text:
            problem = f"{name} holds something shaped like a secret"
        else:
            continue
        findings.append(Finding(problem, file=rel, line=lines.get(name), rule="value"))
    return findings
