"""secrets: gitleaks and the BIP39 detector over git history and uncommitted files.

History: all of it (less `exclude_refs`), or only `base..HEAD` when a base is known
(config `base_ref`, or a pull request's base under GitHub Actions), read ONCE by each
detector, side by side; SARIF is written from gitleaks' JSON report, not by scanning
again. Work tree: tracked files with changes and untracked files that .gitignore does
not exclude, never the gate's own results; an ignored `.env` is the place local secrets
belong, so it is not scanned here (the env gate makes sure it stays ignored).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ci.core import actions, git
from ci.core.errors import GitError
from ci.core.result import GateResult, Status
from ci.gates.interface import GateContext
from ci.scanning import gitleaks, sarif
from ci.scanning.model import Scan


class SecretsGate:
    name = "secrets"
    description = "gitleaks and BIP39 seed phrases on git history and uncommitted files (redacted)"
    needs = ("gitleaks", "git")

    def run(self, ctx: GateContext) -> GateResult:
        config = ctx.root / _settings(ctx)["config"]
        config_path = config if config.is_file() else None
        ctx.results_dir.mkdir(parents=True, exist_ok=True)
        # ctx.sha is a commit (the CLI's clean HEAD): no need to ask git whether there is one
        history = bool(ctx.sha) or git.ref_exists(ctx.root, "HEAD")
        base = history_base(ctx) if history else None
        if history:
            found = _scan_history_and_uncommitted(ctx, log_opts(ctx, base), config_path)
            scanned = [f"history {base + '..HEAD' if base else '(all commits)'}"]
        else:
            found, scanned = _scan_uncommitted(ctx, config_path), []
        scanned.append("uncommitted files")
        report = sarif.write(ctx.results_dir / "secrets.sarif", found.findings)
        artifacts = {"sarif": str(report)}
        if not found.findings:
            summary = f"no secrets in {' and '.join(scanned)}"
            return GateResult(self.name, Status.PASSED, summary, artifacts=artifacts)
        rendered = [f.render() for f in found.findings]
        return GateResult(
            self.name,
            Status.FAILED,
            f"{len(found.findings)} secret(s) found",
            findings=found.findings,
            artifacts=artifacts,
            output="\n".join([*rendered, found.allow_hint()]),
        )


def _settings(ctx: GateContext) -> Mapping[str, Any]:
    """[tool.bottie.secrets] as validated plain values, not ctx.config: pydantic and the models
    would cost the gate more CPU time than all of its own work on a short history."""
    secrets: Mapping[str, Any] = ctx.settings["secrets"]
    return secrets


def history_base(ctx: GateContext) -> str | None:
    """The ref whose descendants are scanned, or None for the whole history."""
    configured = _settings(ctx)["base_ref"] or os.environ.get("BOTTIE_SECRETS_BASE")
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


def log_opts(ctx: GateContext, base: str | None) -> list[str]:
    """`git log` options choosing the commits: base..HEAD, or every ref but the excluded."""
    if base:
        return [f"{base}..HEAD"]
    excluded: list[str] = []
    for ref in _settings(ctx)["exclude_refs"]:
        names = (
            [ref]
            if ref.startswith("refs/")
            else [f"refs/heads/{ref}", f"refs/remotes/*/{ref}", f"refs/tags/{ref}"]
        )
        excluded += [f"--exclude={name}" for name in names]
    return [*excluded, "--all"] if excluded else []


def _scan_history_and_uncommitted(ctx: GateContext, opts: list[str], config: Path | None) -> Scan:
    """gitleaks and the seed detector side by side, each over the same commits once, and the
    uncommitted files beside them.

    gitleaks starts first: it is the longest (its own start-up alone takes longer than the
    seed pass on a short history), so the rest, imports included, runs while it does.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        leaks = pool.submit(
            gitleaks.scan,
            ["git", *([f"--log-opts={' '.join(opts)}"] if opts else []), str(ctx.root)],
            root=ctx.root,
            config=config,
            cancel=ctx.cancel,
        )
        uncommitted = pool.submit(_scan_uncommitted, ctx, config)
        from ci.scanning import seeds  # its wordlist's patterns compile while gitleaks starts

        phrases = seeds.scan_history(ctx.root, opts, cancel=ctx.cancel)
        return leaks.result() + phrases + uncommitted.result()


def _scan_uncommitted(ctx: GateContext, config: Path | None) -> Scan:
    """gitleaks and the seed detector on a copy of the changed and untracked, not ignored, files.

    Scanned from inside the copy, so paths and fingerprints read `<file>:<rule>:<line>`,
    as .gitleaksignore takes them for uncommitted files. Nothing to scan when the CLI
    found the tree clean (ctx.sha: `git status` saw no change, no untracked file not ignored).
    """
    if ctx.sha:
        return Scan()
    listed = git.output(ctx.root, "ls-files", "-z", "--modified", "--others", "--exclude-standard")
    results = ctx.results_dir.resolve()
    files = sorted(
        f
        for f in set(listed.split("\0"))
        if f and (ctx.root / f).is_file() and not (ctx.root / f).resolve().is_relative_to(results)
    )
    if not files:
        return Scan()
    from ci.scanning import seeds

    phrases = seeds.scan_files(ctx.root, ((f, ctx.root / f) for f in files))
    with tempfile.TemporaryDirectory(prefix="bottie-worktree-") as tmp:
        copy = Path(tmp)
        for rel in files:
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ctx.root / rel, copy / rel)
        leaks = gitleaks.scan(
            ["dir", "."], root=ctx.root, config=config, cancel=ctx.cancel, cwd=copy
        )
    return leaks + phrases
