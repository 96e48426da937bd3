"""Incident snapshot: logs, non-secret config, deploy history and the toggle card in one
archive, redacted, and proven clean by gitleaks before it is written out.

Redacted twice over: today's secret values in every form (raw, URL, base64, hex), then
whatever has a secret's shape (the gitleaks rules, BIP39 phrases), since the runbook
rotates keys before the snapshot and a rotated key is no longer in the environment.
Anything still found after that refuses the archive.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ci.checklist import card
from ci.core import redaction
from ci.core.config import Config
from ci.core.errors import RefusedError
from ci.core.settings import resolve
from ci.deploy import tags
from ci.scanning import gitleaks, masking, seeds
from logsafe import Redactor


@dataclass(frozen=True)
class Sources:
    """Where the running bot keeps what a snapshot collects (the deploy target says)."""

    logs: Path | None = None  # a folder of log files
    deploy_log: Path | None = None  # the append-only deploy log (JSON lines)


def snapshot(
    root: Path,
    config: Config,
    env: str,
    sources: Sources,
    output: Path,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Write `output` (a .tar.gz) or raise RefusedError if anything in it looks like a secret."""
    environ = os.environ if environ is None else environ
    settings = resolve(config, env, environ)
    # Today's values in every form (hex too); what rotated away is found by shape below.
    redactor = redaction.redactor(
        environ, extra=[s.value for s in settings.by_name.values() if s.secret and s.value]
    )
    with tempfile.TemporaryDirectory(prefix="bottie-incident-") as tmp:
        staging = Path(tmp) / f"incident-{env}"
        staging.mkdir()
        _write_json(staging / "card.json", card.build(settings, config.profile).to_json())
        _write_json(staging / "history.json", _history(root, env, sources.deploy_log, redactor))
        _write_json(
            staging / "meta.json",
            {
                "environment": env,
                "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        if sources.logs is not None and sources.logs.is_dir():
            _copy_logs(sources.logs, staging / "logs", redactor)
        config_path = root / ".gitleaks.toml"
        found_config = config_path if config_path.is_file() else None
        masking.mask_found(staging, root=root, config=found_config)
        _prove_clean(root, staging, found_config)
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as archive:
            archive.add(staging, arcname=staging.name)
    return output


def _history(
    root: Path, env: str, deploy_log: Path | None, redactor: Redactor
) -> dict[str, object]:
    entries: list[object] = []
    if deploy_log is not None and deploy_log.is_file():
        for line in deploy_log.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entries.append(redactor.redact_value(json.loads(line)))
            except ValueError:
                entries.append({"unreadable": redactor.redact(line)})
    return {
        "tags": [{"name": t.name, "sha": t.sha} for t in tags.deploy_tags(root, env)],
        "deploy_log": entries,
    }


def _copy_logs(source: Path, target: Path, redactor: Redactor) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8", errors="replace")
            destination.write_text(redactor.redact(text), encoding="utf-8")


def _prove_clean(root: Path, staging: Path, config: Path | None) -> None:
    found = gitleaks.scan(
        ["dir", str(staging)], root=root, config=config, path_prefix=staging
    ) + seeds.scan_files(
        root, ((str(p.relative_to(staging)), p) for p in sorted(staging.rglob("*")) if p.is_file())
    )
    if found.findings:
        reasons = "\n".join(f"snapshot refused: {f.render()}" for f in found.findings)
        shutil.rmtree(staging, ignore_errors=True)
        raise RefusedError(reasons)


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
