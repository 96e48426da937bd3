"""`python -m ci github setup`: the dry run prints the exact gh calls, secrets by name only."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ci.github.setup import SECRETS, plan
from tests.helpers import run_ci


def test_dry_run_prints_environments_reviewers_secrets_and_rulesets(tmp_path: Path) -> None:
    done = run_ci("github", "setup", "--repo", "acme/bot", "--reviewer", "bob", cwd=tmp_path)
    assert done.code == 0, done.stderr
    out = done.stdout
    assert "gh api --method PUT repos/acme/bot/environments/testnet --input -" in out
    assert "gh api --method PUT repos/acme/bot/environments/mainnet --input -" in out
    assert "gh api users/bob --jq .id" in out
    for env in ("testnet", "mainnet"):
        for name in SECRETS:
            assert f"gh secret set {name} --env {env} --repo acme/bot" in out
    assert out.count("gh api --method POST repos/acme/bot/rulesets --input -") == 2


def test_mainnet_needs_a_reviewer_who_is_not_the_deployer() -> None:
    calls = plan("acme/bot", {"bob": 7})
    mainnet = next(c for c in calls if c.argv[4:5] == ("repos/acme/bot/environments/mainnet",))
    assert mainnet.body is not None
    assert mainnet.body["prevent_self_review"] is True
    assert mainnet.body["reviewers"] == [{"type": "User", "id": 7}]


def test_deploy_tags_can_be_created_but_never_moved_or_deleted() -> None:
    rulesets = [c.body for c in plan("acme/bot", {}) if c.body and c.body.get("target") == "tag"]
    assert len(rulesets) == 1
    ruleset = rulesets[0]
    assert ruleset["conditions"]["ref_name"]["include"] == ["refs/tags/deploy/*"]
    rules = {r["type"] for r in ruleset["rules"]}
    assert {"update", "deletion"} <= rules and "creation" not in rules


def test_rendered_bodies_are_json_heredocs(tmp_path: Path) -> None:
    out = run_ci("github", "setup", "--repo", "acme/bot", cwd=tmp_path).stdout
    bodies = re.findall(r"<<'JSON'\n(.*?)\nJSON", out, flags=re.S)
    assert len(bodies) == 4
    assert all(isinstance(json.loads(b), dict) for b in bodies)


def test_a_bad_repository_is_one_line_and_usage_exit(tmp_path: Path) -> None:
    done = run_ci("github", "setup", "--repo", "not a repo", cwd=tmp_path, env={})
    assert done.code == 2
    assert "--repo: expected OWNER/REPO" in done.stderr


def test_apply_without_gh_names_the_tool(tmp_path: Path) -> None:
    done = run_ci(
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
