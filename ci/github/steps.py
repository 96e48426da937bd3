"""The questions the workflows ask between their steps, answered from the deploy tags
(`ci.deploy.tags`, read only) so that no workflow re-implements them in bash.

- `promotable`: the commit promote may take to mainnet: one a testnet deploy tag points at
  (default, the newest).
- `push_deploy_tag`: push the newest deploy tag of an environment, and only it, with a
  credential that exists for this one git process. The deploy step before it never holds
  the token (the deployed commit's hooks run there).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path

from ci.core import actions, git, proc
from ci.core.errors import CiError, GitError, RefusedError
from ci.deploy import tags

PROMOTE_FROM = "testnet"


def promotable(root: Path, wanted: str = "") -> str:
    """The full SHA to promote: `wanted` (any revision) or the newest testnet deploy."""
    deployed = tags.deploy_tags(root, PROMOTE_FROM)
    if not wanted:
        if not deployed:
            raise RefusedError(f"nothing is live on {PROMOTE_FROM}: no deploy/{PROMOTE_FROM}/* tag")
        return deployed[0].sha
    try:
        sha = git.output(root, "rev-parse", "--verify", "--quiet", f"{wanted}^{{commit}}").strip()
    except GitError:
        raise RefusedError(f"not a commit: {wanted}") from None
    if sha not in {tag.sha for tag in deployed}:
        raise RefusedError(
            f"{sha} was never deployed to {PROMOTE_FROM}: "
            f"no deploy/{PROMOTE_FROM}/* tag points at it"
        )
    return sha


def newest_tag(root: Path, env: str, sha: str = "") -> tags.DeployTag:
    """The newest deploy tag of `env` (pointing at `sha` when given), or a refusal."""
    found = [t for t in tags.deploy_tags(root, env) if not sha or t.sha == sha.strip().lower()]
    if not found:
        at = f" at {sha}" if sha else ""
        raise RefusedError(f"no deploy/{env}/* tag{at} to push")
    return found[0]


def push_deploy_tag(root: Path, env: str, environ: Mapping[str, str], sha: str = "") -> str:
    """Push the newest deploy tag of `env` to this repository on GitHub; its name."""
    tag = newest_tag(root, env, sha)
    token = environ.get("GH_TOKEN", "")
    if not token:
        raise CiError("no credential: set GH_TOKEN (the job's github.token) for the push")
    server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    auth = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    actions.mask([auth], environ)
    # The credential lives in this process's environment only (never in .git/config), for
    # the server's URLs; repository hooks are switched off.
    env_vars = {
        **{k: v for k, v in environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN")},
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": f"http.{server}/.extraheader",
        "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {auth}",
        "GIT_CONFIG_KEY_1": "core.hooksPath",
        "GIT_CONFIG_VALUE_1": "/dev/null",
    }
    ref = f"refs/tags/{tag.name}"
    result = proc.run(
        ["git", "push", "origin", f"{ref}:{ref}"], cwd=root, env=env_vars, timeout=120
    )
    if not result.ok:
        raise CiError(f"push of {tag.name} failed: {result.describe()}")
    return tag.name
