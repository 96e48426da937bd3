"""The checklist artifact: built from gate results and attestations, verified before deploy.

API other modules rely on:
    verify_file(path, *, sha, env, hmac_key=None, required=CORE_ITEMS,
                require_signature=False) -> Checklist
        returns the checklist when the one at `path` is complete for exactly `sha` and `env`
        and holds every item in `required` (pass `required_items(config.checklist.gates)`);
        raises ChecklistRefused (a RefusedError) with one line per reason otherwise.
    hmac_key_from(environ) -> bytes | None
        the signing key from CHECKLIST_HMAC_KEY, for callers of verify_file.
    signing_required(environment config) -> bool
        pass as verify_file's require_signature: a missing key then refuses.
"""

from __future__ import annotations

from ci.checklist.model import (
    CORE_ITEMS,
    HMAC_KEY_ENV,
    Checklist,
    hmac_key_from,
    required_items,
    signing_required,
)
from ci.checklist.verify import ChecklistRefused, verify_file

__all__ = [
    "CORE_ITEMS",
    "HMAC_KEY_ENV",
    "Checklist",
    "ChecklistRefused",
    "hmac_key_from",
    "required_items",
    "signing_required",
    "verify_file",
]
