"""The trading invariants under an operator's mistakes and an attacker's tags, for real:
a forged tag cannot reach live, a pause survives a deploy, a foreign process on the port is
refused, one bot per environment, the lock admits one holder, a failure says what it left.

Where the pipeline's rules are the point (tags, the kill switch kept across deploys and
checked in the bot's own report, one bot, faults) the stand-in bot serves and the CLI runs in
process (tests/deploy/conftest.py); the example bot and real `python -m ci` processes stay
where its own code or a process is the point (the next bot started early: its app factory
and lifespan; a deploy killed mid-way)."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from ci.deploy.lock import LockHeld, deploy_lock
from tests.deploy.conftest import BotRepo, health


def outcomes(bot: BotRepo) -> list[str]:
    lines = (bot.base / "deploy-log.jsonl").read_text().splitlines()
    return [json.loads(line)["outcome"] for line in lines]


def bot_processes(base: Path) -> list[int]:
    """Processes whose working directory is one of this environment's releases."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = (entry / "cwd").resolve()
        except OSError:
            continue
        if str(cwd).startswith(str(base / "releases")):
            found.append(int(entry.name))
    return found


class TestTrustChain:
    def test_a_hand_made_tag_on_an_ungated_commit_is_refused(self, standin: BotRepo) -> None:
        standin.commit_green("first")
        assert standin.deploy().code == ExitCode.OK
        time.sleep(0.01)
        standin.commit_green("second")
        assert standin.deploy().code == ExitCode.OK
        ungated = standin.repo.commit("never gated")
        forged = f"deploy/testnet/20200101T000000Z-{ungated[:7]}"
        standin.repo.git("tag", forged, ungated)
        refused = standin.ci("rollback", "testnet", "--to", forged)
        assert refused.code == ExitCode.FAILED
        assert "this target's deploy log has no healthy deploy of it" in refused.stderr
        assert health(standin)["version"] != ungated

    def test_a_tag_renamed_onto_another_commit_is_refused(self, standin: BotRepo) -> None:
        first = standin.commit_green("first")
        assert standin.deploy().code == ExitCode.OK
        (real,) = standin.tags()
        standin.commit_green("second")
        assert standin.deploy().code == ExitCode.OK
        ungated = standin.repo.commit("never gated")
        standin.repo.git("tag", "-f", real, ungated)  # the same name, another commit
        refused = standin.ci("rollback", "testnet", "--to", real)
        assert refused.code == ExitCode.FAILED
        assert health(standin)["version"] not in (ungated, first)

    def test_a_planted_future_tag_does_not_block_the_default_rollback(
        self, standin: BotRepo
    ) -> None:
        first = standin.commit_green("first")
        assert standin.deploy().code == ExitCode.OK
        standin.commit_green("second")
        assert standin.deploy().code == ExitCode.OK
        ungated = standin.repo.commit("never gated")
        standin.repo.git("tag", f"deploy/testnet/20991231T235959Z-{ungated[:7]}", ungated)
        rolled = standin.ci("rollback", "testnet")
        assert rolled.code == ExitCode.OK, rolled.stderr
        assert health(standin)["version"] == first


class TestKillSwitch:
    def test_a_deploy_after_pause_keeps_trading_off_until_resume(self, standin: BotRepo) -> None:
        standin.commit_green("first")
        assert standin.deploy().code == ExitCode.OK
        assert health(standin)["trade_enabled"] is True
        assert standin.ci("pause", "testnet").code == ExitCode.OK
        standin.commit_green("second")
        assert standin.deploy().code == ExitCode.OK
        assert health(standin)["trade_enabled"] is False  # still paused
        assert "(paused)" in standin.ci("status", "testnet").stdout
        rolled = standin.ci("rollback", "testnet", "--with-current-env")
        assert rolled.code == ExitCode.OK, rolled.stderr
        assert health(standin)["trade_enabled"] is False
        assert standin.ci("resume", "testnet", "--yes-trade").code == ExitCode.OK
        assert health(standin)["trade_enabled"] is True

    def test_pause_fails_loudly_when_the_bot_does_not_report_trading_stopped(
        self, standin: BotRepo
    ) -> None:
        # A bot that ignores its kill switch: it reports trade_enabled true whatever it is given.
        app = (standin.repo.path / standin.app_file).read_text()
        reads = '"trade_enabled": _kill_switch_on(profile)'
        assert reads in app
        standin.repo.write(standin.app_file, app.replace(reads, '"trade_enabled": True'))
        standin.deployed("a bot that never reads its kill switch")
        paused = standin.ci("pause", "testnet")
        assert paused.code == ExitCode.ERROR
        assert "but the bot does not report trade_enabled: false" in paused.stderr


class _Foreign(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # answers health like a bot would
        body = json.dumps({"status": "ok", "network": "testnet"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def foreign(standin: BotRepo) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", standin.port), _Foreign)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class TestOneBot:
    def test_a_foreign_process_on_the_port_is_refused_and_nothing_is_tagged(
        self, standin: BotRepo, foreign: ThreadingHTTPServer
    ) -> None:
        standin.commit_green("first")
        result = standin.deploy()
        assert result.code == ExitCode.FAILED
        assert f"port {standin.port} is still in use" in result.stderr
        assert "nothing runs" in result.stderr
        assert standin.tags() == []
        assert bot_processes(standin.base) == []

    def test_one_bot_process_after_deploy_rollback_pause_and_restore(
        self, standin: BotRepo
    ) -> None:
        standin.commit_green("first")
        assert standin.deploy().code == ExitCode.OK
        assert len(bot_processes(standin.base)) == 1
        standin.commit_green("second")
        assert standin.deploy().code == ExitCode.OK
        assert len(bot_processes(standin.base)) == 1
        for args in (("rollback", "testnet"), ("pause", "testnet"), ("restore", "testnet")):
            done = standin.ci(*args)
            assert done.code == ExitCode.OK, done.stderr
            assert len(bot_processes(standin.base)) == 1, args

    def test_a_failed_first_deploy_leaves_nothing_running(self, standin: BotRepo) -> None:
        standin.repo.write(standin.app_file, "raise SystemExit('cannot start')\n")
        standin.commit_green("broken from the start")
        result = standin.deploy()
        assert result.code == ExitCode.FAILED
        assert "there was no earlier release, so nothing runs" in result.stderr
        assert bot_processes(standin.base) == []
        assert standin.ci("status", "testnet").code == ExitCode.FAILED


# Appended to the bot's app.py: its factory says whether it ran alone (an exclusive flock,
# held by each bot until it exits, which the kernel lets go of at exit), and each bot notes
# when it finished shutting down (just before it exits), in seconds since boot.
_FACTORY_PROOF = """

import fcntl as _fcntl, os as _os, time as _time
_factory = from_environment


def _note(line):
    with open(_os.path.join(_os.environ["STATE_DIR"], "proof.log"), "a") as log:
        log.write(line + "\\n")


def from_environment():
    lock = _os.path.join(_os.environ["STATE_DIR"], "factory.lock")
    held = _os.open(lock, _os.O_RDWR | _os.O_CREAT)
    try:
        _fcntl.flock(held, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
        _note(f"factory {_os.getpid()} alone")
    except BlockingIOError:
        _note(f"factory {_os.getpid()} OVERLAP")
    app = _factory()

    async def noting_its_end(scope, receive, send):
        async def sending(message):
            if message["type"] == "lifespan.shutdown.complete":
                _note(f"exit {_os.getpid()} {_time.clock_gettime(_time.CLOCK_BOOTTIME)}")
            await send(message)

        await app(scope, receive, sending if scope["type"] == "lifespan" else send)

    return noting_its_end
"""


def _started(pid: int) -> float:
    """When a process started, in seconds since boot (/proc/PID/stat, field 22)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("command", ["rollback", "pause"])
def test_the_next_bot_starts_early_and_never_runs_beside_the_old_one(
    bot: BotRepo, command: str
) -> None:
    app = bot.repo.path / "bot" / "app.py"
    bot.repo.write("bot/app.py", app.read_text() + _FACTORY_PROOF)
    releases = ["first", "second"] if command == "rollback" else ["first"]  # one to go back to
    bot.deployed(*releases)
    old = int((bot.base / "shared" / "bot.pid").read_text())
    done = bot.ci(command, "testnet")
    assert done.code == ExitCode.OK, done.stderr
    new = int((bot.base / "shared" / "bot.pid").read_text())
    proof = (bot.base / "shared" / "state" / "proof.log").read_text().splitlines()
    factories = [line for line in proof if line.startswith("factory")]
    assert len(factories) == len(releases) + 1, proof
    assert all(line.endswith(" alone") for line in factories), proof
    assert factories[-1] == f"factory {new} alone"
    (old_exit,) = [float(line.split()[2]) for line in proof if line.startswith(f"exit {old} ")]
    # The next bot's process was up before the old one exited: started in advance, and yet
    # its factory ran alone.
    assert _started(new) < old_exit
    assert len(bot_processes(bot.base)) == 1


class TestFaults:
    def test_a_broken_state_file_fails_the_deploy_health(self, standin: BotRepo) -> None:
        standin.commit_green("first")
        assert standin.deploy().code == ExitCode.OK
        good = standin.live()
        (standin.base / "shared" / "state" / "positions.json").write_text("{not json")
        standin.commit_green("second")
        result = standin.deploy()
        assert result.code == ExitCode.FAILED
        assert "/status answered 500" in result.stderr
        assert standin.live() == good

    def test_a_failure_after_the_old_bot_stopped_is_recorded_and_said(
        self, standin: BotRepo
    ) -> None:
        standin.commit_green("first")
        assert standin.deploy().code == ExitCode.OK
        log = standin.base / "shared" / "logs" / "bot.log"
        log.unlink()
        log.mkdir()  # the bot's log cannot be opened: no bot can start
        standin.commit_green("second")
        result = standin.deploy()
        assert result.code == ExitCode.FAILED
        assert "deploy failed:" in result.stderr and "is unhealthy too" in result.stderr
        assert outcomes(standin)[-2:] == ["failed", "switched-back"]


def _hold(path: str, log: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    barrier.wait()
    for _ in range(20):
        try:
            with deploy_lock(Path(path), sha="x", message="race"):
                with Path(log).open("a") as out:
                    out.write(f"in {os.getpid()}\n")
                time.sleep(0.002)
                with Path(log).open("a") as out:
                    out.write(f"out {os.getpid()}\n")
        except LockHeld:
            time.sleep(0.001)


def test_many_racing_processes_never_hold_the_lock_together(tmp_path: Path) -> None:
    lock, log = tmp_path / "deploy.lock", tmp_path / "holders.log"
    barrier = multiprocessing.Barrier(8)
    workers = [
        multiprocessing.Process(target=_hold, args=(str(lock), str(log), barrier)) for _ in range(8)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    lines = log.read_text().splitlines()
    assert lines, "nobody ever took the lock"
    holders = 0
    for line in lines:
        holders += 1 if line.startswith("in ") else -1
        assert holders in (0, 1), "two processes held the deploy lock at once"


def test_a_dead_holder_leaves_no_lock_behind(tmp_path: Path) -> None:
    lock = tmp_path / "deploy.lock"
    child = multiprocessing.Process(target=_die_holding, args=(str(lock),))
    child.start()
    child.join(timeout=30)
    with deploy_lock(lock, sha="y", message="after a crash"):
        pass


def _die_holding(path: str) -> None:
    with deploy_lock(Path(path), sha="x", message="about to die"):
        os._exit(9)


def test_a_deploy_killed_after_the_switch_is_undone_by_the_next_command(
    standin: BotRepo,
) -> None:
    import signal

    # The deploy that is killed is a real process; the next command runs in this one.
    standin.deployed("good")
    good = standin.live()
    source = (standin.repo.path / standin.app_file).read_text()
    # The sleep goes after the module's __future__ import: above it the module would not
    # compile, and a bot that dies at once ends the deploy before the test can see the switch.
    future = "from __future__ import annotations\n"
    assert future in source, f"{standin.app_file}: its __future__ import was not found"
    slow = source.replace(future, future + "import time\ntime.sleep(60)\n", 1)
    standin.repo.write(standin.app_file, slow)
    standin.commit_green("a release that is slow to become healthy")
    deploy = standin.deploy_in_background()
    try:
        standin.until(lambda: standin.live() != good, deploy, "the switch")
        os.killpg(deploy.pid, signal.SIGKILL)  # dies while waiting for the new bot's health
        deploy.wait(timeout=10)
    finally:
        if deploy.poll() is None:
            os.killpg(deploy.pid, signal.SIGKILL)
    assert outcomes(standin)[-1] == "switching"
    paused = standin.ci("pause", "testnet")
    assert paused.code == ExitCode.OK, paused.stderr
    assert f"switched back to {good}; serves again" in paused.stderr
    assert standin.live() == good
    assert outcomes(standin)[-2:] == ["recovered", "paused"]
    assert len(bot_processes(standin.base)) == 1
