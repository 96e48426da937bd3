"""The bot's environment file: what the deploy writes is exactly what the bot starts with,
whatever a value holds, and no other user can read it at any moment."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ci.deploy import envfile

names = st.from_regex(r"[A-Z_][A-Z0-9_]{0,20}", fullmatch=True)
# Anything an environment variable can hold: every character but NUL, line breaks of every
# kind (\r, \x0b, \x85, \u2028 ...), quotes and backslashes included.
values = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))


@settings(max_examples=200, deadline=None)
@given(found=st.dictionaries(names, values, max_size=8))
@example(found={"WINDOWS_PATH": "C:\\new\\raw", "QUOTED": '\\"', "ENDS": "x\\"})
def test_every_value_reads_back_as_it_was_written(found: dict[str, str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "release.env"
        envfile.write(path, found)
        assert envfile.read(path) == found


@pytest.mark.parametrize("breaker", ["\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\n"])
def test_a_line_break_inside_a_value_cannot_set_another_variable(
    tmp_path: Path, breaker: str
) -> None:
    path = tmp_path / "release.env"
    found = {"TRADE_ENABLED": "0", "ZZ_NOTE": f"x{breaker}TRADE_ENABLED=1"}
    envfile.write(path, found)
    assert envfile.read(path) == found
    written = path.read_bytes()
    assert written.count(b"\n") == 2 and b"\r" not in written  # one clean line a variable


def test_the_file_is_readable_by_its_owner_only_from_the_start(tmp_path: Path) -> None:
    fresh = tmp_path / "new" / "testnet" / "release.env"  # folders made as needed
    envfile.write(fresh, {"A": "1"})
    assert envfile.read(fresh) == {"A": "1"}
    old = os.umask(0)  # the most permissive umask: the mode must not depend on it
    try:
        path = tmp_path / "env" / "testnet" / "release.env"
        stale = path.with_name("release.env.tmp")  # left by a write that was killed
        stale.parent.mkdir(parents=True)
        stale.write_text("LEFT=over\n")
        stale.chmod(0o644)
        envfile.write(path, {"BINANCE_API_SECRET": "s3cr3t-value"})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.with_name("release.env.tmp").exists()
    envfile.write(path, {"BINANCE_API_SECRET": "another"})  # again, over the first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert envfile.read(path) == {"BINANCE_API_SECRET": "another"}


def test_a_plain_dotenv_file_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes(
        b"# OLD_KEY=commented out\r\n\r\nLOG_LEVEL=INFO\r\n  # INDENTED=1\nnot a setting\n"
        b' STATE_DIR = "/var/bot" \n=no name\nHALF="open\nEMPTY=\n'
        # by hand or by an older pipeline: a bare CR inside quotes, backslashes not ours
        b'NOTE="a\rb"\nPATTERN="C:\\x\\q"\nTRAILING="end\\"\n'
    )
    assert envfile.read(path) == {
        "LOG_LEVEL": "INFO",
        "STATE_DIR": "/var/bot",
        "HALF": '"open',
        "EMPTY": "",
        "NOTE": "a\rb",
        "PATTERN": "C:\\x\\q",
        "TRAILING": "end\\",
    }


def test_the_digest_tells_values_apart_and_never_holds_one() -> None:
    secret = "s3cr3t-value-0123456789"
    first = envfile.digest({"B": secret, "A": "1"})
    assert list(first) == ["A", "B"]
    assert all(len(hashed) == 16 and secret not in hashed for hashed in first.values())
    assert envfile.digest({"B": secret + "x", "A": "1"})["B"] != first["B"]
    assert envfile.digest({"A": "1"})["A"] == first["A"]
