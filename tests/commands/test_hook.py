"""The pre-commit hooks, installed for real in a temporary repository and run by `git commit`."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from tests import secret_samples as samples
from tests.helpers import PROJECT_ROOT, Repo, run_ci

COPIED = [
    "dev",
    ".pre-commit-config.yaml",
    ".gitleaks.toml",
    "pyproject.toml",
    ".gitignore",
    "ci",
    "logsafe",
    "requirements/dev.txt",
]


def _venv_view(tmp: Path) -> Path:
    """A venv folder that `./dev` accepts as installed, backed by the running venv."""
    view = tmp / "venv"
    view.mkdir()
    shutil.copy(Path(sys.prefix) / "pyvenv.cfg", view / "pyvenv.cfg")
    for part in ("bin", "lib"):
        (view / part).symlink_to(Path(sys.prefix) / part)
    digest = hashlib.sha256((PROJECT_ROOT / "requirements/dev.txt").read_bytes()).hexdigest()
    (view / f".installed-{digest[:16]}").touch()
    return view


@pytest.fixture
def hooked(repo: Repo, tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    for rel in COPIED:
        source, target = PROJECT_ROOT / rel, repo.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    repo.write(".env.example", "LOG_LEVEL=INFO\n")
    repo.write("bot/app.py", 'import os\n\nLEVEL = os.getenv("LOG_LEVEL")\n')
    env = {**os.environ, "BOTTIE_VENV": str(_venv_view(tmp_path))}
    pre_commit = Path(sys.executable).with_name("pre-commit")
    subprocess.run(
        [str(pre_commit), "install"], cwd=repo.path, env=env, check=True, capture_output=True
    )
    return repo, env


def commit(repo: Repo, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    repo.git("add", "-A")
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
