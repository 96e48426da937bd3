"""The ssh target against a real sshd on loopback: every command, the lock on the host,
secrets only through the channel, and one clear line for each network fault."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from ci.core.runtime import alive, free_port
from tests.deploy.conftest import SECRETS, BotRepo, health, stop_bot
from tests.deploy.targets.conftest import Sshd, faulty_ssh, keygen, ssh_pyproject, user
from tests.helpers import PROJECT_ROOT

USER = user()  # the ssh login: root here, or whoever runs the tests (sshd then runs as them)


def outcomes(bot: BotRepo) -> list[str]:
    lines = (bot.base / "deploy-log.jsonl").read_text().splitlines()
    return [json.loads(line)["outcome"] for line in lines]


def agents(sshd: Sshd) -> list[int]:
    """This sshd's deploy agents (and their ssh clients) still running: the bootstrap names
    its folder; the agent's SSH_CONNECTION, or the client's -p, names the port."""
    port = str(sshd.port).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                if b"bottie-agent-" not in cmdline:
                    continue
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            ours = b"\0-p\0" + port + b"\0" in cmdline or (
                b"SSH_CONNECTION=" in environ
                and environ.split(b"SSH_CONNECTION=")[1].split(b"\0")[0].endswith(b" " + port)
            )
            if ours:
                found.append(int(entry.name))
    return found


def test_every_command_works_through_ssh(ssh_bot: BotRepo, sshd: Sshd) -> None:
    # The commands run in this process: each must end its session itself, as this process
    # outlives them all (test_the_bot_outlives_the_session... runs one as a real process).
    first_sha = ssh_bot.commit_green("first")
    deployed = ssh_bot.deploy()
    assert deployed.code == ExitCode.OK, deployed.stderr
    first = ssh_bot.live()
    assert health(ssh_bot)["version"] == first_sha
    env_file = ssh_bot.base / "shared" / "env" / f"{first}.env"
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    assert sshd.accepted() == 1  # the whole deploy: one connection
    assert agents(sshd) == []  # ended with the command

    second_sha = ssh_bot.commit_green("second")
    assert ssh_bot.deploy().code == ExitCode.OK
    assert health(ssh_bot)["version"] == second_sha

    status = ssh_bot.ci("status", "testnet")
    assert status.code == ExitCode.OK, status.stderr
    assert status.stdout.strip() == f"testnet: {ssh_bot.live()}: healthy on testnet"

    rolled = ssh_bot.ci("rollback", "testnet", "--approver", "bob")
    assert rolled.code == ExitCode.OK, rolled.stderr
    assert health(ssh_bot)["version"] == first_sha

    paused = ssh_bot.ci("pause", "testnet")
    assert paused.code == ExitCode.OK, paused.stderr
    assert health(ssh_bot)["trade_enabled"] is False
    resumed = ssh_bot.ci("resume", "testnet", "--yes-trade")
    assert resumed.code == ExitCode.OK, resumed.stderr
    assert health(ssh_bot)["trade_enabled"] is True

    restored = ssh_bot.ci("restore", "testnet")
    assert restored.code == ExitCode.OK, restored.stderr

    history = ssh_bot.ci("history", "testnet")
    assert history.code == ExitCode.OK
    assert [line.split()[1] for line in history.stdout.splitlines()] == outcomes(ssh_bot)
    done = {"success", "marked-bad", "paused", "resumed", "restored"}  # not the steps between
    assert [o for o in outcomes(ssh_bot) if o in done] == [
        "success",
        "success",
        "success",
        "marked-bad",
        "paused",
        "resumed",
        "restored",
    ]
    for result in (deployed, status, rolled, paused, resumed, history):
        for value in SECRETS.values():
            assert value not in result.stdout + result.stderr
    snapshot = ssh_bot.ci("incident", "snapshot", "testnet", "-o", "incident.tar.gz")
    assert snapshot.code == ExitCode.OK, snapshot.stderr
    with tarfile.open(ssh_bot.repo.path / "incident.tar.gz") as archive:
        names = archive.getnames()
        history_file = archive.extractfile("incident-testnet/history.json")
        assert history_file is not None
        fetched = json.load(history_file)["deploy_log"]
        texts = [archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()]  # type: ignore[union-attr]
    assert "incident-testnet/logs/bot.log" in names  # fetched from the host over SSH
    assert [e["outcome"] for e in fetched] == outcomes(ssh_bot)
    assert not any(v.encode() in t for v in SECRETS.values() for t in texts)

    # status fails, visibly, when the bot reports another network or is down
    pyproject = ssh_bot.repo.path / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('network = "testnet"', 'network = "mainnet"', 1))
    wrong = ssh_bot.ci("status", "testnet")
    assert wrong.code == ExitCode.FAILED
    assert wrong.stdout.endswith(": healthy on testnet, but testnet is mainnet\n")
    pyproject.write_text(text)
    stop_bot(ssh_bot.base)
    down = ssh_bot.ci("status", "testnet")
    assert down.code == ExitCode.FAILED
    # down, in whichever words the moment of the check gives: its pid gone ("the bot is not
    # running"), or killed but not yet reaped by init ("the bot exited")
    states = ("not running", "the bot is not running", "the bot exited")
    assert down.stdout in {f"testnet: {ssh_bot.live()}: {state}\n" for state in states}
    assert agents(sshd) == []  # every session ended with its command


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def lock_is_free(bot: BotRepo) -> bool:
    fd = os.open(bot.base / "deploy.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def start_ci(bot: BotRepo, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **bot.env, **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "ci", *args],
        cwd=bot.repo.path,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_bot_outlives_the_session_and_secrets_stay_off_proc(
    ssh_bot: BotRepo, sshd: Sshd, tmp_path: Path
) -> None:
    ssh_bot.commit_green("first")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    key_line = sshd.env["BOTTIE_SSH_KEY"].splitlines()[1]
    needles = [v.encode() for v in SECRETS.values()] + [key_line.encode()]
    deploy = start_ci(
        ssh_bot, "deploy", "testnet", "--approver", "alice", env={"RUNNER_TEMP": str(runner_temp)}
    )
    seen: dict[str, int] = {"ssh": 0, "agent": 0, "sshd": 0}
    leaks: list[str] = []
    ours_seen = False  # agents(sshd) finds this deploy's agent while it runs
    while deploy.poll() is None:
        ours_seen = ours_seen or bool(agents(sshd))
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == deploy.pid:
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            argv0 = Path(cmdline.split(b"\0", 1)[0].decode(errors="replace")).name
            kind = None
            if argv0 in {"ssh", "sshd"} or argv0.startswith("sshd:"):
                kind = argv0.split(":")[0]
            elif b"bottie-agent-" in cmdline:
                kind = "agent"
            if kind is None:
                continue
            try:
                environ = (entry / "environ").read_bytes()  # only of these: /proc is large
            except OSError:
                continue
            seen[kind] += 1
            leaks += [f"{kind} {entry.name}" for n in needles if n in cmdline + environ]
        # Each look reads all of /proc: every 50 ms, the session's processes (which live as
        # long as it does) are seen many times, and the watch costs less the slower it is.
        time.sleep(0.05)
    _, err = deploy.communicate()
    assert deploy.returncode == ExitCode.OK, err
    assert seen["ssh"] and seen["agent"] and seen["sshd"], seen  # the watch saw them all
    assert leaks == []
    assert ours_seen
    assert list(runner_temp.iterdir()) == []  # the key's private folder is gone
    # The session ended with the command; the bot it started runs on.
    assert agents(sshd) == []
    assert children(sshd.process.pid) == []
    pid = int((ssh_bot.base / "shared" / "bot.pid").read_text())
    assert alive(pid)
    assert health(ssh_bot)["status"] == "ok"


def test_a_second_runner_is_refused_naming_the_holder(ssh_bot: BotRepo, sshd: Sshd) -> None:
    hook = [
        sys.executable,
        "-c",
        "import pathlib, time; pathlib.Path('hook-started').touch(); "
        "deadline = time.time() + 60\n"
        "while not pathlib.Path('hook-go').exists() and time.time() < deadline: time.sleep(0.05)",
    ]
    ssh_bot.repo.write("pyproject.toml", ssh_pyproject(ssh_bot.pyproject(pre_deploy=hook)))
    ssh_bot.repo.write(".gitignore", ".ci-results/\nchecklist.json\nhook-*\n")
    sha = ssh_bot.commit_green("first")
    first = start_ci(ssh_bot, "deploy", "testnet", "--approver", "alice")
    deadline = time.monotonic() + 60
    while not (ssh_bot.repo.path / "hook-started").exists():
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    try:
        second = ssh_bot.ci("deploy", "testnet", "--approver", "bob")
    finally:
        (ssh_bot.repo.path / "hook-go").touch()
    assert second.code == ExitCode.FAILED
    (line,) = second.stderr.splitlines()
    assert line.startswith("error: another deploy holds the lock: ")
    assert f"deploying {sha[:12]}: deploy deploy/testnet/" in line and "by alice" in line
    _, err = first.communicate(timeout=120)
    assert first.returncode == ExitCode.OK, err


def test_connection_refused_is_one_line(ssh_bot: BotRepo) -> None:
    ssh_bot.commit_green("first")
    closed = str(free_port())
    result = ssh_bot.deploy(env={"BOTTIE_SSH_PORT": closed})
    assert result.code == ExitCode.ERROR
    assert result.stderr.splitlines() == [
        f"error: ssh: cannot connect to {USER}@127.0.0.1:{closed}: connection refused"
    ]


def test_a_host_key_mismatch_is_refused(ssh_bot: BotRepo, sshd: Sshd, tmp_path: Path) -> None:
    ssh_bot.commit_green("first")
    other = keygen(tmp_path / "impostor").rsplit(" ", 1)[0]
    pinned = f"[127.0.0.1]:{sshd.port} {other}"
    result = ssh_bot.deploy(env={"BOTTIE_SSH_KNOWN_HOSTS": pinned})
    assert result.code == ExitCode.ERROR
    assert result.stderr.splitlines() == [
        f"error: ssh: the host key of 127.0.0.1:{sshd.port} does not match "
        "BOTTIE_SSH_KNOWN_HOSTS (host key verification failed); not connecting"
    ]
    assert sshd.accepted() == 0
    assert not ssh_bot.root.exists()


def test_a_wrong_key_is_refused(ssh_bot: BotRepo, sshd: Sshd, ops_private_key: Path) -> None:
    ssh_bot.commit_green("first")
    # A key this host never authorized: the operations key, which no test here installs
    # (its pattern is compiled once a worker; a key made here would be compiled again).
    public = ops_private_key.with_name("ops_key.pub").read_text().split()[1]
    assert public not in (sshd.folder / "authorized_keys").read_text()
    wrong = ops_private_key.read_text()
    result = ssh_bot.deploy(env={"BOTTIE_SSH_KEY": wrong})
    assert result.code == ExitCode.ERROR
    assert result.stderr.splitlines() == [
        f"error: ssh: {USER}@127.0.0.1:{sshd.port} refused the key in BOTTIE_SSH_KEY "
        "(permission denied)"
    ]
    assert wrong.splitlines()[1] not in result.stderr
    assert not ssh_bot.root.exists()


def test_a_drop_during_the_upload_leaves_the_live_release(ssh_bot: BotRepo, tmp_path: Path) -> None:
    ssh_bot.commit_green("first")
    assert ssh_bot.deploy().code == ExitCode.OK
    live = ssh_bot.live()
    ssh_bot.commit_green("second")
    result = ssh_bot.deploy(env=faulty_ssh(tmp_path / "faulty", "prepare", 2000))
    assert result.code == ExitCode.FAILED
    assert result.stderr.splitlines() == [
        f"error: ssh: the connection to {USER}@127.0.0.1:"
        f"{ssh_bot.env['BOTTIE_SSH_PORT']} was lost during prepare; nothing live was touched, "
        "and the host let go of the deploy lock when the agent's session ended"
    ]
    assert ssh_bot.live() == live
    assert health(ssh_bot)["status"] == "ok"
    assert [p for p in (ssh_bot.base / "releases").iterdir()] == [ssh_bot.base / "releases" / live]
    again = ssh_bot.deploy()  # the lock went with the session
    assert again.code == ExitCode.OK, again.stderr


def test_a_drop_after_the_switch_puts_the_old_release_back(
    ssh_bot: BotRepo, tmp_path: Path
) -> None:
    first_sha = ssh_bot.commit_green("first")
    assert ssh_bot.deploy().code == ExitCode.OK
    live = ssh_bot.live()
    ssh_bot.commit_green("second")
    result = ssh_bot.deploy(env=faulty_ssh(tmp_path / "faulty", "health", 0))
    assert result.code == ExitCode.FAILED
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: ssh: the connection to {USER}@127.0.0.1:")
    assert "was lost during health, after the switch: the host puts back the release" in line
    assert len(ssh_bot.tags()) == 1  # no tag for a deploy nobody saw healthy
    deadline = time.monotonic() + 30
    while "switched-back" not in outcomes(ssh_bot):
        assert time.monotonic() < deadline, outcomes(ssh_bot)
        time.sleep(0.1)
    assert ssh_bot.live() == live
    assert health(ssh_bot)["version"] == first_sha
    assert lock_is_free(ssh_bot)


@contextlib.contextmanager
def mounted(*argv: str) -> Iterator[None]:
    """A mount for the test's life (root only: skip, saying why, where mounts are refused)."""
    done = subprocess.run(["mount", *argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip()}): a real full or read-only disk")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", argv[-1]], check=False, capture_output=True)


def test_a_read_only_release_folder_is_one_line(ssh_bot: BotRepo) -> None:
    first_sha = ssh_bot.commit_green("first")
    assert ssh_bot.deploy().code == ExitCode.OK
    live, releases = ssh_bot.live(), str(ssh_bot.base / "releases")
    ssh_bot.commit_green("second")
    with mounted("--bind", releases, releases):
        subprocess.run(["mount", "-o", "remount,bind,ro", releases], check=True)
        result = ssh_bot.deploy()
    assert result.code == ExitCode.ERROR
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: cannot prepare release ")
    assert line.endswith("Read-only file system; nothing live was touched")
    assert ssh_bot.live() == live
    assert health(ssh_bot)["version"] == first_sha
    assert lock_is_free(ssh_bot)


def test_a_full_disk_on_the_host_is_one_line(ssh_bot: BotRepo) -> None:
    ssh_bot.root.mkdir(parents=True)
    with mounted("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(ssh_bot.root)):
        try:
            first_sha = ssh_bot.commit_green("first")
            assert ssh_bot.deploy().code == ExitCode.OK
            live = ssh_bot.live()
            ssh_bot.commit_green("second")
            with contextlib.suppress(OSError), (ssh_bot.root / "filler").open("wb") as filler:
                while True:
                    filler.write(b"\0" * 65536)
            result = ssh_bot.deploy()
            assert result.code == ExitCode.ERROR
            (line,) = result.stderr.splitlines()
            assert line.startswith("error: ") and "No space left on device" in line
            assert ssh_bot.live() == live
            assert health(ssh_bot)["version"] == first_sha
            assert lock_is_free(ssh_bot)
        finally:
            stop_bot(ssh_bot.base)


def test_a_host_without_the_configured_python_is_named(ssh_bot: BotRepo, sshd: Sshd) -> None:
    pyproject = ssh_bot.repo.path / "pyproject.toml"
    text = pyproject.read_text().replace(
        f'python = "{sys.executable}"', 'python = "/opt/no-python"'
    )
    pyproject.write_text(text)
    result = ssh_bot.ci("status", "testnet")
    assert result.code == ExitCode.ERROR
    assert result.stderr.splitlines() == [
        f"error: ssh: {USER}@127.0.0.1:{sshd.port} has no /opt/no-python "
        "(the deploy agent needs Python 3.11+)"
    ]
