"""The pre-commit hooks, installed for real in a temporary repository and run by `git commit`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ci.core import config_cache, git
from ci.core.errors import ExitCode
from tests import secret_samples as samples
from tests.helpers import (
    PROJECT_ROOT,
    CliResult,
    Repo,
    heavy_imports_of_two_runs,
    invoke_ci,
    isolate,
    shared_by_workers,
)

# The pipeline itself is not copied: the hooks import it from this checkout (PYTHONPATH), as
# a bot repository's hooks import the installed tool, so each commit stages only the bot's files
# (a copy of ci/ and logsafe/ was linted and scanned by every commit).
COPIED = [".pre-commit-config.yaml", ".gitleaks.toml", "pyproject.toml", ".gitignore"]


@pytest.fixture(scope="session")
def hooked_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bot repository with the hooks installed (`pre-commit install`) and its config
    remembered (as after its first commit), built once per run and shared by the workers:
    each test that commits gets a copy of its own (`hooked`). Built afresh per test, the
    install and the first commit's validation cost about 0.7 s of CPU."""
    with shared_by_workers(tmp_path_factory, "hooked-repo") as base:
        template = base / "repo"
        if not template.is_dir():
            building = base / "building"
            shutil.rmtree(building, ignore_errors=True)  # what a worker that failed left
            with pytest.MonkeyPatch.context() as patch:
                isolate(patch, tmp_path_factory.mktemp("home"))
                _build_hooked(Repo(building))
            building.rename(template)
        return template


def _build_hooked(repo: Repo) -> None:
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    for rel in COPIED:
        shutil.copy2(PROJECT_ROOT / rel, repo.path / rel)
    repo.write(".env.example", "LOG_LEVEL=INFO\n")
    repo.write("bot/app.py", 'import os\n\nLEVEL = os.getenv("LOG_LEVEL")\n')
    pre_commit = Path(sys.executable).with_name("pre-commit")
    subprocess.run(
        [str(pre_commit), "install"],
        cwd=repo.path,
        env=_hook_env(),
        check=True,
        capture_output=True,
    )
    config_cache.values(*git.locate(repo.path))  # what the first commit's hook remembers


def _hook_env() -> dict[str, str]:
    # The hooks run `python -m ci` as installed: this venv's python first on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, "PYTHONPATH": str(PROJECT_ROOT)}


@pytest.fixture
def hooked(hooked_template: Path, tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    repo = Repo(tmp_path / "repo")
    shutil.copytree(hooked_template, repo.path, symlinks=True)
    return repo, _hook_env()


def commit(
    repo: Repo, env: dict[str, str], *, stage: str = "-A"
) -> subprocess.CompletedProcess[str]:
    repo.git("add", stage)
    return _in(repo, env, ["git", "commit", "-m", "change"])


def all_files(repo: Repo, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`pre-commit run --all-files`, on everything staged."""
    repo.git("add", "-A")
    return _in(repo, env, [str(Path(sys.executable).with_name("pre-commit")), "run", "--all-files"])


def _in(repo: Repo, env: dict[str, str], argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=repo.path, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def output_of(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


def hook_on_what_is_staged(repo: Repo) -> CliResult:
    """The hook's verdict on everything, staged, without the commit: `hook all` in this process
    on the staged Python files, as pre-commit passes them. For a test whose point is a part's
    verdict; the tests of what pre-commit does with it commit."""
    repo.git("add", "-A")
    staged = repo.git("diff", "--cached", "--name-only", "-z", "--", "*.py").split("\0")
    return invoke_ci("hook", "all", *filter(None, staged), cwd=repo.path)


def test_clean_commit_passes_every_part(hooked: tuple[Repo, dict[str, str]]) -> None:
    repo, env = hooked
    # A repository's first commit: the hook validates the config it has not remembered yet.
    (repo.path / ".git" / config_cache.ENTRY).unlink()
    done = commit(repo, env)
    assert done.returncode == 0, output_of(done)
    lines = output_of(done).splitlines()
    assert any(
        line.startswith("bottie (secrets, lint, env on what is staged)....") for line in lines
    )
    # One line a part, shown on a commit that passes too (the hook is verbose).
    assert "secrets: passed: no secret in the staged changes" in lines
    assert "lint: passed: ruff check and format clean (the pipeline's ruff)" in lines
    assert "env: passed: .env kept out of git; .env.example is current" in lines


def test_staged_secret_blocks_the_commit_without_showing_it(
    hooked: tuple[Repo, dict[str, str]],
) -> None:
    repo, env = hooked
    key = samples.binance_key(41)
    repo.write("config/keys.txt", f'BINANCE_API_SECRET = "{key}"\n')
    done = commit(repo, env)
    assert done.returncode != 0
    output = output_of(done)
    assert "secret staged: config/keys.txt:1: [binance-api-key]" in output
    assert "secrets: failed: 1 secret(s) staged: remove them, and rotate any that were real" in (
        output.splitlines()
    )
    assert "  config/keys.txt:binance-api-key:1" in output.splitlines()  # how to allow it
    assert "lint: passed: " in output and "env: passed: " in output  # the other parts ran
    assert key not in output
    assert "Traceback" not in output


def test_lint_part_lints_only_the_staged_files(hooked: tuple[Repo, dict[str, str]]) -> None:
    repo, env = hooked
    repo.git("add", "-A")  # committed without hooks: all of them on a clean commit is a test above
    repo.git("commit", "-q", "--no-verify", "-m", "initial")
    env = {**env, "SKIP": "bottie-secrets,bottie-env"}  # pre-commit's own switch: lint alone
    repo.write("bot/unstaged.py", "import os\n")  # not staged: not this commit's business
    repo.write("bot/calc.py", 'def add(a, b):\n    print("debug")\n    return a+b\n')
    done = commit(repo, env, stage="bot/calc.py")
    output = output_of(done)
    assert done.returncode != 0
    assert "bot/calc.py:2: [T201] `print` found" in output
    assert "bot/calc.py:3: [unformatted]" in output
    assert "lint: failed: 2 problem(s) (the pipeline's ruff) in bot/calc.py" in output.splitlines()
    assert "unstaged.py" not in output
    repo.write("bot/calc.py", "def add(a, b):\n    return a + b\n")
    done = commit(repo, env, stage="bot/calc.py")
    assert done.returncode == 0, output_of(done)


def test_env_part_refuses_an_example_that_is_not_current(
    hooked: tuple[Repo, dict[str, str]],
) -> None:
    repo, env = hooked
    repo.write(".env.example", "LOG_LEVEL=INFO\nSTALE_NAME=\n")
    done = commit(repo, env)
    assert done.returncode != 0
    lines = output_of(done).splitlines()
    stale = ".env.example:2: [stale] STALE_NAME is documented but no code reads it (stale)"
    assert lines[lines.index(stale) + 1] == "env: failed: 1 problem(s)"
    assert "secrets: passed: no secret in the staged changes" in lines


# A change each part refuses: (file, its text, the line that part prints when it refuses it).
REFUSED = {
    "secrets": ("config/keys.txt", 'BINANCE_API_SECRET = "{key}"\n', "secrets: failed: "),
    "lint": ("bot/calc.py", 'print("debug")\n', "lint: failed: "),
    "env": (".env.example", "LOG_LEVEL=INFO\nSTALE_NAME=\n", "env: failed: "),
}


@pytest.mark.parametrize("part", sorted(REFUSED))
def test_skip_names_one_part_by_its_hook_id(hooked: tuple[Repo, dict[str, str]], part: str) -> None:
    repo, env = hooked
    name, text, refused = REFUSED[part]
    repo.write(name, text.format(key=samples.binance_key(45)))
    verdict = hook_on_what_is_staged(repo)  # the part refuses the change: SKIP lets it through
    assert verdict.code == ExitCode.FAILED and refused in verdict.stderr, verdict.stderr
    done = commit(repo, {**env, "SKIP": f"other-hook, bottie-{part}"})
    assert done.returncode == 0, output_of(done)
    lines = output_of(done).splitlines()
    assert f"{part}: skipped: bottie-{part} is in SKIP" in lines
    others = [other for other in REFUSED if other != part]
    assert all(any(line.startswith(f"{other}: passed: ") for line in lines) for other in others)


def test_skip_of_the_hook_id_skips_every_part(hooked: tuple[Repo, dict[str, str]]) -> None:
    repo, env = hooked
    repo.write("bot/calc.py", 'print("debug")\n')
    done = commit(repo, {**env, "SKIP": "bottie"})
    assert done.returncode == 0, output_of(done)
    assert "Skipped" in output_of(done) and "lint: " not in output_of(done)


def test_a_part_whose_tool_is_missing_fails_closed(repo: Repo, tmp_path: Path) -> None:
    # A python with neither ruff nor gitleaks beside it or on PATH: only git is there.
    shutil.copy(PROJECT_ROOT / ".gitleaks.toml", repo.path / ".gitleaks.toml")
    repo.write(".gitignore", ".env\n")
    repo.write(".env.example", "")
    repo.write("bot/calc.py", "VALUE = 1\n")
    repo.git("add", "-A")
    bare = tmp_path / "bare-bin"
    bare.mkdir()
    (bare / "python").symlink_to(sys.executable)
    (bare / "git").symlink_to(shutil.which("git") or "git")
    site = sysconfig.get_paths()["purelib"]  # outside its venv, the python needs it named
    env = {**os.environ, "PATH": str(bare), "PYTHONPATH": f"{PROJECT_ROOT}{os.pathsep}{site}"}
    done = subprocess.run(
        [str(bare / "python"), "-m", "ci", "hook", "all", "bot/calc.py"],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == ExitCode.ERROR
    lines = done.stderr.splitlines()
    assert lines[0].startswith("secrets: could not run: executable `gitleaks` not found (pip ")
    assert lines[1].startswith("lint: could not run: executable `ruff` not found (pip install ruff")
    assert lines[2].startswith("env: passed: ")
    assert len(lines) == 3 and done.stdout == ""


def test_one_invocation_for_many_files(hooked: tuple[Repo, dict[str, str]]) -> None:
    # pre-commit splits more than 4 files across its CPUs unless a hook is serial: the secrets
    # and env parts must not run beside themselves.
    repo, env = hooked
    for number in range(12):
        repo.write(f"bot/part{number}.py", f"VALUE = {number}\n")
    done = all_files(repo, env)
    assert done.returncode == 0, output_of(done)
    assert output_of(done).count("secrets: passed") == 1


def test_a_list_too_long_for_one_command_line_loses_no_result(
    hooked: tuple[Repo, dict[str, str]],
) -> None:
    # pre-commit cuts a command line at 128 KiB: with `--all-files` on enough files the hook
    # runs more than once, one run after another, and every run's verdict counts.
    repo, env = hooked
    deep = "/".join(["d" * 200] * 5)  # a path of about 1 KiB: 160 files fill two command lines
    for number in range(160):
        repo.write(f"bot/{deep}/m{number:03}.py", f"VALUE = {number}\n")
    last = f"bot/{deep}/m159.py"
    repo.write(last, 'print("debug")\n')
    done = all_files(repo, env)
    output = output_of(done)
    assert done.returncode != 0
    runs = output.count("secrets: passed")
    assert runs >= 2  # the list was split
    assert output.count("env: passed") == runs
    assert f"{last}:1: [T201] `print` found" in output
    assert output.count("lint: failed: ") == 1 and output.count("lint: passed: ") == runs - 1


# The three hooks `ci init` wrote before `hook all`: bot repositories keep this file.
SEPARATE_HOOKS = """\
minimum_pre_commit_version: "4.4.0"
repos:
  - repo: local
    hooks:
      - id: bottie-secrets
        name: secrets (gitleaks on staged changes)
        entry: python -m ci hook secrets
        language: unsupported
        pass_filenames: false
        always_run: true
      - id: bottie-lint
        name: lint (ruff check + format, staged files)
        entry: python -m ci hook lint
        language: unsupported
        types: [python]
      - id: bottie-env
        name: env (.env ignored, .env.example current)
        entry: python -m ci hook env
        language: unsupported
        pass_filenames: false
        always_run: true
"""


def test_a_config_with_the_separate_hooks_works_as_before(
    hooked: tuple[Repo, dict[str, str]],
) -> None:
    repo, env = hooked
    repo.write(".pre-commit-config.yaml", SEPARATE_HOOKS)
    done = commit(repo, env)
    assert done.returncode == 0, output_of(done)
    for name in (
        "secrets (gitleaks on staged changes)",
        "lint (ruff check + format, staged files)",
    ):
        assert f"{name}....." in output_of(done)
    key = samples.binance_key(46)
    repo.write("config/keys.txt", f'BINANCE_API_SECRET = "{key}"\n')
    repo.write("bot/calc.py", 'print("debug")\n')
    done = commit(repo, {**env, "SKIP": "bottie-env"})
    output = output_of(done)
    assert done.returncode != 0
    assert "error: commit refused: remove the secret and rotate it if it was real" in output
    assert "bot/calc.py:1: [T201] `print` found" in output
    assert "error: lint: 1 problem(s) (the pipeline's ruff)" in output
    assert "env (.env ignored, .env.example current)" in output and "Skipped" in output
    assert key not in output and "secrets: " not in output


def test_hook_names_the_fingerprint_that_allows_a_staged_false_positive(repo: Repo) -> None:
    repo.commit("initial")
    token = samples.github_token(42)
    repo.write("fixtures.py", f'TOKEN = "{token}"\n')
    repo.git("add", "fixtures.py")
    refused = invoke_ci("hook", "secrets", cwd=repo.path)
    assert refused.code == ExitCode.FAILED
    assert refused.stderr.splitlines()[-1] == "  fixtures.py:github-pat:1"
    assert token not in refused.stdout + refused.stderr
    repo.write(".gitleaksignore", "# a revoked token the tests keep\nfixtures.py:github-pat:1\n")
    assert invoke_ci("hook", "secrets", cwd=repo.path).code == ExitCode.OK


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
    refused = invoke_ci("hook", "secrets", cwd=repo.path)
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
