"""`python -m ci incident snapshot`: redacted, and refused when gitleaks still finds a secret.
The command runs in the test's process (what it collects and refuses is the point); the ssh
target's every-command test fetches the logs from the host through it."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pytest

from ci.core.config import Config
from ci.core.errors import ExitCode, RefusedError
from ci.deploy import incident
from ci.scanning import masking
from tests import secret_samples as samples
from tests.helpers import EXAMPLE_BOT_TOML, PROJECT_ROOT, CliResult, Repo, invoke_ci


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
    return invoke_ci(
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


def test_rotated_secrets_and_current_hex_forms_are_masked_by_shape(
    repo: Repo, tmp_path: Path
) -> None:
    """The runbook rotates first: the old key is no longer in the environment when the
    snapshot is taken, so it has to be found by its shape."""
    logs, deploy_log = setup(repo, tmp_path)
    current = samples.binance_key(53)
    leaked = {
        "rotated key": samples.binance_key(54),
        "gitlab": samples.gitlab_token(52),
        "telegram": samples.telegram_token(55),
        "seed": samples.seed_phrase(12, 56),
        "current as hex": current.encode().hex(),
    }
    (logs / "bot.log").write_text(
        f"start binance_api_key={leaked['rotated key']}\n"
        f"mirroring with {leaked['gitlab']} then more\n"
        f"notify {leaked['telegram']} ok\n"
        f"{leaked['seed']}\n"
        f"signed payload {leaked['current as hex']}\n"
    )
    out = tmp_path / "snap.tar.gz"
    result = snapshot(repo, logs, deploy_log, out, env={"BINANCE_API_SECRET": current})
    assert result.code == ExitCode.OK, result.stderr
    log = members(out)["incident-testnet/logs/bot.log"]
    for what, value in leaked.items():
        assert value not in log, what
    assert "mirroring with *** then more" in log  # the rest of the line is kept
    assert "notify " + leaked["telegram"].split(":")[0] + ":*** ok" in log


def test_snapshot_is_refused_when_a_secret_survives_masking(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs, deploy_log = setup(repo, tmp_path)
    monkeypatch.setattr(masking, "mask_found", lambda *_, **__: 0)  # masking that misses
    token = samples.gitlab_token(52)
    (logs / "bot.log").write_text(f"mirroring with {token}\n")
    out = tmp_path / "snap.tar.gz"
    with pytest.raises(RefusedError) as refused:
        incident.snapshot(
            repo.path, Config(), "testnet", incident.Sources(logs, deploy_log), out, environ={}
        )
    assert "snapshot refused: logs/bot.log:1: [gitlab-pat]" in str(refused.value)
    assert token not in str(refused.value)
    assert not out.exists()


def test_unknown_environment_names_the_valid_ones(repo: Repo) -> None:
    repo.commit("initial")
    result = invoke_ci("incident", "snapshot", "staging", cwd=repo.path)
    assert result.code == ExitCode.USAGE
    assert "unknown environment 'staging'" in result.stderr
