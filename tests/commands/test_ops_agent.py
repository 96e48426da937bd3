"""`ops-agent`: the operations agent to install on the bot's host, and the authorized_keys
options for its key, from the repository's config (tests/deploy/targets/test_ops_key.py
runs that agent behind a real sshd)."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from ci.deploy import agent
from tests.helpers import EXAMPLE_BOT_TOML, Repo, invoke_ci

SSH_DEPLOY = """
[tool.bottie.deploy]
target = "ssh"
root = "~/bottie"
[tool.bottie.deploy.ssh]
python = "/home/bottie/venv/bin/python"
"""


def test_it_writes_the_agent_and_prints_the_forced_command(repo: Repo, tmp_path: Path) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML + SSH_DEPLOY)
    output = tmp_path / "agent.pyz"
    done = invoke_ci("ops-agent", "~/bottie-agent.pyz", "--output", str(output), cwd=repo.path)
    assert done.code == ExitCode.OK, done.stderr
    assert done.stdout.splitlines() == [
        'restrict,command="exec /home/bottie/venv/bin/python -I -S ~/bottie-agent.pyz '
        '--ops ~/bottie TRADE_ENABLED=0"'
    ]
    assert output.read_bytes() == agent.bundle()
    with zipfile.ZipFile(output) as archive:
        assert "ci/deploy/ops_agent.py" in archive.namelist()


def test_the_same_code_bundles_to_the_same_bytes_at_any_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An operator compares the agent installed on the host with a fresh `ops-agent` by its
    checksum: the bytes must not carry the time they were built (zip entries hold one)."""
    first = agent.bundle()
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)  # 2033, not today
    later = agent.bundle()
    assert hashlib.sha256(later).hexdigest() == hashlib.sha256(first).hexdigest()
    with zipfile.ZipFile(io.BytesIO(later)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_local_target_has_no_operations_agent(repo: Repo, tmp_path: Path) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    output = tmp_path / "agent.pyz"
    done = invoke_ci("ops-agent", "~/bottie-agent.pyz", "--output", str(output), cwd=repo.path)
    assert done.code == ExitCode.ERROR
    assert done.stderr.splitlines() == [
        'error: the operations agent is for [tool.bottie.deploy] target = "ssh"'
    ]
    assert not output.exists()


def test_a_path_that_needs_a_double_quote_is_refused(repo: Repo, tmp_path: Path) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML + SSH_DEPLOY)
    output = tmp_path / "agent.pyz"
    done = invoke_ci("ops-agent", 'agent".pyz', "--output", str(output), cwd=repo.path)
    assert done.code == ExitCode.ERROR
    assert done.stderr.splitlines() == [
        "error: the ops key's forced command cannot hold a double quote or a line break: "
        "choose paths without them"
    ]
    assert not output.exists()
