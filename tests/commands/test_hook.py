"""The pre-commit hooks, installed for real in a temporary repository and run by `git commit`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from tests import secret_samples as samples
from tests.helpers import PROJECT_ROOT, Repo, heavy_imports_of_two_runs, invoke_ci, run_ci

# The pipeline itself is not copied: the hooks import it from this checkout (PYTHONPATH), as
# a bot repository's hooks import the installed tool, so each commit stages only the bot's files
# (a copy of ci/ and logsafe/ was linted and scanned by every commit).
COPIED = [".pre-commit-config.yaml", ".gitleaks.toml", "pyproject.toml", ".gitignore"]


@pytest.fixture
def hooked(repo: Repo) -> tuple[Repo, dict[str, str]]:
    for rel in COPIED:
        source, target = PROJECT_ROOT / rel, repo.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    repo.write(".env.example", "LOG_LEVEL=INFO\n")
    repo.write("bot/app.py", 'import os\n\nLEVEL = os.getenv("LOG_LEVEL")\n')
    # The hooks run `python -m ci` as installed: this venv's python first on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "PATH": path, "PYTHONPATH": str(PROJECT_ROOT)}
    pre_commit = Path(sys.executable).with_name("pre-commit")
    subprocess.run(
        [str(pre_commit), "install"], cwd=repo.path, env=env, check=True, capture_output=True
    )
    return repo, env


def commit(
    repo: Repo, env: dict[str, str], *, stage: str = "-A"
) -> subprocess.CompletedProcess[str]:
    repo.git("add", stage)
    return subprocess.run(
        ["git", "commit", "-m", "change"],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_clean_commit_passes_every_hook(hooked: tuple[Repo, dict[str, str]]) -> None:
    repo, env = hooked
    done = commit(repo, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "secrets (gitleaks on staged changes)....." in done.stdout + done.stderr


def test_staged_secret_blocks_the_commit_without_showing_it(
    hooked: tuple[Repo, dict[str, str]],
) -> None:
    repo, env = hooked
    key = samples.binance_key(41)
    repo.write("bot/keys.py", f'BINANCE_API_SECRET = "{key}"\n')
    done = commit(repo, env)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "secret staged: bot/keys.py:1: [binance-api-key]" in output
    assert key not in output


def test_lint_hook_lints_only_the_staged_files(hooked: tuple[Repo, dict[str, str]]) -> None:
    repo, env = hooked
    repo.git("add", "-A")  # committed without hooks: all of them on a clean commit is a test above
    repo.git("commit", "-q", "--no-verify", "-m", "initial")
    env = {**env, "SKIP": "bottie-secrets,bottie-env"}  # pre-commit's own switch: lint alone
    repo.write("bot/unstaged.py", "import os\n")  # not staged: not this commit's business
    repo.write("bot/calc.py", 'def add(a, b):\n    print("debug")\n    return a+b\n')
    done = commit(repo, env, stage="bot/calc.py")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "bot/calc.py:2: [T201] `print` found" in output
    assert "bot/calc.py:3: [unformatted]" in output
    assert "unstaged.py" not in output
    repo.write("bot/calc.py", "def add(a, b):\n    return a + b\n")
    done = commit(repo, env, stage="bot/calc.py")
    assert done.returncode == 0, done.stdout + done.stderr


def test_hook_names_the_fingerprint_that_allows_a_staged_false_positive(repo: Repo) -> None:
    repo.commit("initial")
    token = samples.github_token(42)
    repo.write("fixtures.py", f'TOKEN = "{token}"\n')
    repo.git("add", "fixtures.py")
    refused = run_ci("hook", "secrets", cwd=repo.path)
    assert refused.code == ExitCode.FAILED
    assert refused.stderr.splitlines()[-1] == "  fixtures.py:github-pat:1"
    assert token not in refused.stdout + refused.stderr
    repo.write(".gitleaksignore", "# a revoked token the tests keep\nfixtures.py:github-pat:1\n")
    assert run_ci("hook", "secrets", cwd=repo.path).code == ExitCode.OK


@pytest.mark.parametrize(
    "name,content,rule",
    [
        ("bot/notify.py", 'TOKEN = "{tg}"\n', "telegram-bot-token"),
        ("wallet.txt", "{seed}\n", "bip39-seed-phrase"),
    ],
)
def test_hook_refuses_a_bare_telegram_token_and_a_seed_phrase(
    repo: Repo, name: str, content: str, rule: str
) -> None:
    shutil.copy(PROJECT_ROOT / ".gitleaks.toml", repo.path / ".gitleaks.toml")
    repo.commit("initial")
    secret = samples.telegram_token(43) if "{tg}" in content else samples.seed_phrase(12, 44)
    repo.write(name, content.format(tg=secret, seed=secret))
    repo.git("add", name)
    refused = run_ci("hook", "secrets", cwd=repo.path)
    assert refused.code == ExitCode.FAILED
    assert f"{name}:{rule}:1" in refused.stderr
    assert secret not in refused.stdout + refused.stderr


def test_the_lint_hook_loads_neither_the_secret_scanner_nor_the_models(repo: Repo) -> None:
    # It runs on every commit of Python code: a remembered config and ruff are all it needs.
    repo.write("pyproject.toml", '[tool.bottie.lint]\npaths = ["bot"]\n')
    repo.write("bot/calc.py", "VALUE = 1\n")
    repo.git("add", "-A")
    heavy = {"ci.scanning", "pydantic", "rich", "httpx"}
    printed = heavy_imports_of_two_runs(repo.path, ["hook", "lint", "bot/calc.py"], heavy)
    assert printed[0] == ["exit 0", "['pydantic']"]  # the config validated on the first run
    assert printed[1] == ["exit 0", "[]"]


def test_env_hook_refuses_an_example_that_is_not_current(repo: Repo) -> None:
    repo.write(".gitignore", ".env\n")
    repo.write(".env.example", "LOG_LEVEL=INFO\nSTALE_NAME=\n")
    repo.write("bot/app.py", 'import os\n\nLEVEL = os.getenv("LOG_LEVEL")\n')
    refused = invoke_ci("hook", "env", cwd=repo.path)
    assert refused.code == ExitCode.FAILED
    assert refused.stderr.splitlines() == [
        ".env.example:2: [stale] STALE_NAME is documented but no code reads it (stale)",
        "error: env: 1 problem(s)",
    ]
    repo.write(".env.example", "LOG_LEVEL=INFO\n")
    assert invoke_ci("hook", "env", cwd=repo.path).code == ExitCode.OK
