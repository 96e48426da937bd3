"""`ops-agent`: the operations agent to install on the bot's host, and the authorized_keys
options for its key, from the repository's config (tests/deploy/targets/test_ops_key.py
runs that agent behind a real sshd)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

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
    assert members(output.read_bytes()) == members(agent.bundle())
    with zipfile.ZipFile(output) as archive:
        assert "ci/deploy/ops_agent.py" in archive.namelist()


def members(zipapp: bytes) -> list[tuple[str, bytes]]:
    """A zipapp's files in order, name and content: what the agent is. Not its bytes, which
    carry each member's time of writing (two bundles a 2-second tick apart differ)."""
    with zipfile.ZipFile(io.BytesIO(zipapp)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


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
