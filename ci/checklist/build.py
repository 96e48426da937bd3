"""Build the checklist: where and what (repository, SHA, run), the items, the attestations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ci.checklist.items import ItemContext, run_all
from ci.checklist.model import SCHEMA_VERSION, Checklist, Item, ItemKind, ItemStatus, Run
from ci.core import actions, git, proc, settings
from ci.core.config import Config
from ci.core.errors import UsageError
from ci.core.result import GateResult


@dataclass(frozen=True)
class Attestation:
    """What a person vouched for: item ids, and who they are."""

    items: frozenset[str]
    actor: str | None


def build(
    root: Path,
    config: Config,
    env: str,
    *,
    results: Mapping[str, GateResult],
    attestation: Attestation,
    environ: Mapping[str, str],
    sha: str | None = None,
    hmac_key: bytes | None = None,
    previous_deploy: str | None = None,
) -> Checklist:
    """The checklist for `env` at `sha`. `previous_deploy` names the rollback target (the
    deploy layer knows deploy tags; the command asks it), None for a first deploy."""
    check_attestation(attestation, config.checklist.attestable)
    sha = commit_sha(root, sha) if sha else git.head_sha(root)
    ctx = ItemContext(
        root=root,
        config=config,
        settings=settings.resolve(config, env, environ),
        results=results,
        sha=sha,
        previous_deploy=previous_deploy,
    )
    items = [attest(item, attestation) for item in run_all(ctx)]
    checklist = Checklist(
        schema_version=SCHEMA_VERSION,
        repository=repository(root, environ),
        sha=sha,
        ref=environ.get("GITHUB_REF") or _local_ref(root),
        environment=env,
        run=workflow_run(environ),
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        items=tuple(items),
    )
    return checklist.sealed(hmac_key)


def commit_sha(root: Path, revision: str) -> str:
    """The full SHA of `revision`: a checklist names one commit, never a moving ref."""
    return git.output(
        root, "rev-parse", "--verify", "--end-of-options", f"{revision}^{{commit}}"
    ).strip()


def check_attestation(attestation: Attestation, attestable: Sequence[str]) -> None:
    refused = sorted(attestation.items - set(attestable))
    if refused:
        raise UsageError(
            f"item {refused[0]!r} cannot be attested; attestable items: {', '.join(attestable)}"
        )
    if attestation.items and not attestation.actor:
        raise UsageError("an attestation needs the actor's name (--actor, or GITHUB_ACTOR)")


def attest(item: Item, attestation: Attestation) -> Item:
    """A MISSING item a person vouched for becomes ATTESTED; nothing else changes."""
    if item.id not in attestation.items or item.status is not ItemStatus.MISSING:
        return item
    return item.model_copy(
        update={
            "kind": ItemKind.ATTESTED,
            "status": ItemStatus.ATTESTED,
            "evidence": f"attested by {attestation.actor} ({item.evidence})",
        }
    )


def repository(root: Path, environ: Mapping[str, str]) -> str:
    if environ.get("GITHUB_REPOSITORY"):
        return environ["GITHUB_REPOSITORY"]
    result = proc.run(["git", "remote", "get-url", "origin"], cwd=root, timeout=60)
    return _without_credentials(result.stdout.strip()) if result.ok else str(root)


def _without_credentials(url: str) -> str:
    # An https clone URL may carry a token (https://x-access-token:TOKEN@github.com/...).
    parts = urlsplit(url)
    if not parts.scheme or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=host))


def _local_ref(root: Path) -> str | None:
    result = proc.run(["git", "symbolic-ref", "-q", "HEAD"], cwd=root, timeout=60)
    ref = result.stdout.strip()
    return ref if result.ok and ref else None  # None on a detached HEAD


def workflow_run(environ: Mapping[str, str]) -> Run | None:
    run_id = environ.get("GITHUB_RUN_ID")
    if not run_id:
        return None
    url = actions.run_url(environ) or ""
    return Run(id=run_id, url=url, actor=environ.get("GITHUB_ACTOR") or None)
