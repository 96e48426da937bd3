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

from ci.core import actions, git
from ci.core.errors import GitError
from ci.core.result import GateResult, Status
from ci.gates.interface import GateContext
from ci.scanning import gitleaks


class SecretsGate:
    name = "secrets"
    description = "gitleaks on git history and uncommitted files (always redacted)"
    needs = ("gitleaks", "git")

    def run(self, ctx: GateContext) -> GateResult:
        config = ctx.root / ctx.config.secrets.config
        config_path = config if config.is_file() else None
        ctx.results_dir.mkdir(parents=True, exist_ok=True)
        sarif = ctx.results_dir / "secrets.sarif"
        scans: list[gitleaks.Scan] = []
        scanned: list[str] = []
        if git.ref_exists(ctx.root, "HEAD"):
            base = history_base(ctx)
            scans.append(_scan_history(ctx, base, config_path, sarif))
            scanned.append(f"history {base + '..HEAD' if base else '(all commits)'}")
        scans.append(_scan_uncommitted(ctx, config_path))
        scanned.append("uncommitted files")
        artifacts = {"sarif": str(sarif)} if sarif.exists() else {}
        findings = tuple(f for scan in scans for f in scan.findings)
        if not findings:
            summary = f"no secrets in {' and '.join(scanned)}"
            return GateResult(self.name, Status.PASSED, summary, artifacts=artifacts)
        fingerprints = tuple(p for scan in scans for p in scan.fingerprints)
        rendered = [f.render() for f in findings]
        return GateResult(
            self.name,
            Status.FAILED,
            f"{len(findings)} secret(s) found",
            findings=findings,
            artifacts=artifacts,
            output="\n".join([*rendered, gitleaks.Scan(findings, fingerprints).allow_hint()]),
        )


def history_base(ctx: GateContext) -> str | None:
    """The ref whose descendants are scanned, or None for the whole history."""
    configured = ctx.config.secrets.base_ref or os.environ.get("BOTTIE_SECRETS_BASE")
    if configured:
        if not git.ref_exists(ctx.root, configured):
            raise GitError(
                f"secrets base_ref {configured}: no such commit here",
                tip="fetch it (git fetch origin <branch>, or a checkout with fetch-depth: 0)",
            )
        return configured
    pr_base = os.environ.get("GITHUB_BASE_REF")
    if actions.active() and pr_base:
        ref = f"origin/{pr_base}"
        if git.ref_exists(ctx.root, ref):
            return ref
    return None


def _scan_history(
    ctx: GateContext, base: str | None, config: Path | None, sarif: Path
) -> gitleaks.Scan:
    log_opts = [f"--log-opts={base}..HEAD"] if base else []
    return gitleaks.scan(
        ["git", *log_opts, str(ctx.root)],
        root=ctx.root,
        config=config,
        sarif=sarif,
        cancel=ctx.cancel,
    )


def _scan_uncommitted(ctx: GateContext, config: Path | None) -> gitleaks.Scan:
    """gitleaks on a copy of the changed and untracked, not ignored, files.

    Scanned from inside the copy, so paths and fingerprints read `<file>:<rule>:<line>`,
    as .gitleaksignore takes them for uncommitted files.
    """
    listed = git.output(ctx.root, "ls-files", "-z", "--modified", "--others", "--exclude-standard")
    files = sorted({f for f in listed.split("\0") if f and (ctx.root / f).is_file()})
    if not files:
        return gitleaks.Scan((), ())
    with tempfile.TemporaryDirectory(prefix="bottie-worktree-") as tmp:
        copy = Path(tmp)
        for rel in files:
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ctx.root / rel, copy / rel)
        return gitleaks.scan(
            ["dir", "."], root=ctx.root, config=config, cancel=ctx.cancel, cwd=copy
        )
