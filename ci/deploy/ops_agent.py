"""The operations agent: the deploy agent's restricted twin, for the key of the `<env>-ops`
GitHub environments (pause and the status check, no reviewer).

It runs on the bot's host as that key's SSH forced command, from a copy of the agent the
operator installed there (`python -m ci ops-agent`):

    restrict,command="exec PYTHON -I -S AGENT.pyz --ops ROOT NAME=OFF" ssh-ed25519 AAAA...

`restrict` leaves the key no shell, pty or forwarding, and sshd runs this command whatever
the client asks for. Everything the agent trusts comes from the host: the deploy root and
the kill switch (NAME=OFF) from that line, and how to start the bot from the spec the last
deploy pinned beside it (`shared/agent-spec.json`). The client still sends its agent and
spec, as to the full agent; the code is read and dropped unrun, and of the spec only the
environment's name is used.

What it does: read (live, releases, health, history, ...), and pause: take the lock for a
pause, turn the kill switch off in the live release's env file (the other values stay as
they are on the host), remember it was paused, restart, record it. It never hands out an
env file's values, only the kill switch's. Anything else (deploy, rollback, restore, resume,
stop, the incident snapshot) is refused in one line naming the deploy key.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO, Any

from ci.core.errors import ConfigError, RefusedError
from ci.deploy.agent import Agent, hello, send
from ci.deploy.paths import Layout
from ci.deploy.targets.local import LocalTarget, Spec

USAGE = "usage: agent.pyz --ops ROOT NAME=OFF (the ops key's forced command)"
_ENV_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_READS = frozenset(
    ("live", "releases", "release", "paused", "running", "health", "backups", "history")
)


def refusal(what: str) -> RefusedError:
    return RefusedError(
        f"{what}: refused: this is the operations key, which may only pause and read status "
        "and history; use the deploy key (BOTTIE_SSH_KEY of the deploy environment)"
    )


class OpsAgent(Agent):
    def __init__(self, target: LocalTarget, switch: str, off: str) -> None:
        super().__init__(target)
        self.switch, self.off = switch, off

    def dispatch(self, call: str, args: dict[str, Any]) -> Any:
        t = self.target
        if call in _READS or call == "unlock":
            return super().dispatch(call, args)
        if call == "lock":
            action = str(args.get("message", "")).split(" ", 1)[0]
            if action != "pause":
                raise refusal(action or "lock")
            return super().dispatch(call, args)
        if call == "release_env":  # only the kill switch: the values are secrets
            values = t.release_env(str(args["release_id"]))
            return None if values is None else {self.switch: values.get(self.switch, self.off)}
        if not self.locked:
            raise refusal(call)
        if call == "write_env":
            return self._switch_off(str(args["release_id"]), dict(args["env_values"]))
        if call == "set_paused" and args.get("before") is not None:
            self._remember_switch()
            return None
        if call == "restart":
            t.restart()
            return None
        if call == "record" and args.get("outcome") == "paused":
            t.record("paused", release=t.live(), by="the operations key")
            return None
        raise refusal("resume" if call == "set_paused" else call)

    def _remember_switch(self) -> None:
        """What a resume will put back: the kill switch as the host has it, not as asked."""
        live = self.target.live()
        values = self.target.release_env(live) if live else None
        if self.target.paused() is None and values is not None:
            self.target.set_paused(values.get(self.switch, self.off))

    def _switch_off(self, release_id: str, asked: dict[str, Any]) -> None:
        """The live release's env file as it is on the host, the kill switch off."""
        live = self.target.live()
        if release_id != live or asked.get(self.switch) != self.off:
            raise refusal(f"changing {release_id}'s environment")
        values = self.target.release_env(live)
        if values is None:
            raise refusal(f"{live} has no env file")
        self.target.write_env(live, {**values, self.switch: self.off})


def main(argv: list[str], requests: IO[bytes], replies: IO[bytes]) -> int:
    if len(argv) != 2 or "=" not in argv[1]:
        raise SystemExit(USAGE)
    root, (switch, off) = Path(argv[0]).expanduser().absolute(), argv[1].split("=", 1)
    _drop_offered_code(requests)
    first = json.loads(requests.readline() or b"{}")
    env = str(first.get("spec", {}).get("env", ""))
    if not _ENV_NAME.fullmatch(env):
        raise SystemExit("ops agent: no environment name in the request")
    layout = Layout(root / env)
    try:
        spec = Spec.from_dict(json.loads(layout.agent_spec.read_text(encoding="utf-8")))
        agent: OpsAgent = OpsAgent(LocalTarget(spec), switch, off)
    except (OSError, ValueError, KeyError, TypeError):
        if layout.live_release() is not None:  # live, but not by a deploy that pinned a spec
            raise SystemExit(
                f"ops agent: {env} under {root} has no {layout.agent_spec.name}: "
                "deploy once with the deploy key to pin how its bot starts"
            ) from None
        agent = NothingDeployed(LocalTarget(_reading_only(env, layout.base)), switch, off)
    send(replies, hello("ops"))
    agent.serve(requests, replies)
    return 0


class NothingDeployed(OpsAgent):
    """Before the first deploy: the reads answer that nothing is live (the scheduled status
    check then tells "not deployed yet" from "gone"); everything else is refused."""

    def dispatch(self, call: str, args: dict[str, Any]) -> Any:
        if call in _READS - {"health"}:
            return super().dispatch(call, args)
        what = str(args.get("message", "")).split(" ", 1)[0] if call == "lock" else call
        raise RefusedError(
            f"{what or call}: nothing is deployed to {self.target.spec.env} yet: the "
            "operations key acts only on a deployed bot"
        )


def _reading_only(env: str, base: Path) -> Spec:
    """A spec that can only read `base`: no command, no port."""
    return Spec(env=env, base=str(base), port=0, command=[], health_path="", health_timeout=0)


def _drop_offered_code(requests: IO[bytes]) -> None:
    """The client's zipapp (its size on a line, then the bytes): read, never run."""
    size = int(requests.readline() or b"0")
    while size > 0:
        chunk = requests.read(min(size, 1 << 16))
        if not chunk:
            return
        size -= len(chunk)


def authorized_keys_options(python: str, agent: str, root: str, switch: str, off: str) -> str:
    """What goes before the ops key's public key in the host's `authorized_keys`."""
    argv = [python, "-I", "-S", agent, "--ops", root, f"{switch}={off}"]
    command = "exec " + " ".join(_quoted(a) for a in argv)
    if '"' in command or "\n" in command:
        raise ConfigError(
            "the ops key's forced command cannot hold a double quote or a line break: "
            "choose paths without them"
        )
    return f'restrict,command="{command}"'


def _quoted(arg: str) -> str:
    """Shell-quoted; a plain word as it is, with a leading `~/` (the shell expands it)."""
    if re.fullmatch(r"(~/)?[A-Za-z0-9_./=:@%+-]+", arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"
