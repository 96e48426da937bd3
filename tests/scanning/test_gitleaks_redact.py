"""The gitleaks wrapper never lets a secret's value reach a report: real gitleaks, real
repository. The JSON report it reads and the SARIF file it writes for code scanning (an
artifact anyone with read access downloads) both hold the finding without the value."""

from __future__ import annotations

from pathlib import Path

from ci.scanning import sarif as sarif_module
from ci.scanning.gitleaks import Scan, scan
from tests import secret_samples as samples
from tests.helpers import Repo


def test_a_secret_is_found_and_neither_report_holds_its_value(repo: Repo, tmp_path: Path) -> None:
    token = samples.github_token(7)
    repo.write("client.py", f'TOKEN = "{token}"\n')
    repo.commit("a token")
    sarif = tmp_path / "secrets.sarif"
    found = scan(["git", str(repo.path)], root=repo.path, config=None)
    sarif_module.write(sarif, found.findings)  # as the secrets gate writes it
    assert [(f.file, f.line, f.rule) for f in found.findings] == [("client.py", 1, "github-pat")]
    assert token not in repr(found)
    text = sarif.read_text(encoding="utf-8")
    assert "client.py" in text and "github-pat" in text
    assert token not in text
    assert token[4:20] not in text  # not even a part of it


def test_a_finding_names_its_commit_and_a_path_under_the_scanned_folder(
    repo: Repo, tmp_path: Path
) -> None:
    token = samples.github_token(8)
    repo.write("src/client.py", f'TOKEN = "{token}"\n')
    sha = repo.commit("a token")
    (found,) = scan(["git", str(repo.path)], root=repo.path, config=None).findings
    assert found.message.startswith("github-pat: ")
    assert found.message.endswith(f" in commit {sha[:12]}")
    (in_dir,) = scan(
        ["dir", str(repo.path / "src")], root=repo.path, config=None, path_prefix=repo.path / "src"
    ).findings
    assert (in_dir.file, in_dir.line) == ("client.py", 1)
    assert "in commit" not in in_dir.message


def test_the_allow_hint_lists_each_fingerprint_on_its_own_line() -> None:
    assert Scan((), ()).allow_hint() == ""
    hint = Scan((), ("a.py:github-pat:1", "b.py:aws:2")).allow_hint()
    assert hint.endswith(":\n  a.py:github-pat:1\n  b.py:aws:2")
    assert hint.startswith("a false positive (never a real secret: rotate those) is allowed")
