"""`python -m ci incident snapshot`: redacted, and refused when gitleaks still finds a secret."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

from ci.core.errors import ExitCode
from tests import secret_samples as samples
from tests.helpers import EXAMPLE_BOT_TOML, PROJECT_ROOT, CliResult, Repo, run_ci


def setup(repo: Repo, tmp_path: Path) -> tuple[Path, Path]:
    shutil.copy(PROJECT_ROOT / ".gitleaks.toml", repo.path / ".gitleaks.toml")
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    repo.commit("initial")
    logs = tmp_path / "logs"
    logs.mkdir()
    deploy_log = tmp_path / "deploy-log.jsonl"
    deploy_log.write_text(json.dumps({"outcome": "success", "tag": "deploy/testnet/x"}) + "\n")
    return logs, deploy_log


def members(archive: Path) -> dict[str, str]:
    with tarfile.open(archive) as tar:
        return {
            m.name: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def snapshot(
    repo: Repo, logs: Path, deploy_log: Path, out: Path, env: dict[str, str] | None = None
) -> CliResult:
    return run_ci(
        "incident",
        "snapshot",
        "testnet",
        "-o",
        str(out),
        "--logs",
        str(logs),
        "--deploy-log",
        str(deploy_log),
        cwd=repo.path,
        env=env,
    )


def test_snapshot_collects_everything_redacted(repo: Repo, tmp_path: Path) -> None:
    logs, deploy_log = setup(repo, tmp_path)
    secret = samples.binance_key(51)
    (logs / "bot.log").write_text(f"signing with {secret}\nGET /api?signature=abcdef12\n")
    out = tmp_path / "snap.tar.gz"
    result = snapshot(repo, logs, deploy_log, out, env={"BINANCE_API_SECRET": secret})
    assert result.code == ExitCode.OK, result.stderr
    files = members(out)
    assert set(files) == {
        "incident-testnet/card.json",
        "incident-testnet/history.json",
        "incident-testnet/meta.json",
        "incident-testnet/logs/bot.log",
    }
    assert secret not in "".join(files.values())
    assert "signing with ***" in files["incident-testnet/logs/bot.log"]
    card = json.loads(files["incident-testnet/card.json"])
    assert {
        "name": "BINANCE_API_SECRET",
        "value": "set",
        "secret": True,
        "source": "environment",
    } in card["settings"]
    history = json.loads(files["incident-testnet/history.json"])
    assert history["deploy_log"] == [{"outcome": "success", "tag": "deploy/testnet/x"}]


def test_snapshot_is_refused_when_a_secret_survives_redaction(repo: Repo, tmp_path: Path) -> None:
    logs, deploy_log = setup(repo, tmp_path)
    # A GitLab token: no variable names it and logsafe has no shape for it, so only the
    # gitleaks pass over the staged archive can stop it.
    token = samples.gitlab_token(52)
    (logs / "bot.log").write_text(f"mirroring with {token}\n")
    out = tmp_path / "snap.tar.gz"
    result = snapshot(repo, logs, deploy_log, out)
    assert result.code == ExitCode.FAILED
    assert "snapshot refused: logs/bot.log:1: [gitlab-pat]" in result.stderr
    assert token not in result.stderr + result.stdout
    assert not out.exists()


def test_unknown_environment_names_the_valid_ones(repo: Repo) -> None:
    repo.commit("initial")
    result = run_ci("incident", "snapshot", "staging", cwd=repo.path)
    assert result.code == ExitCode.USAGE
    assert "unknown environment 'staging'" in result.stderr
