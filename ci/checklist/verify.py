"""Verify a checklist file before a deploy: every reason to refuse, one line each."""

from __future__ import annotations

import hmac
import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ci.checklist.model import (
    CORE_ITEMS,
    HMAC_KEY_ENV,
    SCHEMA_VERSION,
    Checklist,
    digest_of,
    sign,
)
from ci.core.errors import RefusedError


class ChecklistRefused(RefusedError):
    """The checklist does not allow this deploy; the message has one line per reason."""


def verify_file(
    path: Path,
    *,
    sha: str,
    env: str,
    hmac_key: bytes | None = None,
    required: Collection[str] = CORE_ITEMS,
    require_signature: bool = False,
) -> Checklist:
    """The checklist at `path` when it is complete for exactly `sha` and `env`.

    `required` names the items it must hold (`model.required_items(config gates)`).
    With `require_signature` (`model.signing_required(environment config)`), no key is a
    refusal: GitHub hands an unset secret over as "", which must not switch checking off.
    """
    if require_signature and not hmac_key:
        raise ChecklistRefused(
            f"{path}: signing is required for {env} but {HMAC_KEY_ENV} is empty or unset; refusing"
        )
    document, checklist = load(path)
    found = refusals(document, checklist, sha, env, hmac_key)
    found += _item_set_refusals(checklist, required)
    # One line per reason, whatever a gate's summary held.
    reasons = [f"{path}: {' '.join(reason.split())}" for reason in found]
    if reasons:
        raise ChecklistRefused("\n".join(reasons))
    return checklist


def load(path: Path) -> tuple[dict[str, Any], Checklist]:
    """The raw document (for the digest) and the parsed checklist, or a refusal."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ChecklistRefused(f"{path}: missing: no checklist file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistRefused(f"{path}: malformed: cannot read it: {exc}") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise ChecklistRefused(f"{path}: malformed: nested too deep to be a checklist") from None
    except ValueError as exc:
        raise ChecklistRefused(f"{path}: malformed: not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ChecklistRefused(f"{path}: malformed: not a JSON object")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise ChecklistRefused(
            f"{path}: unknown schema version {version!r} (this pipeline reads {SCHEMA_VERSION})"
        )
    try:
        return document, Checklist.model_validate_json(text)
    except ValidationError as exc:
        lines = [f"{path}: malformed: {_where(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ChecklistRefused("\n".join(lines)) from None


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "document"


def refusals(
    document: dict[str, Any], checklist: Checklist, sha: str, env: str, hmac_key: bytes | None
) -> list[str]:
    reasons = []
    if not _same(digest_of(document), checklist.digest):
        reasons.append("digest mismatch: the checklist was changed after it was built")
    elif hmac_key is not None:
        reasons += _signature_refusals(checklist, hmac_key)
    if checklist.sha.lower() != sha.strip().lower():
        reasons.append(f"built for SHA {checklist.sha}, not {sha.strip()}")
    if checklist.environment != env:
        reasons.append(f"built for environment {checklist.environment!r}, not {env!r}")
    for item in checklist.incomplete_items:
        reasons.append(f"item {item.id} is {item.status.value}: {item.evidence}")
    return reasons


def _item_set_refusals(checklist: Checklist, required: Collection[str]) -> list[str]:
    ids = [item.id for item in checklist.items]
    reasons = [f"item {item_id} is absent" for item_id in required if item_id not in ids]
    twice = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
    reasons += [f"item {item_id} is listed more than once" for item_id in twice]
    return reasons


def _signature_refusals(checklist: Checklist, hmac_key: bytes) -> list[str]:
    if checklist.signature is None:
        return ["unsigned: a signing key is configured but the checklist has no signature"]
    if not _same(sign(checklist.digest, hmac_key), checklist.signature):
        return ["signature mismatch: not signed with this pipeline's key"]
    return []


def _same(expected: str, found: str) -> bool:
    # Bytes: compare_digest refuses non-ASCII str, and a tampered file may hold any text.
    return hmac.compare_digest(expected.encode("utf-8"), found.encode("utf-8"))
