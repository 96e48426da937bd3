"""The pipeline installed as a tool: `bottie-ci` from a fresh virtual environment, run against
another repository with -C, imports its own `ci` and runs the adopter's own `bot` and `ci`.

The fresh environment takes the pipeline's locked dependencies from this test run's own
environment (a .pth file: no second install of the whole lock), the hash-locked build backend
(requirements/build.txt), then the package the way scripts/install-pipeline.sh does:
`pip install --no-deps --no-build-isolation`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from tests.helpers import PROJECT_ROOT, Repo, shared_by_workers

ADOPTER_APP = """\
import os

from fastapi import FastAPI
from fastapi.responses import JSONResponse

MARKER = "adopter"


def make() -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, object]:
        return {"ok": True, "trade_enabled": os.environ.get("TRADE_ENABLED") == "1"}

    @app.get("/adopter-only")
    def only_here() -> dict[str, str]:
        return {"marker": MARKER}

    @app.post("/orders")
    def order() -> JSONResponse:
        if os.environ.get("TRADE_ENABLED") != "1":
            return JSONResponse({"error": "trading is off"}, status_code=403)
        return JSONResponse({"placed": True})

    return app
"""

ADOPTER_TOML = """\
[tool.bottie]
results_dir = "../results"

[tool.bottie.tests]
paths = ["tests"]
coverage_source = ["bot"]
fail_under = 0

[tool.bottie.app]
command = ["{python}", "-m", "uvicorn", "--factory", "bot.app:make", "--port", "{port}"]

[tool.bottie.profile]
kill_switch = { name = "TRADE_ENABLED", off = "0" }

[tool.bottie.profile.probes]
health = "/health"
routes = ["/adopter-only"]
order = "/orders"
"""


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`bottie-ci` installed into a fresh virtual environment from a copy of this checkout,
    once per run: the workers that run these tests share it (about 3 s of CPU each)."""
    with shared_by_workers(tmp_path_factory, "installed-tool") as base:
        installed = base / "venv" / "bin" / "bottie-ci"
        if not installed.exists():
            for part in ("source", "venv"):  # what a worker that failed half-way left
                shutil.rmtree(base / part, ignore_errors=True)
            _install(base)
        return installed


def _install(base: Path) -> None:
    source = base / "source"
    for part in ("ci", "logsafe", "pyproject.toml", "README.md"):
        copy = shutil.copytree if (PROJECT_ROOT / part).is_dir() else shutil.copy2
        copy(PROJECT_ROOT / part, source / part)
    venv = base / "venv"
    # As scripts/install-pipeline.sh: a venv without pip (ensurepip costs about 4.8 s of CPU),
    # filled by this environment's pip (`pip --python`).
    venv_command = [sys.executable, "-m", "venv", "--without-pip", str(venv)]
    subprocess.run(venv_command, check=True, env=_clean_env())
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        env=_clean_env(),
    ).stdout.strip()
    (Path(purelib) / "pipeline-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q"]
    # No bytecode, as scripts/install-pipeline.sh: Python writes it on first import.
    pip += ["--disable-pip-version-check", "--no-compile"]
    build = PROJECT_ROOT / "requirements" / "build.txt"  # the pinned build backend, as CI
    subprocess.run([*pip, "--require-hashes", "-r", build], check=True, env=_clean_env())
    subprocess.run(
        [*pip, "--no-deps", "--no-build-isolation", str(source)], check=True, env=_clean_env()
    )


def _clean_env() -> dict[str, str]:
    # Nothing on PYTHONPATH: the installed package alone must do.
    hidden = ("PYTHONPATH", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if k not in hidden}


def bottie(tool: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(tool), *args], cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def adopter(repo: Repo) -> Repo:
    """A bot repository with its own `bot` and `ci` packages (the names the pipeline uses)."""
    repo.write("bot/__init__.py", 'MARKER = "adopter"\n')
    repo.write("bot/app.py", ADOPTER_APP)
    repo.write("ci/__init__.py", 'MARKER = "adopter"\n')
    repo.write(
        "tests/test_own_packages.py",
        "import bot\nimport ci\n\n\ndef test_own_packages():\n"
        '    assert (bot.MARKER, ci.MARKER) == ("adopter", "adopter")\n',
    )
    repo.write("pyproject.toml", ADOPTER_TOML)
    repo.commit("adopter")
    return repo


def test_the_installed_tool_runs_from_anywhere(tool: Path, tmp_path: Path) -> None:
    done = bottie(tool, "--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("python -m ci, version ")


def test_it_lists_gates_of_another_repository(tool: Path, adopter: Repo, tmp_path: Path) -> None:
    done = bottie(tool, "-C", str(adopter.path), "run", "--list", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] in {"secrets", "env", "lint", "tests", "smoke", "audit"}


@pytest.mark.usefixtures("lean_child_pytest")  # the adopter's one test uses no hypothesis
def test_smoke_and_tests_import_the_adopters_own_bot_and_ci(
    tool: Path, adopter: Repo, tmp_path: Path
) -> None:
    done = bottie(tool, "-C", str(adopter.path), "run", "smoke", "tests", "-v", cwd=tmp_path)
    assert done.returncode == ExitCode.OK, done.stdout + done.stderr
    assert "GET /adopter-only 200" in done.stdout  # only the adopter's app has that route
    assert "1 tests passed" in done.stdout


def test_a_missing_directory_is_one_line_exit_2(tool: Path, tmp_path: Path) -> None:
    done = bottie(tool, "-C", str(tmp_path / "nowhere"), "run", "--list", cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE
    assert len(done.stderr.strip().splitlines()) == 1
    assert "nowhere" in done.stderr
    assert "Traceback" not in done.stderr
