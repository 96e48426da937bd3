"""secrets: gitleaks over git history and over the work tree's uncommitted files.

History: all of it, or only `base..HEAD` when a base is known (config `base_ref`, or
a pull request's base under GitHub Actions). Work tree: tracked files with changes and
untracked files that .gitignore does not exclude; an ignored `.env` is the place local
secrets belong, so it is not scanned here (the env gate makes sure it stays ignored).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ci import git, gitleaks
from ci.gates.interface import Finding, GateContext, GateResult, Status


class SecretsGate:
    name = "secrets"
    description = "gitleaks on git history and uncommitted files (always redacted)"
    needs = ("gitleaks", "git")

    def run(self, ctx: GateContext) -> GateResult:
        config = ctx.root / ctx.config.secrets.config
        config_path = config if config.is_file() else None
        ctx.results_dir.mkdir(parents=True, exist_ok=True)
        sarif = ctx.results_dir / "secrets.sarif"
        findings: list[Finding] = []
        scanned: list[str] = []
        base = history_base(ctx)
        if git.ref_exists(ctx.root, "HEAD"):
            log_opts = [f"--log-opts={base}..HEAD"] if base else []
            history = gitleaks.scan(
                ["git", *log_opts, str(ctx.root)],
                root=ctx.root,
                config=config_path,
                sarif=sarif,
                cancel=ctx.cancel,
            )
            findings += history.findings
            scanned.append(f"history {base + '..HEAD' if base else '(all commits)'}")
        findings += _scan_uncommitted(ctx, config_path)
        scanned.append("uncommitted files")
        artifacts = {"sarif": str(sarif)} if sarif.exists() else {}
        if findings:
            return GateResult(
                self.name,
                Status.FAILED,
                f"{len(findings)} secret(s) found",
                findings=tuple(findings),
                artifacts=artifacts,
                output="\n".join(f.render() for f in findings),
            )
        return GateResult(
            self.name, Status.PASSED, f"no secrets in {' and '.join(scanned)}", artifacts=artifacts
        )


def history_base(ctx: GateContext) -> str | None:
    """The ref whose descendants are scanned, or None for the whole history."""
    configured = ctx.config.secrets.base_ref or os.environ.get("BOTTIE_SECRETS_BASE")
    if configured:
        return configured
    pr_base = os.environ.get("GITHUB_BASE_REF")
    if os.environ.get("GITHUB_ACTIONS") == "true" and pr_base:
        ref = f"origin/{pr_base}"
        if git.ref_exists(ctx.root, ref):
            return ref
    return None


def _scan_uncommitted(ctx: GateContext, config: Path | None) -> list[Finding]:
    listed = git.output(ctx.root, "ls-files", "-z", "--modified", "--others", "--exclude-standard")
    files = sorted({f for f in listed.split("\0") if f and (ctx.root / f).is_file()})
    if not files:
        return []
    with tempfile.TemporaryDirectory(prefix="bottie-worktree-") as tmp:
        copy = Path(tmp)
        for rel in files:
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ctx.root / rel, copy / rel)
        found = gitleaks.scan(
            ["dir", str(copy)], root=ctx.root, config=config, cancel=ctx.cancel, path_prefix=copy
        )
    return list(found.findings)
