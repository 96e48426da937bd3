"""The one subprocess helper hides this process's secrets in what it returns, and builds
nothing to hide them in output that is empty or read verbatim."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ci.core import proc

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
