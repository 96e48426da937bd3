"""`python -m ci github setup`: the dry run prints the exact gh calls, secrets by name only."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ci.deploy.targets import ssh
from ci.github.setup import SIGNING_KEY, SSH_SECRETS, SSH_VARIABLES, plan
from tests.helpers import EXAMPLE_BOT_TOML, Repo, invoke_ci


def test_dry_run_prints_environments_reviewers_secrets_and_rulesets(repo: Repo) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    done = invoke_ci("github", "setup", "--repo", "acme/bot", "--reviewer", "bob", cwd=repo.path)
    assert done.code == 0, done.stderr
    out = done.stdout
    assert "gh api --method PUT repos/acme/bot/environments/testnet --input -" in out
    assert "gh api --method PUT repos/acme/bot/environments/mainnet --input -" in out
    assert "gh api users/bob --jq .id" in out
    for env in ("testnet", "mainnet"):
        for name in ("BINANCE_API_KEY", "BINANCE_API_SECRET", SIGNING_KEY):
            assert f"gh secret set {name} --env {env} --repo acme/bot" in out
    assert out.count("gh api --method POST repos/acme/bot/rulesets --input -") == 2


def test_mainnet_needs_a_reviewer_who_is_not_the_deployer() -> None:
    calls = plan("acme/bot", {"bob": 7})
    mainnet = next(c for c in calls if c.argv[4:5] == ("repos/acme/bot/environments/mainnet",))
    assert mainnet.body is not None
    assert mainnet.body["prevent_self_review"] is True
    assert mainnet.body["reviewers"] == [{"type": "User", "id": 7}]


def test_deploy_tags_are_created_by_github_actions_only_and_never_moved_or_deleted() -> None:
    # "Available rules for rulesets" (GitHub Docs): "Restrict creations" lets only bypass
    # actors create matching refs; the GitHub Actions integration is the deploy identity.
    rulesets = [c.body for c in plan("acme/bot", {}) if c.body and c.body.get("target") == "tag"]
    assert len(rulesets) == 1
    ruleset = rulesets[0]
    assert ruleset["conditions"]["ref_name"]["include"] == ["refs/tags/deploy/*"]
    rules = {r["type"] for r in ruleset["rules"]}
    assert {"creation", "update", "deletion"} <= rules
    assert ruleset["bypass_actors"] == [
        {"actor_id": 15368, "actor_type": "Integration", "bypass_mode": "always"}
    ]


def test_main_needs_a_reviewed_pull_request_for_codeowners_to_count() -> None:
    main = next(c.body for c in plan("acme/bot", {}) if c.body and c.body.get("target") == "branch")
    review = next(r for r in main["rules"] if r["type"] == "pull_request")["parameters"]
    assert review["required_approving_review_count"] >= 1
    assert review["require_code_owner_review"] is True
    assert review["require_last_push_approval"] is True


def test_no_admin_bypasses_the_mainnet_reviewers() -> None:
    mainnet = next(c for c in plan("acme/bot", {}) if c.why == "environment mainnet")
    assert mainnet.body is not None and mainnet.body["can_admins_bypass"] is False


def test_every_environment_is_usable_from_main_only() -> None:
    calls = plan("acme/bot", {})
    environments = {
        c.why.removeprefix("environment "): c.body
        for c in calls
        if c.why.startswith("environment ")
    }
    assert set(environments) == {"checklist", "testnet", "mainnet"}
    for env, body in environments.items():
        assert body is not None
        assert body["deployment_branch_policy"] == {
            "protected_branches": False,
            "custom_branch_policies": True,
        }, env
        policy = next(
            c
            for c in calls
            if c.argv[4:5] == (f"repos/acme/bot/environments/{env}/deployment-branch-policies",)
        )
        assert policy.body == {"name": "main", "type": "branch"}


def test_rendered_bodies_are_json_heredocs(tmp_path: Path) -> None:
    out = invoke_ci("github", "setup", "--repo", "acme/bot", cwd=tmp_path).stdout
    bodies = re.findall(r"<<'JSON'\n(.*?)\nJSON", out, flags=re.S)
    assert len(bodies) == 8
    assert all(isinstance(json.loads(b), dict) for b in bodies)


def test_a_bad_repository_is_one_line_and_usage_exit(tmp_path: Path) -> None:
    done = invoke_ci("github", "setup", "--repo", "not a repo", cwd=tmp_path)
    assert done.code == 2
    assert "--repo: expected OWNER/REPO" in done.stderr


def test_apply_without_gh_names_the_tool(tmp_path: Path) -> None:
    done = invoke_ci(
        "github",
        "setup",
        "--repo",
        "acme/bot",
        "--apply",
        cwd=tmp_path,
        env={"PATH": "/nonexistent"},
    )
    assert done.code == 3
    assert "gh" in done.stderr and "Traceback" not in done.stderr


def test_the_secrets_are_the_bot_profile_s_whatever_the_exchange(repo: Repo) -> None:
    repo.write(
        "pyproject.toml",
        '[tool.bottie.profile]\nexchange = "okx"\n'
        'credentials = ["OKX_API_KEY", "OKX_API_SECRET", "OKX_PASSPHRASE"]\n',
    )
    out = invoke_ci("github", "setup", "--repo", "acme/bot", cwd=repo.path).stdout
    for name in ("OKX_API_KEY", "OKX_API_SECRET", "OKX_PASSPHRASE", SIGNING_KEY):
        assert f"gh secret set {name} --env mainnet --repo acme/bot" in out
    assert "BINANCE" not in out


def test_outside_a_repository_only_the_signing_key_is_asked_for(tmp_path: Path) -> None:
    out = invoke_ci("github", "setup", "--repo", "acme/bot", cwd=tmp_path).stdout
    assert out.count("gh secret set ") == 3  # checklist, testnet, mainnet: the signing key


def test_the_ssh_target_adds_its_key_host_and_ops_environments(repo: Repo) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML + '[tool.bottie.deploy]\ntarget = "ssh"\n')
    out = invoke_ci("github", "setup", "--repo", "acme/bot", cwd=repo.path).stdout
    for env in ("testnet", "mainnet", "testnet-ops", "mainnet-ops"):
        for name in ssh.VARIABLES:
            assert f"gh variable set {name} --env {env} --repo acme/bot" in out
    for env in ("testnet", "mainnet"):
        assert f"gh secret set BOTTIE_SSH_KEY --env {env} --repo acme/bot" in out
    # No environment without a reviewer holds the key that can deploy: the ops environments
    # get the operations key, which the host lets only pause and read (tests/deploy/targets).
    for env in ("testnet-ops", "mainnet-ops"):
        assert f"gh secret set BOTTIE_SSH_OPS_KEY --env {env} --repo acme/bot" in out
        assert f"gh secret set BOTTIE_SSH_KEY --env {env} " not in out
    for env in ("testnet-ops", "mainnet-ops"):  # pause and status: main only, no reviewers
        assert f"gh api --method PUT repos/acme/bot/environments/{env} --input -" in out
        assert f"repos/acme/bot/environments/{env}/deployment-branch-policies" in out
    ops = plan("acme/bot", {"bob": 7}, ssh=True)
    body = next(c.body for c in ops if c.why == "environment mainnet-ops")
    assert body is not None and "reviewers" not in body
    assert (SSH_SECRETS, SSH_VARIABLES) == (ssh.SECRETS, ssh.VARIABLES)


def test_the_local_target_asks_for_no_ssh_settings(repo: Repo) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    out = invoke_ci("github", "setup", "--repo", "acme/bot", cwd=repo.path).stdout
    assert "BOTTIE_SSH" not in out and "-ops" not in out
