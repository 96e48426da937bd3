"""The bot's launcher: `python -m MODULE ARGS`, paid for in advance, started on a go signal.

Run by the bot's own interpreter as `python -c <this source> -m MODULE ARGS` (standard
library only: the bot's environment need not hold `ci`). Until the go signal it imports the
libraries the app needs (MODULE itself and what the app's modules import from outside the
release folder, read from their source, never run), so a deploy pays the interpreter's
start-up and the heavy imports while the old bot is still stopping.

What it never does before the go signal: run any module of the release (the working
directory), call the app's factory, run its lifespan or bind its port. A process that has
not built the app cannot place an order; the target gives the signal only once the old bot's
process group is gone and its port free (`ci.core.runtime.prestart`).

The signal is one byte on standard input, then optionally the folder the app runs in, then
end of input. A rollback starts its bot in the folder of an earlier release of the same
commit (the same files, linked) while it links the new release's folder, and names that
folder with the signal: the app's own code is only ever read from the folder it is given.
End of input without the signal (the deploy died or gave up) ends the launcher without
starting anything.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import runpy
import sys
from pathlib import Path

GO = b"g"
READY = "bottie launcher: libraries loaded, waiting for the old bot to stop"
_APP = ":"  # an argument such as `bot.app:from_environment` names the app's module


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "-m":
        sys.stderr.write("bottie launcher: usage: -m MODULE [ARGS]\n")
        return 2
    module, args = argv[1], argv[2:]
    release = Path.cwd()
    # Nothing in the release folder is importable until the go signal, not even by a library.
    sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != release.resolve()]
    for name in _libraries(release, module, args):
        _warm(name)
    sys.stderr.write(f"{READY}\n")
    sys.stderr.flush()
    signal = _signal()
    if signal[:1] != GO:
        sys.stderr.write("bottie launcher: the deploy went away before the go signal\n")
        return 1
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the app gets no stdin, as a cold start gives it none
    os.close(devnull)
    if signal[1:]:
        release = Path(os.fsdecode(signal[1:]))
        os.chdir(release)
    sys.path.insert(0, str(release))  # as `python -m` has it
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


def _signal() -> bytes:
    """Standard input up to its end: the go byte and the folder, or nothing."""
    received = b""
    while chunk := os.read(0, 4096):
        received += chunk
    return received


def _libraries(release: Path, module: str, args: list[str]) -> list[str]:
    """MODULE and the modules that the app's own modules import from outside `release`."""
    found: list[str] = []
    seen: set[str] = set()
    queue = [module, *(a.split(_APP, 1)[0] for a in args if _APP in a and a[:1] != "-")]
    while queue:
        name = queue.pop(0)
        if name in seen or not all(part.isidentifier() for part in name.split(".")):
            continue  # seen, or no module name (a host such as ::1, a URL)
        seen.add(name)
        if not _is_in(release, name):
            found.append(name)
            continue
        # The release's own: read it (and the packages around it), never run it.
        parts = name.split(".")
        queue += [".".join(parts[:i]) for i in range(1, len(parts))]
        source = _source_in(release, name)
        if source is not None:
            queue += _imports(release, name, source)
    return found


def _source_in(release: Path, name: str) -> Path | None:
    """The file of module `name` inside the release folder, found without importing it."""
    path = release.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _is_in(release: Path, name: str) -> bool:
    """Whether the top package of `name` is the release's own (a folder or file there)."""
    top = name.split(".", 1)[0]
    return (release / top).exists() or (release / f"{top}.py").exists()


def _imports(release: Path, name: str, source: Path) -> list[str]:
    """Modules that module `name` (file `source`) imports at its top level, read from its
    text: absolute and relative imports, and `from PKG import NAME` as PKG.NAME too when PKG
    is the release's own (NAME may be one of its modules)."""
    try:
        tree = ast.parse(source.read_bytes(), filename=str(source))
    except (OSError, SyntaxError, ValueError):
        return []
    package = name if source.name == "__init__.py" else name.rpartition(".")[0]
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            parent = ".".join(base if node.level else [])
            module = ".".join(p for p in (parent, node.module or "") if p)
            if not module:
                continue
            names.append(module)
            if _is_in(release, module):
                names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def _warm(name: str) -> None:
    """Import a library now, if it can be; a failure is left for the real start to report."""
    try:
        if importlib.util.find_spec(name.split(".", 1)[0]) is not None:
            importlib.import_module(name)
    except Exception:  # noqa: S110 (the real start reports it, with its traceback)
        pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
