"""`python -m ci scan`: real gitleaks over artifacts about to be uploaded."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ci.core.errors import ExitCode
from tests import secret_samples as samples
from tests.helpers import PROJECT_ROOT, CliResult, Repo, invoke_ci, isolate, made_once, run_ci


def test_clean_artifact_passes(repo: Repo) -> None:
    repo.write("reports/junit.xml", "<testsuite tests='1'/>\n")
    result = invoke_ci("scan", "reports", cwd=repo.path)
    assert result.code == ExitCode.OK, result.stderr
    assert result.stdout.strip() == "clean: reports (1 file(s) read)"


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
    result = invoke_ci("scan", "nope", cwd=repo.path)
    assert result.code == ExitCode.USAGE
    assert "nope" in result.stderr
    assert "Traceback" not in result.stderr


def _leaky() -> tuple[str, str]:
    """A bot log line holding a Telegram token; the token is returned to check it is not shown."""
    token = samples.telegram_token(50)
    return f"sent via https://api.telegram.org/bot{token}/sendMessage\n", token


def _refused(result: CliResult, secret: str, shown: str) -> None:
    assert result.code == ExitCode.FAILED, result.stdout + result.stderr
    assert f"refused: {shown}" in result.stderr
    assert secret not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


ARCHIVES = ["gz", "tar.gz", "zip", "nested"]


def _archive(out: Path, kind: str, line: str) -> str:
    """An archive of `kind` in `out` holding `line`; where a scan names the line."""
    if kind == "gz":
        (out / "bot.log.gz").write_bytes(gzip.compress(line.encode()))
        return "artifacts/bot.log.gz!/bot.log:1:"
    if kind == "zip":
        with zipfile.ZipFile(out / "logs.zip", "w") as archive:
            archive.writestr("logs/bot.log", line)
        return "artifacts/logs.zip!/logs/bot.log:1:"
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as archive:
        data = line.encode()
        member = tarfile.TarInfo("bot.log")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    payload = inner.getvalue()
    if kind == "nested":
        with zipfile.ZipFile(out / "all.zip", "w") as outer:
            outer.writestr("snap.tar.gz", payload)
        return "artifacts/all.zip!/snap.tar.gz!/bot.log:1:"
    (out / "snap.tar.gz").write_bytes(payload)
    return "artifacts/snap.tar.gz!/bot.log:1:"


@dataclass(frozen=True)
class Hidden:
    """The one scan of every hiding place: its result, the secrets hidden, and where."""

    result: CliResult
    token: str  # the leaky line's, in every place but the wallet
    phrase: str  # the wallet's seed phrase
    shown: dict[str, str]  # each archive kind: where the scan must name its line
    outside: Path  # what the symlink in reports/ leads to
    loose: Path  # a repository elsewhere whose loose objects alone hold the line


@pytest.fixture(scope="module")
def hidden(tmp_path_factory: pytest.TempPathFactory) -> Hidden:
    """One scan, made once per test run (`made_once`; `ci scan` takes many paths, and a
    gitleaks run costs about 0.45 s of CPU before it reads anything), of a folder of each kind
    of archive, each with the same leaky line; a folder with a symlink to that line outside
    it; a folder holding a .git folder; a wallet file with a seed phrase; and a repository
    whose loose objects alone hold the line."""
    line, token = _leaky()
    phrase = samples.seed_phrase(12, 51)

    def make(folder: Path) -> dict[str, Any]:
        with pytest.MonkeyPatch.context() as patch:  # what conftest.py's fixtures give each test
            isolate(patch, folder / "home")
            repo = Repo(folder / "hidden")
            repo.path.mkdir()
            repo.git("init", "-q", "-b", "main")
            shutil.copy(PROJECT_ROOT / ".gitleaks.toml", repo.path / ".gitleaks.toml")
            out = repo.path / "artifacts"
            out.mkdir()
            shown = {kind: _archive(out, kind, line) for kind in ARCHIVES}
            outside = folder / "elsewhere.log"
            outside.write_text(line)
            (repo.path / "reports").mkdir()
            (repo.path / "reports" / "bot.log").symlink_to(outside)
            repo.write("site/.git/logs/HEAD", line)
            repo.write("out/wallet.txt", phrase + "\n")
            loose = Repo(folder / "published")
            loose.path.mkdir()
            loose.git("init", "-q")
            loose.write("notify.log", line)
            loose.commit("leak")
            (loose.path / "notify.log").unlink()  # only the .git folder holds it now
            paths = ["artifacts", "reports", "site", "out", str(loose.path)]
            result = invoke_ci("scan", *paths, cwd=repo.path)
            return {
                "result": [result.code, result.stdout, result.stderr],
                "shown": shown,
                "outside": str(outside),
                "loose": str(loose.path),
            }

    made = made_once(tmp_path_factory, "scan-hidden", make)
    code, stdout, stderr = made["result"]
    return Hidden(
        CliResult(code, stdout, stderr),
        token,
        phrase,
        made["shown"],
        Path(made["outside"]),
        Path(made["loose"]),
    )


@pytest.mark.parametrize("kind", ARCHIVES)
def test_archives_are_opened(hidden: Hidden, kind: str) -> None:
    _refused(hidden.result, hidden.token, hidden.shown[kind])


def test_symlink_inside_a_folder_is_followed_even_outside(hidden: Hidden) -> None:
    _refused(hidden.result, hidden.token, "reports/bot.log:1:")
    assert f"followed reports/bot.log -> {hidden.outside}" in hidden.result.stderr


def test_git_folder_is_scanned(hidden: Hidden) -> None:
    _refused(hidden.result, hidden.token, "site/.git/logs/HEAD:1:")


def test_seed_phrase_in_an_artifact_is_refused(hidden: Hidden) -> None:
    _refused(hidden.result, hidden.phrase, "out/wallet.txt:1: [bip39-seed-phrase]")


def test_loose_git_objects_are_read(hidden: Hidden) -> None:
    _refused(hidden.result, hidden.token, f"{hidden.loose}/.git/objects/")


def test_fifo_is_skipped_and_said(repo: Repo) -> None:
    repo.write("out/report.txt", "all good\n")
    os.mkfifo(repo.path / "out" / "pipe")
    result = run_ci("scan", "out", cwd=repo.path, timeout=60)
    assert result.code == ExitCode.OK, result.stderr
    assert "skipped out/pipe: a FIFO, not a file" in result.stderr
    assert result.stdout.startswith("clean: out (1 file(s) read)")


def test_unreadable_paths_fail_closed(repo: Repo) -> None:
    repo.write("out/report.txt", "all good\n")
    (repo.path / "out" / "gone").symlink_to(repo.path / "nowhere")
    repo.write("bad/broken.gz", "")
    (repo.path / "bad" / "broken.gz").write_bytes(b"\x1f\x8b" + b"not gzip")
    for path, reason in (
        ("out", "out/gone: a symlink leading nowhere"),
        ("bad", "bad/broken.gz: a corrupt or encrypted archive"),
    ):
        result = run_ci("scan", path, cwd=repo.path)
        assert result.code == ExitCode.FAILED
        assert result.stderr.strip().splitlines()[-1].endswith(f"cannot read {reason}")
        assert "Traceback" not in result.stderr
