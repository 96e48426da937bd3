"""lint: `ruff check` and `ruff format --check`, with T20 (no stray print) on the bot."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from ci.core import botenv, config_cache, proc, ruff_config
from ci.core.errors import ConfigError
from ci.core.result import Finding, GateResult, Status
from ci.gates.interface import GateContext

_RUFF_HINT = "pip install ruff (it is in requirements/ci.txt)"


def ruff_executable() -> str:
    return proc.tool("ruff", install_hint=_RUFF_HINT)


def ruff_for(ctx: GateContext) -> tuple[str, str]:
    """(ruff, which one): the bot's own pinned ruff when its environment has one, else ours.

    Linting runs none of the bot's code, so a bot environment that is not built yet is no
    error here (the tests and smoke gates refuse it); the summary says whose ruff ran."""
    python: str = ctx.settings["python"]
    if not botenv.configured(python):
        return ruff_executable(), "the pipeline's ruff"
    try:
        own = botenv.tool_beside(botenv.bot_python(ctx.root, python), "ruff")
    except ConfigError:
        return ruff_executable(), "the pipeline's ruff: the bot's environment is not built"
    return (own, "the bot's ruff") if own else (ruff_executable(), "the pipeline's ruff")


class LintGate:
    name = "lint"
    description = "ruff check + ruff format --check (T20 on the bot's code)"
    needs = ("ruff",)

    def run(self, ctx: GateContext) -> GateResult:
        # Plain values, not ctx.config: linting needs neither pydantic nor the models.
        paths: list[str] = ctx.settings["lint"]["paths"]
        print_free = [p for p in ctx.settings["lint"]["print_free"] if (ctx.root / p).exists()]
        ruff, which = ruff_for(ctx)
        return lint(self.name, ctx.root, paths, print_free, cancel=ctx.cancel, ruff=(ruff, which))


def lint(
    name: str,
    root: Path,
    paths: Sequence[str],
    print_free: Sequence[str],
    *,
    force_exclude: bool = False,
    cancel: threading.Event | None = None,
    ruff: tuple[str, str] | None = None,
) -> GateResult:
    """ruff check and format --check on `paths`, and T20 on `print_free`, as one result.

    The ruff calls run side by side (all started before any is waited for), each with ruff's
    cache (`.ruff_cache/`, which ignores itself in git), so an unchanged file is not linted
    again. `force_exclude` keeps ruff's excluded files out even when they are named one by
    one (as a commit hook names them: `paths` are then files, and `print_free` some of them).
    `ruff` is (executable, whose it is) when not the pipeline's own (`ruff_for`).

    The T20 run is left out when `ruff check` on `paths` already reports everything it would
    (`t20_covered`): the repository's own config selects T20 for those files."""
    executable, which = ruff or (ruff_executable(), "the pipeline's ruff")
    extra = ["--force-exclude"] if force_exclude else []

    def start(*args: str) -> proc.Running:
        return proc.start([executable, *args, *extra, "--output-format=json"], cwd=root)

    started = [start("check", *paths), start("format", "--check", *paths)]
    if print_free and not (  # decided while those two run
        executable == ruff_executable()  # the facts hold for the ruff the pipeline pins
        and t20_covered(root, paths, print_free, files=force_exclude)
    ):
        started.append(start("check", "--select", "T20", *print_free))
    results = [run.wait(cancel=cancel) for run in started]
    findings: list[Finding] = []
    for result in results:
        if result.returncode not in (0, 1):
            return GateResult(name, Status.ERROR, result.describe(), output=result.output)
        findings += [f for f in _parse(result.stdout, root) if f not in findings]
    if findings:
        return GateResult.failed(name, findings, f"{len(findings)} problem(s) ({which})")
    return GateResult(name, Status.PASSED, f"ruff check and format clean ({which})")


def _parse(stdout: str, root: Path) -> list[Finding]:
    try:
        items = json.loads(stdout or "[]")
    except json.JSONDecodeError:
        return [Finding(f"ruff printed output that is not JSON: {stdout[:200]!r}")]
    findings = []
    for item in items:
        path = Path(item["filename"])
        rel = path.relative_to(root) if path.is_relative_to(root) else path
        message = item["message"]
        if item.get("code") == "unformatted":
            message += " (run `ruff format`)"
        findings.append(
            Finding(message, file=str(rel), line=item["location"]["row"], rule=item.get("code"))
        )
    return findings


# The files ruff reads its settings from, in any folder (the closest one wins).
_RUFF_CONFIGS = ("pyproject.toml", "ruff.toml", ".ruff.toml")
_IGNORE_FILES = (".gitignore", ".ignore")
_GIT_CONFIG_FILES = ("GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM")


def t20_covered(
    root: Path, paths: Sequence[str], print_free: Sequence[str], *, files: bool
) -> bool:
    """Whether `ruff check PATHS` already reports every finding of `ruff check --select T20
    PRINT_FREE` (run from `root`), so that the T20 run would add nothing.

    That run reports T20 (`print`, `pprint`) and syntax errors in the print-free files, with
    the config's per-file-ignores and the files' `noqa` comments. `ruff check PATHS` reports
    the same in the same files when (1) the root's pyproject.toml is the config of every
    print-free file (no ruff.toml beside it, no pyproject.toml, ruff.toml or .ruff.toml in a
    folder on the way down to a print-free file or below a print-free folder), (2) that config
    selects all of T20 and ignores none of it (`ruff_config.facts`), and (3) it lints every
    print-free file: named one by one with `--force-exclude` like the others (`files`, the
    commit hook), or, for the gate, each print-free folder lies inside a path that ruff walks
    into it, with no folder on the way that an exclude pattern or an ignore file may skip (ruff
    lints a folder named on its command line even when it is excluded). Patterns are read
    generously: a pattern that might match counts as matching. Anything else: False."""
    facts = config_cache.ruff_facts(root) if print_free else ruff_config.NOT_COVERED
    if not facts["t20"] or any(os.path.lexists(root / name) for name in _RUFF_CONFIGS[1:]):
        return False
    ignored = [] if files else _ignore_patterns(root)
    if ignored is None:
        return False
    within = [_parts(path) for path in paths]
    for entry in print_free:
        parts = _parts(entry)
        if parts is None:
            return False
        if files:  # a file named with the others: the folders above it
            if not parts or not _plain_folders(root, parts[:-1]):
                return False
            continue
        # The folders ruff walks into from the path that holds this one, down to it.
        start = next((len(w) for w in within if w is not None and parts[: len(w)] == w), None)
        if (
            start is None
            or not _plain_folders(root, parts)
            or not _nothing_below(root.joinpath(*parts))
            or _may_be_skipped(root, parts, start, list(facts["exclude"]), ignored)
        ):
            return False
    return True


def _parts(entry: str) -> list[str] | None:
    """A relative path as its parts ([] for "."), or None when it leaves the root or is absolute."""
    parts = list(Path(os.path.normpath(entry)).parts)
    if Path(entry).is_absolute() or ".." in parts:
        return None
    return parts


def _plain_folders(root: Path, parts: list[str]) -> bool:
    """Each folder from root down to `parts`: a folder, no link, no ruff config in it."""
    folder = root
    for part in parts:
        folder = folder / part
        if folder.is_symlink() or not folder.is_dir() or part.startswith("."):
            return False
        if any(os.path.lexists(folder / name) for name in _RUFF_CONFIGS):
            return False
    return True


def _nothing_below(folder: Path) -> bool:
    """No ruff config, and no link to a folder, anywhere below `folder`."""
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.name in _RUFF_CONFIGS or (entry.is_symlink() and entry.is_dir()):
                    return False
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
    return True


def _may_be_skipped(
    root: Path, parts: list[str], start: int, exclude: list[str], ignored: list[tuple[str, str]]
) -> bool:
    """Whether a folder from `parts[start]` down to `parts` may be one that ruff skips while it
    walks: excluded by name or pattern (ruff's defaults, `exclude`, `extend-exclude`,
    `lint.exclude`), or matched by an ignore file's pattern (`ignored`: (folder, pattern))."""
    for depth in range(start, len(parts)):
        name, relative = parts[depth], "/".join(parts[: depth + 1])
        absolute = f"{root}/{relative}"
        for pattern in [*ruff_config.DEFAULT_EXCLUDE, *exclude]:
            normal = os.path.normpath(pattern)
            if any(_may_match(normal, text) for text in (name, relative, absolute)):
                return True
        for folder, pattern in ignored:
            if not absolute.startswith(f"{folder}/"):
                continue  # the ignore file is not above this folder
            if "/" in pattern.rstrip("/"):  # anchored at the ignore file's folder
                if _may_match(pattern.strip("/"), absolute[len(folder) + 1 :]):
                    return True
            elif _may_match(pattern.rstrip("/"), name):
                return True
    return False


def _may_match(pattern: str, text: str) -> bool:
    """Whether a glob (gitignore's or ruff's) might match `text`: `*`, `**` and `?` read as
    matching any characters, `/` included; a class as any one character; case ignored; an
    escape, a brace, `~`, `$` or `..` as matching anything. (No regex: compiling one a pattern
    costs more than the rest of the check.)"""
    if any(mark in pattern for mark in ("\\", "{", "}", "~", "$", "..")):
        return True
    tokens: list[str] = []  # characters, with "*" for any run and "?" for any one
    rest = pattern.lower().replace("**/", "*")  # `**/`: any folders, or none
    while rest:
        char, rest = rest[0], rest[1:]
        if char == "[" and "]" in rest[1:]:
            char, rest = "?", rest[rest.index("]", 1) + 1 :]
        if not (char == "*" and tokens[-1:] == ["*"]):
            tokens.append(char)
    return _matches(tokens, text.lower())


def _matches(tokens: list[str], text: str) -> bool:
    """Wildcard matching, "*" backtracking to the last star (linear for one star)."""
    t = s = 0
    star, resume = -1, 0
    while s < len(text):
        if t < len(tokens) and tokens[t] in ("?", text[s]) and tokens[t] != "*":
            t, s = t + 1, s + 1
        elif t < len(tokens) and tokens[t] == "*":
            star, resume, t = t, s, t + 1
        elif star >= 0:
            resume += 1
            t, s = star + 1, resume
        else:
            return False
    return all(part == "*" for part in tokens[t:])


def _ignore_patterns(root: Path) -> list[tuple[str, str]] | None:
    """(folder, pattern) for every pattern of the ignore files ruff may read for the folders
    of `root`: .gitignore and .ignore in root and above it (those below are read while walking,
    by the check below), the repository's info/exclude and the user's global ignore file, as
    (root, pattern). Negations are left out: they can only keep a folder in. None when git's
    settings may name another global ignore file."""
    sources: list[tuple[str, Path]] = []
    folder = root
    while True:
        sources += [(str(folder), folder / name) for name in _IGNORE_FILES]
        if folder.parent == folder:
            break
        folder = folder.parent
    git_dirs = _git_dirs(root)
    if git_dirs is None:
        return None
    home = Path.home()
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    configs = [home / ".gitconfig", config_home / "git" / "config", Path("/etc/gitconfig")]
    configs += [git_dir / "config" for git_dir in git_dirs]
    configs += [Path(os.environ[name]) for name in _GIT_CONFIG_FILES if os.environ.get(name)]
    if any(name in os.environ for name in ("GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS")) or any(
        "excludesfile" in _read(path).lower() for path in configs
    ):
        return None
    sources += [(str(root), git_dir / "info" / "exclude") for git_dir in git_dirs]
    sources.append((str(root), config_home / "git" / "ignore"))
    return [
        (base, line.strip())
        for base, path in sources
        for line in _read(path).splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "!"))
    ]


def _git_dirs(root: Path) -> list[Path] | None:
    """root's git dir and, for a linked worktree, the common one; None when unclear."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return [dot_git]
    text = _read(dot_git).strip()
    if not text.startswith("gitdir: "):
        return None
    git_dir = (root / text.removeprefix("gitdir: ")).resolve()
    common = _read(git_dir / "commondir").strip()
    return [git_dir, (git_dir / common).resolve()] if common else [git_dir]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
