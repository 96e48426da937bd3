"""The GitHub side of the pipeline as exact `gh` calls: environments, reviewers, secrets
(names only: gh prompts for each value), a ruleset making deploy tags immutable and
creatable by the deploy identity only, and one requiring the `required` check and a
reviewed pull request on main.

Every environment may be used from main only (a custom deployment-branch policy `main`),
so a branch's workflow can read none of their secrets. The checklist signing key lives in
the `checklist` environment (the job that signs) and in each deploy environment (the job
that verifies): a job reads an environment's secrets only when it names that environment,
and those win over a value a caller passes ("Reusing workflows", GitHub Docs).

With the `ssh` target, each deploy environment also holds the SSH key (a secret) and the
host, port, user and known_hosts (variables); `<env>-ops` environments, main only and
without reviewers, hold the same variables for pause and the scheduled status check, which
must never wait for a reviewer, and a key of their own, `BOTTIE_SSH_OPS_KEY`: a second key
that the host lets do nothing but pause and read (`ci/deploy/ops_agent.py`), so that no
environment without a reviewer holds a key that can deploy.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ci.core.config import Config

ENVIRONMENTS = ("testnet", "mainnet")
SIGNING_ENVIRONMENT = "checklist"
SIGNING_KEY = "CHECKLIST_HMAC_KEY"
REQUIRED_CHECK = "required"
DEPLOY_BRANCH = "main"
# The ssh target's settings (ci/deploy/targets/ssh.py reads them from the job's environment).
SSH_SECRETS = ("BOTTIE_SSH_KEY",)
# The ops environments' key (pause.yml and status.yml hand it to the target as BOTTIE_SSH_KEY).
SSH_OPS_SECRETS = ("BOTTIE_SSH_OPS_KEY",)
SSH_VARIABLES = ("BOTTIE_SSH_HOST", "BOTTIE_SSH_PORT", "BOTTIE_SSH_USER", "BOTTIE_SSH_KNOWN_HOSTS")
OPS_SUFFIX = "-ops"
# The GitHub Actions app (the integration behind GITHUB_TOKEN): the one actor that may
# create deploy tags ("Available rules for rulesets", GitHub Docs: bypass actors).
GITHUB_ACTIONS_APP_ID = 15368


@dataclass(frozen=True)
class Call:
    argv: tuple[str, ...]
    body: dict[str, Any] | None = None  # sent on stdin (gh api --input -)
    why: str = ""

    def render(self) -> str:
        line = shlex.join(self.argv)
        if self.body is None:
            return line
        return f"{line} <<'JSON'\n{json.dumps(self.body, indent=2)}\nJSON"


def plan(
    repo: str,
    reviewer_ids: dict[str, int | None],
    secrets: Mapping[str, Sequence[str]] | None = None,
    *,
    ssh: bool = False,
) -> list[Call]:
    """Every call, in order. A reviewer's id is None until looked up (dry run).

    `secrets` names each deploy environment's secrets (from the bot profile's credentials
    and the environment's `required`; `secrets_of` reads them from the configuration); the
    signing key is added to every one. `ssh` (the configured target is ssh) adds the SSH
    settings to the deploy environments and the `<env>-ops` environments."""
    secrets = secrets if secrets is not None else dict.fromkeys(ENVIRONMENTS, ())
    ops = [f"{env}{OPS_SUFFIX}" for env in ENVIRONMENTS] if ssh else []
    calls = [_environment(repo, SIGNING_ENVIRONMENT, {"deployment_branch_policy": _main_only()})]
    calls.append(_environment(repo, "testnet", {"deployment_branch_policy": _main_only()}))
    calls += [
        Call(("gh", "api", f"users/{login}", "--jq", ".id"), why=f"the user id of {login}")
        for login in reviewer_ids
    ]
    calls.append(_environment(repo, "mainnet", _mainnet_protection(reviewer_ids)))
    calls += [_environment(repo, env, {"deployment_branch_policy": _main_only()}) for env in ops]
    calls += [_branch_policy(repo, env) for env in (SIGNING_ENVIRONMENT, *ENVIRONMENTS, *ops)]
    calls.append(_secret(repo, SIGNING_KEY, SIGNING_ENVIRONMENT))
    calls += [
        _secret(repo, name, env)
        for env in ENVIRONMENTS
        for name in dict.fromkeys([*secrets.get(env, ()), SIGNING_KEY])
    ]
    if ssh:
        calls += [_secret(repo, name, env) for env in ops for name in SSH_OPS_SECRETS]
        calls += [
            _variable(repo, name, env) for env in (*ENVIRONMENTS, *ops) for name in SSH_VARIABLES
        ]
    calls.append(_ruleset(repo, _deploy_tags_ruleset()))
    calls.append(_ruleset(repo, _main_ruleset()))
    return calls


def _environment(repo: str, env: str, body: dict[str, Any]) -> Call:
    argv = ("gh", "api", "--method", "PUT", f"repos/{repo}/environments/{env}", "--input", "-")
    return Call(argv, body, why=f"environment {env}")


def _secret(repo: str, name: str, env: str) -> Call:
    why = "prompts for the value; never put it on a command line"
    if name in SSH_OPS_SECRETS:
        why = "the operations key: pause, status and history only (python -m ci ops-agent)"
    return Call(("gh", "secret", "set", name, "--env", env, "--repo", repo), why=why)


def _variable(repo: str, name: str, env: str) -> Call:
    why = "prompts for the value"
    if name == "BOTTIE_SSH_KNOWN_HOSTS":
        why = "the host's key line(s): ssh-keyscan -p PORT HOST, checked against the host itself"
    return Call(("gh", "variable", "set", name, "--env", env, "--repo", repo), why=why)


def _main_only() -> dict[str, bool]:
    # Custom policies name the branch; "protected branches" would admit any protected one.
    return {"protected_branches": False, "custom_branch_policies": True}


def _branch_policy(repo: str, env: str) -> Call:
    argv = (
        "gh",
        "api",
        "--method",
        "POST",
        f"repos/{repo}/environments/{env}/deployment-branch-policies",
        "--input",
        "-",
    )
    return Call(argv, {"name": DEPLOY_BRANCH, "type": "branch"}, why=f"{env}: main only")


def _mainnet_protection(reviewer_ids: dict[str, int | None]) -> dict[str, Any]:
    reviewers = [
        {"type": "User", "id": uid if uid is not None else f"<id of {login}>"}
        for login, uid in reviewer_ids.items()
    ]
    return {
        "wait_timer": 0,
        "prevent_self_review": True,
        "can_admins_bypass": False,
        "reviewers": reviewers,
        "deployment_branch_policy": _main_only(),
    }


def _ruleset(repo: str, body: dict[str, Any]) -> Call:
    argv = ("gh", "api", "--method", "POST", f"repos/{repo}/rulesets", "--input", "-")
    return Call(argv, body, why=f"ruleset {body['name']}")


def _deploy_tags_ruleset() -> dict[str, Any]:
    # Only the deploy job (GitHub Actions' token) creates deploy tags; once pushed, a deploy
    # tag can be neither moved nor deleted, so the history of what ran where stays true.
    return {
        "name": "deploy tags are immutable",
        "target": "tag",
        "enforcement": "active",
        "bypass_actors": [
            {
                "actor_id": GITHUB_ACTIONS_APP_ID,
                "actor_type": "Integration",
                "bypass_mode": "always",
            }
        ],
        "conditions": {"ref_name": {"include": ["refs/tags/deploy/*"], "exclude": []}},
        "rules": [
            {"type": "creation"},
            {"type": "update"},
            {"type": "deletion"},
            {"type": "non_fast_forward"},
        ],
    }


def _main_ruleset() -> dict[str, Any]:
    return {
        "name": "main needs the required check",
        "target": "branch",
        "enforcement": "active",
        "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
        "rules": [
            {"type": "deletion"},
            {"type": "non_fast_forward"},
            {
                # The second person: CODEOWNERS counts only through a review rule.
                "type": "pull_request",
                "parameters": {
                    "required_approving_review_count": 1,
                    "require_code_owner_review": True,
                    "require_last_push_approval": True,
                    "dismiss_stale_reviews_on_push": True,
                    "required_review_thread_resolution": False,
                },
            },
            {
                "type": "required_status_checks",
                "parameters": {
                    "strict_required_status_checks_policy": False,
                    "required_status_checks": [{"context": REQUIRED_CHECK}],
                },
            },
        ],
    }


def secrets_of(config: Config) -> dict[str, list[str]]:
    """Each deploy environment's secrets: the bot profile's credentials and its other secrets
    that the environment requires, whatever exchange the bot trades on."""
    found: dict[str, list[str]] = {}
    for env in ENVIRONMENTS:
        required = config.environments[env].required if env in config.environments else []
        ssh = SSH_SECRETS if uses_ssh(config) else ()
        found[env] = list(dict.fromkeys([*config.profile.credentials, *required, *ssh]))
    return found


def uses_ssh(config: Config) -> bool:
    return config.deploy.target == "ssh"
