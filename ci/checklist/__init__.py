"""The checklist artifact: built from gate results and attestations, verified before deploy.

API other modules rely on:
    verify_file(path, *, sha, env, hmac_key=None, required=CORE_ITEMS) -> Checklist
        returns the checklist when the one at `path` is complete for exactly `sha` and `env`
        and holds every item in `required` (pass `required_items(config.checklist.gates)`);
        raises ChecklistRefused (a RefusedError) with one line per reason otherwise.
    hmac_key_from(environ) -> bytes | None
        the signing key from CHECKLIST_HMAC_KEY, for callers of verify_file.
"""

from __future__ import annotations

from ci.checklist.model import CORE_ITEMS, HMAC_KEY_ENV, Checklist, hmac_key_from, required_items
from ci.checklist.verify import ChecklistRefused, verify_file

__all__ = [
    "CORE_ITEMS",
    "HMAC_KEY_ENV",
    "Checklist",
    "ChecklistRefused",
    "hmac_key_from",
    "required_items",
    "verify_file",
]
