"""The one subprocess helper hides this process's secrets in what it returns, builds nothing
to hide them in output that is empty or read verbatim, and reads output as text mode would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ci.core import proc

WRITE = "import sys; sys.stdout.buffer.write({!r}); sys.stderr.buffer.write(b'err\\r\\n')"


@pytest.mark.parametrize(
    "output",
    [
        b"plain\nlines\n",
        b"crlf\r\nlines\r\n",
        b"lone\rcarriage\r",
        "caf\u00e9\n".encode(),
        b"bad\xff\n",
    ],
    ids=["plain", "crlf", "lone-cr", "utf-8", "invalid-utf-8"],
)
def test_output_reads_as_text_mode_reads_it(tmp_path: Path, output: bytes) -> None:
    argv = [sys.executable, "-c", WRITE.format(output)]
    text_mode = subprocess.run(argv, capture_output=True, text=True, errors="replace", check=True)
    result = proc.run(argv, cwd=tmp_path, verbatim=True)
    assert (result.stdout, result.stderr) == (text_mode.stdout, text_mode.stderr)


def test_input_reaches_the_child_as_utf_8(tmp_path: Path) -> None:
    echo = "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"
    result = proc.run(
        [sys.executable, "-c", echo], cwd=tmp_path, stdin="caf\u00e9\n", verbatim=True
    )
    assert result.ok and result.stdout == "caf\u00e9\n"


# A made-up secret, built from parts so that no line holds one whole.
SECRET = "-".join(("proc", "test", "value", "0123456789"))


def echo(text: str) -> list[str]:
    return [sys.executable, "-c", f"import sys; sys.stdout.write({text!r})"]


def test_output_holding_a_secret_comes_back_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXCHANGE_API_SECRET", SECRET)
    done = proc.run(echo(f"key={SECRET}"), cwd=tmp_path)
    assert done.ok
    assert SECRET not in done.stdout
    assert proc.run(echo(SECRET), cwd=tmp_path, verbatim=True).stdout == SECRET


def test_no_output_builds_no_redactor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise AssertionError("a redactor was built for no output")

    monkeypatch.setattr(proc, "_redactor", refuse)
    done = proc.run(echo(""), cwd=tmp_path)
    assert (done.ok, done.stdout, done.stderr) == (True, "", "")
