"""The deploy agent's zipapp: stdlib only, and it runs from nothing but itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ci.deploy import agent

# Imports the agent from the zipapp alone (-I -S: no site-packages, no PYTHONPATH, no cwd),
# then lists every module loaded from outside the standard library.
CHECK = """\
import json, sys, sysconfig
sys.path.insert(0, sys.argv[1])
import ci.deploy.agent
stdlib = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")}
foreign = sorted(
    name for name, module in sys.modules.items()
    if getattr(module, "__file__", None)
    and not module.__file__.startswith(sys.argv[1])
    and not any(module.__file__.startswith(p) for p in stdlib)
)
print(json.dumps({"foreign": foreign, "from_zip": ci.deploy.agent.__file__}))
"""


def run_from_the_zipapp(tmp_path: Path, script: str, *args: str) -> str:
    """Run `script` in an isolated Python (no site-packages) with the agent's zipapp as its
    argv[1], as the host does; its stdout."""
    zipapp = tmp_path / "agent.pyz"
    zipapp.write_bytes(agent.bundle())
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(zipapp), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_agent_imports_only_the_standard_library(tmp_path: Path) -> None:
    zipapp = tmp_path / "agent.pyz"
    found = json.loads(run_from_the_zipapp(tmp_path, CHECK))
    assert found["foreign"] == []
    assert found["from_zip"].startswith(str(zipapp))


# Starts a bot waiting for go (ci/core/launcher.py, read from the zipapp), then lets it go away.
PRESTART = """\
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from ci.core import runtime
folder = Path(sys.argv[2])
argv = [sys.executable, "-m", "nothing"]
child = runtime.prestart(argv, cwd=folder, env={}, log_path=folder / "bot.log")
child.stdin.close()
print(child.wait(timeout=30))
"""


def test_the_agent_starts_a_waiting_bot_with_the_launcher_from_its_zipapp(tmp_path: Path) -> None:
    output = run_from_the_zipapp(tmp_path, PRESTART, str(tmp_path))
    assert output.strip() == "1"  # it waited, and went away without the go signal
    log = (tmp_path / "bot.log").read_text()
    assert "libraries loaded, waiting" in log
    assert "the deploy went away before the go signal" in log
