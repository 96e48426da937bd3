"""A real OpenSSH server on a free loopback port, with a host key and an authorized client
key made for the test, and a bot repository whose deploy target is that host."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ci.core.runtime import free_port
from ci.deploy import agent
from ci.deploy.ops_agent import authorized_keys_options
from tests.deploy.conftest import BotRepo


def sshd_binary() -> str:
    """sshd, or a loud skip (a failure under CI=true, where ./dev installs it)."""
    found = shutil.which("sshd") or next(
        (p for p in ("/usr/sbin/sshd", "/usr/local/sbin/sshd") if os.access(p, os.X_OK)), None
    )
    if found and shutil.which("ssh") and shutil.which("ssh-keygen"):
        return found
    reason = "OpenSSH (sshd, ssh, ssh-keygen) is not installed: ./dev installs it when run as root"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(f"SKIPPING the SSH target's tests: {reason}")
    raise AssertionError  # pragma: no cover


def keygen(path: Path) -> str:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bottie-test", "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return path.with_name(path.name + ".pub").read_text(encoding="utf-8").strip()


@dataclass
class Sshd:
    folder: Path
    port: int
    process: subprocess.Popen[bytes]
    host_key: str  # the public host key line: "ssh-ed25519 AAAA..."
    client_key: Path

    @property
    def known_hosts(self) -> str:
        return f"[127.0.0.1]:{self.port} {self.host_key}"

    @property
    def env(self) -> dict[str, str]:
        return {
            "BOTTIE_SSH_HOST": "127.0.0.1",
            "BOTTIE_SSH_PORT": str(self.port),
            "BOTTIE_SSH_USER": user(),
            "BOTTIE_SSH_KEY": self.client_key.read_text(encoding="utf-8"),
            "BOTTIE_SSH_KNOWN_HOSTS": self.known_hosts,
        }

    @property
    def log(self) -> str:
        return (self.folder / "sshd.log").read_text(encoding="utf-8", errors="replace")

    def accepted(self) -> int:
        """How many connections authenticated so far (sshd says so at LogLevel VERBOSE)."""
        return self.log.count("Accepted publickey")


def install_ops_key(server: Sshd, root: Path, key: Path | None = None) -> Path:
    """An operations key for `server`'s host (`key`, or one made now): the agent installed
    on the host, the key's public half in authorized_keys behind the forced command
    `python -m ci ops-agent` prints (kill switch TRADE_ENABLED, off "0"). Returns the
    private key's path."""
    installed = server.folder / "bottie-agent.pyz"
    installed.write_bytes(agent.bundle())
    if key is None:
        key = server.folder / "ops_key"
        keygen(key)
    public = key.with_name(key.name + ".pub").read_text(encoding="utf-8").strip()
    options = authorized_keys_options(
        sys.executable, str(installed), str(root), "TRADE_ENABLED", "0"
    )
    with (server.folder / "authorized_keys").open("a", encoding="utf-8") as keys:
        keys.write(f"{options} {public}\n")
    return key


def user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


# What a connection costs is the tests' price, not the behaviour under test; the client's
# options (ci/deploy/targets/ssh_session.py: ssh_argv) are untouched. Measured per session
# (`ssh ... true`, CPU of client, sshd and shell): 0.198 s as sshd comes, 0.105 s without
# the shell's start-up files, 0.038 s with the classic key exchange too.
# - The login shell of whoever runs the tests reads their ~/.bashrc for a command sshd starts
#   (bash does so unless it is nested, which SHLVL says): a developer's rc files (93 ms of
#   CPU a connection where measured) are not the bot's host, as their global git config is
#   not the repository.
# - curve25519-sha256 alone: the post-quantum hybrid exchange the client prefers
#   (sntrup761x25519) costs 67 ms of CPU per connection; the host key and client key
#   checks, which the tests are about, are the same either way.
SPEED = ("SetEnv SHLVL=1", "KexAlgorithms curve25519-sha256")


_SPEED_KNOWN: dict[str, str] = {}  # sshd binary -> the SPEED options it takes


def speed_options(binary: str, config: Path) -> str:
    """SPEED, less what this sshd does not know (SetEnv came with OpenSSH 8.7): `sshd -t`
    reads a finished config (`config`, without them) with each, once per process."""
    if binary not in _SPEED_KNOWN:
        trial, kept = config.with_name("sshd_config.trial"), []
        for option in SPEED:
            trial.write_text(f"{config.read_text(encoding='utf-8')}{option}\n", encoding="utf-8")
            checked = subprocess.run([binary, "-t", "-f", str(trial)], capture_output=True)
            kept += [option] if checked.returncode == 0 else []
        trial.unlink()
        _SPEED_KNOWN[binary] = "".join(f"{option}\n" for option in kept)
    return _SPEED_KNOWN[binary]


def start_sshd(folder: Path, client_key: Path | None = None) -> Sshd:
    """An sshd with a host key of its own, authorizing `client_key` (or one made now)."""
    binary = sshd_binary()
    folder.mkdir(parents=True, exist_ok=True)
    host_pub = keygen(folder / "host_key")
    if client_key is None:
        client_key = folder / "client_key"
        keygen(client_key)
    client_pub = client_key.with_name(client_key.name + ".pub").read_text(encoding="utf-8")
    (folder / "authorized_keys").write_text(client_pub.strip() + "\n", encoding="utf-8")
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder / "host_key"}
AuthorizedKeysFile {folder / "authorized_keys"}
PidFile none
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
""",
        encoding="utf-8",
    )
    if os.getuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
    with config.open("a", encoding="utf-8") as extra:
        extra.write(speed_options(binary, config))
    log = (folder / "sshd.log").open("wb")
    process = subprocess.Popen(
        [binary, "-D", "-e", "-f", str(config)], stdout=log, stderr=log, start_new_session=True
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"sshd exited: {(folder / 'sshd.log').read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return Sshd(folder, port, process, host_pub.rsplit(" ", 1)[0], client_key)


@contextmanager
def running_sshd(folder: Path, client_key: Path | None = None) -> Iterator[Sshd]:
    """An sshd for the length of the block (the end-to-end tests' bot host, too)."""
    server = start_sshd(folder, client_key)
    try:
        yield server
    finally:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=10)


def _key_of_this_worker(factory: pytest.TempPathFactory, name: str) -> Path:
    path = factory.mktemp(name) / name
    keygen(path)
    return path


# Client keys are made once per pytest worker, host keys once per test. Where a command
# shows output, its redactor spells out every secret value in the environment, the key in
# BOTTIE_SSH_KEY too, and compiles them into one pattern the first time (about 0.5 s of
# CPU for an SSH key under the tests gate's coverage, remembered per process): one key per
# worker is compiled once. The second key, the operations key, is also the key a host that
# never authorized it refuses (test_ssh.py): a test that needs some other key takes it. The
# test of a wrong host key makes one of its own (a public key: never in a pattern).
@pytest.fixture(scope="session")
def client_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _key_of_this_worker(tmp_path_factory, "client_key")


@pytest.fixture(scope="session")
def ops_private_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _key_of_this_worker(tmp_path_factory, "ops_key")


@pytest.fixture
def sshd(tmp_path: Path, client_key: Path) -> Iterator[Sshd]:
    with running_sshd(tmp_path / "sshd", client_key) as server:
        yield server


def ssh_pyproject(text: str) -> str:
    """A bot repository's pyproject, its deploy target switched to ssh (host from env)."""
    header = "[tool.bottie.deploy]\n"
    assert header in text, "no [tool.bottie.deploy] table"
    text = text.replace(header + 'target = "local"\n', header, 1)
    return (
        text.replace(header, header + 'target = "ssh"\n', 1)
        + f'\n[tool.bottie.deploy.ssh]\npython = "{sys.executable}"\n'
    )


@pytest.fixture
def ssh_bot(standin: BotRepo, sshd: Sshd) -> BotRepo:
    """The deploy tests' bot repository, deploying to the sshd's host: this machine, but
    reached through SSH only (the test reads the host's files only to assert). The bot is
    the standard-library stand-in: the transport is the point here; the end-to-end SSH
    tests deploy the example bot."""
    path = standin.repo.path / "pyproject.toml"
    path.write_text(ssh_pyproject(path.read_text(encoding="utf-8")), encoding="utf-8")
    standin.extra_env = sshd.env
    return standin


# A stand-in for a network fault: an `ssh` first on PATH that runs the real client, relays
# its stdin, and kills it (the connection drops) once the request named in `fault` began.
FAULTY_SSH = """\
#!{python}
import os, signal, subprocess, sys
from pathlib import Path
here = Path(__file__).resolve().parent
trigger, extra = (here / "fault").read_text().split()
path = os.pathsep.join(
    p for p in os.environ["PATH"].split(os.pathsep) if Path(p).resolve() != here
)
env = {{**os.environ, "PATH": path}}
real = subprocess.Popen(["ssh", *sys.argv[1:]], stdin=subprocess.PIPE, env=env)
seen, left = b"", None
while True:
    chunk = os.read(0, 65536)
    if not chunk:
        break
    if left is None:
        seen = (seen + chunk)[-200000:]
        at = seen.find(b'"call": "' + trigger.encode() + b'"')
        if at >= 0:
            left = int(extra)
    if left is not None:
        chunk = chunk[:left]
        left -= len(chunk)
    real.stdin.write(chunk)
    real.stdin.flush()
    if left is not None and left <= 0:
        real.send_signal(signal.SIGKILL)
        real.wait()
        sys.exit(255)
real.stdin.close()
sys.exit(real.wait())
"""


def faulty_ssh(folder: Path, trigger: str, extra: int) -> dict[str, str]:
    """PATH for a `ssh` that drops the connection `extra` bytes into the request `trigger`."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "ssh"
    script.write_text(FAULTY_SSH.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    (folder / "fault").write_text(f"{trigger} {extra}\n", encoding="utf-8")
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
