"""The GitHub side of the pipeline as exact `gh` calls: environments, reviewers, secrets
(names only: gh prompts for each value), a ruleset making deploy tags immutable and one
requiring the `required` check on main.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

ENVIRONMENTS = ("testnet", "mainnet")
SECRETS = ("BINANCE_API_KEY", "BINANCE_API_SECRET", "CHECKLIST_HMAC_KEY")
REQUIRED_CHECK = "required"


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


def plan(repo: str, reviewer_ids: dict[str, int | None]) -> list[Call]:
    """Every call, in order. A reviewer's id is None until looked up (dry run)."""
    calls = [_environment(repo, "testnet", {"deployment_branch_policy": _main_only()})]
    calls += [
        Call(("gh", "api", f"users/{login}", "--jq", ".id"), why=f"the user id of {login}")
        for login in reviewer_ids
    ]
    calls.append(_environment(repo, "mainnet", _mainnet_protection(reviewer_ids)))
    calls += [
        Call(
            ("gh", "secret", "set", name, "--env", env, "--repo", repo),
            why="prompts for the value; never put it on a command line",
        )
        for env in ENVIRONMENTS
        for name in SECRETS
    ]
    calls.append(_ruleset(repo, _deploy_tags_ruleset()))
    calls.append(_ruleset(repo, _main_ruleset()))
    return calls


def _environment(repo: str, env: str, body: dict[str, Any]) -> Call:
    argv = ("gh", "api", "--method", "PUT", f"repos/{repo}/environments/{env}", "--input", "-")
    return Call(argv, body, why=f"environment {env}")


def _main_only() -> dict[str, bool]:
    return {"protected_branches": True, "custom_branch_policies": False}


def _mainnet_protection(reviewer_ids: dict[str, int | None]) -> dict[str, Any]:
    reviewers = [
        {"type": "User", "id": uid if uid is not None else f"<id of {login}>"}
        for login, uid in reviewer_ids.items()
    ]
    return {
        "wait_timer": 0,
        "prevent_self_review": True,
        "reviewers": reviewers,
        "deployment_branch_policy": _main_only(),
    }


def _ruleset(repo: str, body: dict[str, Any]) -> Call:
    argv = ("gh", "api", "--method", "POST", f"repos/{repo}/rulesets", "--input", "-")
    return Call(argv, body, why=f"ruleset {body['name']}")


def _deploy_tags_ruleset() -> dict[str, Any]:
    # Creation stays allowed (the deploy job pushes new tags); a deploy tag, once pushed,
    # can be neither moved nor deleted, so the history of what ran where stays true.
    return {
        "name": "deploy tags are immutable",
        "target": "tag",
        "enforcement": "active",
        "conditions": {"ref_name": {"include": ["refs/tags/deploy/*"], "exclude": []}},
        "rules": [{"type": "update"}, {"type": "deletion"}, {"type": "non_fast_forward"}],
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
                "type": "required_status_checks",
                "parameters": {
                    "strict_required_status_checks_policy": False,
                    "required_status_checks": [{"context": REQUIRED_CHECK}],
                },
            },
        ],
    }
