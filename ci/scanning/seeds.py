"""The BIP39 detector over what gitleaks scans: git history, staged changes, files.

Same report as gitleaks: a Finding with file, line, rule `bip39-seed-phrase` and the
commit, never the words; allowed by the same fingerprints in `.gitleaksignore`.
History is read once as `git log -p -U0` text: only added lines, numbered as in the
file at that commit (gitleaks numbers its findings the same way). Only the commits that
bip39's screen says could add a phrase are split into lines and read in Python; on most
histories that is none of them.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from ci.core import proc
from ci.core.errors import GitError
from ci.core.result import Finding
from ci.scanning import bip39
from ci.scanning.model import Scan, allowed, fingerprint

_HUNK = re.compile(r"^@@ -\S+ \+(\d+)")
_COMMIT_MARK = "\x00"
_SECTION_START = re.compile(f"\n(?={_COMMIT_MARK}|diff --git )")  # a commit's, or a file's


def scan_history(root: Path, log_opts: list[str], *, cancel: threading.Event | None = None) -> Scan:
    """Phrases added by any commit that `git log <log_opts>` lists (default: every ref)."""
    result = proc.run(
        [
            "git",
            "-c",
            "core.quotePath=false",
            "log",
            "-p",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
            "--diff-filter=d",  # a deleted file adds no line: git need not read it
            "--format=%x00%H",  # a NUL, then the commit: no diff line starts so
            *(log_opts or ["--all"]),
        ],
        cwd=root,
        cancel=cancel,
        timeout=1800,
        verbatim=True,
    )
    if not result.ok:
        raise GitError(f"reading history for seed phrases failed: {result.describe()}")
    return _report(root, _diff_lines(_worth_reading(result.stdout)))


def scan_staged(root: Path) -> Scan:
    """Phrases in the staged changes (what the pre-commit hook is about to let through)."""
    result = proc.run(
        [
            "git",
            "-c",
            "core.quotePath=false",
            "diff",
            "--cached",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
        ],
        cwd=root,
        verbatim=True,
    )
    if not result.ok:
        raise GitError(f"reading staged changes failed: {result.describe()}")
    return _report(root, _diff_lines(_worth_reading(result.stdout)))


def scan_files(root: Path, files: Iterable[tuple[str, Path]]) -> Scan:
    """Phrases in files, each reported under its given name (relative to the repository)."""
    return _report(root, _file_lines(files))


def scan_text(name: str, text: str) -> Scan:
    """Phrases in one text (an artifact's member, a snapshot file), not allowlistable."""
    return _report(None, ((None, name, n, line) for n, line in enumerate(text.splitlines(), 1)))


def _file_lines(files: Iterable[tuple[str, Path]]) -> Iterator[tuple[str | None, str, int, str]]:
    for name, path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue  # vanished since listed; the gitleaks pass reports unreadable files
        for number, line in enumerate(text.splitlines(), 1):
            yield None, name, number, line


def _worth_reading(diff: str) -> str:
    """The files' sections of `diff` that may add a phrase, each after its commit's mark.

    A file's section (from its `diff --git` line) is kept for a line bip39's screen flags, or
    for 12 one-word lines: a phrase written a word per line has them all in one file of one
    commit. The others are dropped unread; what is kept is the diff's own text, so each kept
    file reads exactly as before (keeping whole commits read five times as much here).
    """
    flagged = list(bip39.screen_diff(diff))
    if not flagged:
        return ""
    starts = [0, *(section.end() for section in _SECTION_START.finditer(diff))]
    alone: Counter[int] = Counter()
    keep: set[int] = set()
    for where, one_word in flagged:
        section = bisect_right(starts, where + 1) - 1
        alone[section] += one_word
        if not one_word or alone[section] >= min(bip39.LENGTHS):
            keep.add(section)
    marks = [start for start in starts if diff.startswith(_COMMIT_MARK, start)]
    kept: list[str] = []
    for section in sorted(keep):
        start = starts[section]
        commit = bisect_right(marks, start) - 1
        if commit >= 0 and marks[commit] != start:
            kept.append(diff[marks[commit] : diff.index("\n", marks[commit]) + 1])
        kept.append(diff[start : starts[section + 1] if section + 1 < len(starts) else len(diff)])
    return "".join(kept)


def _diff_lines(diff: str) -> Iterator[tuple[str | None, str, int, str]]:
    """(commit, file, line number in the new file, text) for every added line."""
    commit: str | None = None
    file: str | None = None
    number = 0
    in_hunk = False
    for raw in diff.split("\n"):
        if in_hunk and raw[:1] == "+":  # by far the most common line: test it first
            if file is not None:
                yield commit, file, number, raw[1:]
            number += 1
        elif raw.startswith(_COMMIT_MARK):
            commit, file, in_hunk = raw[1:].strip() or None, None, False
        elif raw.startswith("diff --git "):
            file, in_hunk = None, False
        elif not in_hunk and raw.startswith("+++ "):
            target = raw[4:]
            file = None if target == "/dev/null" else target.removeprefix("b/")
        elif raw.startswith("@@"):
            hunk = _HUNK.match(raw)
            number, in_hunk = (int(hunk.group(1)) if hunk else 0), hunk is not None


def _report(root: Path | None, lines: Iterable[tuple[str | None, str, int, str]]) -> Scan:
    allow = allowed(root) if root is not None else frozenset()
    findings: list[Finding] = []
    prints: list[str] = []
    keyed = (((commit, file), number, text) for commit, file, number, text in lines)
    for (commit, file), number, words, _ in bip39.phrases(keyed):
        key = fingerprint(commit, file, bip39.RULE, number)
        if key in allow:
            continue
        where = f" in commit {commit[:12]}" if commit else ""
        findings.append(
            Finding(
                f"{bip39.RULE}: {bip39.DESCRIPTION}, {words} words{where}",
                file=file,
                line=number,
                rule=bip39.RULE,
            )
        )
        prints.append(key)
    return Scan(tuple(findings), tuple(prints))
