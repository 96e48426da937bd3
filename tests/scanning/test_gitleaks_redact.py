"""The gitleaks wrapper never lets a secret's value reach a report: real gitleaks, real
repository. The JSON report it reads and the SARIF file it writes for code scanning (an
artifact anyone with read access downloads) both hold the finding without the value."""

from __future__ import annotations

from pathlib import Path

from ci.scanning.gitleaks import scan
from tests import secret_samples as samples
from tests.helpers import Repo


def test_a_secret_is_found_and_neither_report_holds_its_value(repo: Repo, tmp_path: Path) -> None:
    token = samples.github_token(7)
    repo.write("client.py", f'TOKEN = "{token}"\n')
    repo.commit("a token")
    sarif = tmp_path / "secrets.sarif"
    found = scan(["git", str(repo.path)], root=repo.path, config=None, sarif=sarif)
    assert [(f.file, f.line, f.rule) for f in found.findings] == [("client.py", 1, "github-pat")]
    assert token not in repr(found)
    text = sarif.read_text(encoding="utf-8")
    assert "client.py" in text and "REDACTED" in text
    assert token not in text
    assert token[4:20] not in text  # not even a part of it
