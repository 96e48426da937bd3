"""Benchmark: deploy and rollback over SSH against the same on the local target.

Run: `./dev python benchmarks/ssh_deploy.py` (needs OpenSSH's sshd, ssh and ssh-keygen; as
root it may log in as root). Each figure is one whole `python -m ci deploy|rollback ...`
command, from start to a healthy bot; a throwaway sshd on a loopback port plays the bot's
host. Prints the times, the ratios, and how many SSH connections each command opened
(sshd's "Accepted publickey" lines). Asserts nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ci.core.runtime import free_port  # noqa: E402
from tests.deploy.conftest import BotRepo, pyproject, stop_bot  # noqa: E402
from tests.deploy.targets.conftest import Sshd, ssh_pyproject, start_sshd  # noqa: E402
from tests.helpers import GIT_ENV, Repo  # noqa: E402


def bot_repo(folder: Path, ssh: Sshd | None) -> BotRepo:
    path = folder / "repo"
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
    for package in ("bot", "logsafe"):
        shutil.copytree(
            ROOT / package, path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    ports = (free_port(), free_port())
    text = pyproject(ports)
    repo = Repo(path)
    repo.write("pyproject.toml", ssh_pyproject(text) if ssh else text)
    repo.write(".gitignore", ".ci-results/\nchecklist.json\n")
    return BotRepo(repo, folder / "target", ports, ssh.env if ssh else {})


def timed(bot: BotRepo, *args: str) -> float:
    start = time.perf_counter()
    done = bot.ci(*args)
    elapsed = time.perf_counter() - start
    if done.code != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return elapsed


def measure(bot: BotRepo, sshd: Sshd | None) -> dict[str, float]:
    bot.commit_green("first")
    timed(bot, "deploy", "testnet", "--approver", "bench")
    bot.commit_green("second")
    before = sshd.accepted() if sshd else 0
    deploy = timed(bot, "deploy", "testnet", "--approver", "bench")
    connections = (sshd.accepted() - before) if sshd else 0
    rollback = timed(bot, "rollback", "testnet", "--approver", "bench")
    stop_bot(bot.base)
    return {"deploy": deploy, "rollback": rollback, "connections": connections}


def main() -> None:
    os.environ.update(GIT_ENV)
    with tempfile.TemporaryDirectory(prefix="bottie-bench-ssh-") as tmp:
        sshd = start_sshd(Path(tmp) / "sshd")
        try:
            local = measure(bot_repo(Path(tmp) / "local", None), None)
            remote = measure(bot_repo(Path(tmp) / "ssh", sshd), sshd)
        finally:
            sshd.process.terminate()
            sshd.process.wait(timeout=10)
    for what in ("deploy", "rollback"):
        print(
            f"{what:<9} local {local[what]:6.2f}s   ssh {remote[what]:6.2f}s   "
            f"ratio {remote[what] / local[what]:.2f} x"
        )
    print(f"SSH connections per deploy: {remote['connections']:g}")


if __name__ == "__main__":
    main()
