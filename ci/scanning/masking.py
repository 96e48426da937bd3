"""Mask, in files about to leave (an incident snapshot), whatever has a secret's shape:
the gitleaks rules and the BIP39 detector, not only the values known today.

gitleaks reports where a leak is, never what (it runs with --redact): the secret is
masked by its columns (the match less the context around REDACTED), and a match over
several lines masks those lines whole. The
caller scans again afterwards and refuses if anything is still found.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ci.scanning import bip39, gitleaks

MASK = "***"
_REDACTED = "REDACTED"  # what gitleaks --redact puts in place of a secret


def mask_found(folder: Path, *, root: Path, config: Path | None) -> int:
    """Mask every leak gitleaks and the seed detector find under `folder`; how many there were."""
    spans: dict[Path, list[tuple[int, int, int, int]]] = defaultdict(list)
    for leak in gitleaks.report(["dir", "."], root=root, config=config, cwd=folder):
        where = _ints(leak, "StartLine", "EndLine", "StartColumn", "EndColumn")
        if where is None:
            continue
        start, end, first, last = where
        # The redacted match shows the secret as REDACTED: mask that part, keep the context.
        before, hidden, after = str(leak.get("Match", "")).partition(_REDACTED)
        if hidden and start == end:
            first, last = first + len(before), last - len(after)
        spans[folder / str(leak.get("File"))].append((start, end, first, last))
    count = sum(len(v) for v in spans.values())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        changed = _mask_spans(lines, spans.get(path, []))
        for match in bip39.find("".join(lines)):
            for n in range(match.line, match.line + match.lines):
                lines[n - 1] = f"{MASK} (a {match.words}-word seed phrase)\n"
            changed = True
            count += 1
        if changed:
            path.write_text("".join(lines), encoding="utf-8")
    return count


def _ints(leak: dict[str, object], *keys: str) -> tuple[int, ...] | None:
    values = [leak.get(key) for key in keys]
    return (
        tuple(v for v in values if isinstance(v, int))
        if all(isinstance(v, int) for v in values)
        else None
    )


def _mask_spans(lines: list[str], spans: list[tuple[int, int, int, int]]) -> bool:
    # Right to left, so masking one span leaves the columns of the others on the line valid.
    for start, end, first, last in sorted(spans, key=lambda s: (s[0], s[2]), reverse=True):
        if start != end or not 0 < start <= len(lines):
            for n in range(max(start, 1), min(end, len(lines)) + 1):
                lines[n - 1] = MASK + "\n"
            continue
        # gitleaks' columns are 1-based and inclusive, and one further right after line 1.
        shift = 1 if start == 1 else 2
        line = lines[start - 1]
        lines[start - 1] = line[: max(first - shift, 0)] + MASK + line[max(last - shift + 1, 0) :]
    return bool(spans)
