"""The bot's environment file: `NAME="value"` lines, written with mode 0600 from the start.

Standard library only (the deploy agent on a bot's host reads and writes these). Values are
never printed; a release records only a digest (names and value hashes).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r"}


def write(path: Path, found: Mapping[str, str]) -> None:
    """Write KEY="value" lines with mode 0600 from the start (no window where it is readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        for name in sorted(found):
            handle.write(f"{name}={_quote(found[name])}\n")
    temporary.replace(path)


def read(path: Path) -> dict[str, str]:
    """The values of a file `write` wrote (also a plain dotenv file of NAME=value lines)."""
    values: dict[str, str] = {}
    # Lines end at LF alone (a CR before it is stripped with the value's blanks): not
    # str.splitlines, which also ends a line at \r, \x0b, \x85, \u2028 and more, so that a
    # value holding one would read as two lines, the second setting any variable it names.
    # `write` escapes LF and CR; every other character stays inside its quotes.
    with path.open(encoding="utf-8", newline="") as handle:  # newline="": no \r turned to \n
        text = handle.read()
    for line in text.split("\n"):
        name, sep, raw = line.partition("=")
        if not sep or not name.strip() or line.lstrip().startswith("#"):
            continue
        values[name.strip()] = _unquote(raw.strip())
    return values


def digest(found: Mapping[str, str]) -> dict[str, str]:
    """Names and SHA-256 of values: enough to tell what changed, never the values."""
    import hashlib  # here: OpenSSL's binding loads in a few ms, not before a rollback's bot

    return {
        name: hashlib.sha256(value.encode()).hexdigest()[:16]
        for name, value in sorted(found.items())
    }


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _unquote(raw: str) -> str:
    if len(raw) < 2 or raw[0] != '"' or raw[-1] != '"':
        return raw
    out, chars = [], iter(raw[1:-1])
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        escaped = next(chars, "")  # a backslash `write` did not make is kept, with what follows
        out.append(_ESCAPES.get(escaped, "\\" + escaped))
    return "".join(out)
