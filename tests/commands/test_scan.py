"""`python -m ci scan`: real gitleaks over artifacts about to be uploaded."""

from __future__ import annotations

import json
import shutil

from ci.core.errors import ExitCode
from tests import secret_samples as samples
from tests.helpers import PROJECT_ROOT, Repo, run_ci


def test_clean_artifact_passes(repo: Repo) -> None:
    repo.write("reports/junit.xml", "<testsuite tests='1'/>\n")
    result = run_ci("scan", "reports", cwd=repo.path)
    assert result.code == ExitCode.OK, result.stderr
    assert result.stdout.strip() == "clean: reports"


def test_artifact_holding_a_secret_is_refused_without_showing_it(repo: Repo) -> None:
    shutil.copy(PROJECT_ROOT / ".gitleaks.toml", repo.path / ".gitleaks.toml")
    key = samples.binance_key(31)
    repo.write("logs/bot.log", json.dumps({"event": "start", "binance_api_key": key}) + "\n")
    result = run_ci("scan", "logs", cwd=repo.path)
    assert result.code == ExitCode.FAILED
    assert "refused: " in result.stderr
    assert "logs/bot.log" in result.stderr
    assert "binance-api-key" in result.stderr
    assert key not in result.stderr + result.stdout


def test_missing_path_is_a_usage_error(repo: Repo) -> None:
    result = run_ci("scan", "nope", cwd=repo.path)
    assert result.code == ExitCode.USAGE
    assert "nope" in result.stderr
    assert "Traceback" not in result.stderr
