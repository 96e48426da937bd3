"""The checklist document: a versioned schema, a digest over the whole, an optional HMAC.

The digest is SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of
every field but `digest` and `signature`; the signature is HMAC-SHA256 of the
digest with a key only the pipeline's secrets hold, so someone who can write
artifacts but not read secrets cannot forge a checklist.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from ci.core.config import EnvironmentConfig

SCHEMA_VERSION = 1
HMAC_KEY_ENV = "CHECKLIST_HMAC_KEY"
_UNSIGNED_FIELDS = ("digest", "signature")

# Items every checklist must hold, whatever the gates: a checklist without them
# proves nothing about them, however complete the rest is.
CORE_ITEMS = (
    "env-files",
    "api-keys",
    "cors",
    "dashboard-poll",
    "state-files",
    "rollback-target",
    "toggle-card",
)


def gate_item_id(gate: str) -> str:
    return f"gate-{gate}"


def required_items(gates: Iterable[str]) -> tuple[str, ...]:
    """The core items and one item per gate that must have passed."""
    return (*CORE_ITEMS, *(gate_item_id(g) for g in gates))


class ItemKind(StrEnum):
    AUTOMATIC = "automatic"  # checked by the pipeline
    ATTESTED = "attested"  # vouched for by a person (the promote workflow's inputs)


class ItemStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    MISSING = "missing"  # nothing to check and nobody attested it
    ATTESTED = "attested"

    @property
    def complete(self) -> bool:
        return self in (ItemStatus.PASSED, ItemStatus.ATTESTED)


class _Frozen(BaseModel):
    # strict: a "1" where 1 belongs is a malformed checklist, not something to coerce.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Item(_Frozen):
    id: str
    title: str
    kind: ItemKind
    status: ItemStatus
    evidence: str


class Run(_Frozen):
    """The workflow run that built the checklist (absent for a local build)."""

    id: str
    url: str
    actor: str | None = None


class Checklist(_Frozen):
    schema_version: int
    repository: str
    sha: str
    ref: str | None
    environment: str
    run: Run | None
    created_at: str  # ISO 8601, UTC
    items: tuple[Item, ...]
    digest: str = ""
    signature: str | None = None

    @property
    def complete(self) -> bool:
        return all(item.status.complete for item in self.items)

    @property
    def incomplete_items(self) -> list[Item]:
        return [item for item in self.items if not item.status.complete]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def sealed(self, hmac_key: bytes | None = None) -> Checklist:
        """This checklist with its digest, and its signature when a key is given."""
        digest = digest_of(self.to_json())
        signature = sign(digest, hmac_key) if hmac_key else None
        return self.model_copy(update={"digest": digest, "signature": signature})


def canonical_json(document: Mapping[str, Any]) -> bytes:
    content = {k: v for k, v in document.items() if k not in _UNSIGNED_FIELDS}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def digest_of(document: Mapping[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(document)).hexdigest()


def sign(digest: str, key: bytes) -> str:
    return "hmac-sha256:" + hmac.new(key, digest.encode("utf-8"), hashlib.sha256).hexdigest()


def signing_required(environment: EnvironmentConfig | None) -> bool:
    """Whether a deploy to this environment needs a signed checklist: its `signing`
    setting, else required on mainnet; an environment not configured is refused unsigned."""
    if environment is None:
        return True
    if environment.signing is not None:
        return environment.signing == "required"
    return environment.network == "mainnet"


def hmac_key_from(environ: Mapping[str, str]) -> bytes | None:
    """The signing key from `CHECKLIST_HMAC_KEY`; None when unset or empty."""
    value = environ.get(HMAC_KEY_ENV, "")
    return value.encode("utf-8") if value else None
