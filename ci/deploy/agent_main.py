"""The deploy agent's entry point on the bot's host (the zipapp's `__main__`).

Without arguments it runs the full agent (`ci.deploy.agent`); with `--ops ROOT NAME=OFF`,
the forced command of the operations key, the restricted one (`ci.deploy.ops_agent`).
Standard library only, like everything the zipapp carries.
"""

from __future__ import annotations

import signal
import sys

from ci.deploy import agent, ops_agent


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGHUP, agent.hang_up)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but protocol lines on the real stdout
    if argv and argv[0] == "--ops":
        return ops_agent.main(argv[1:], requests, replies)
    return agent.run(requests, replies)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
