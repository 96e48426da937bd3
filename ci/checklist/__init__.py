"""The checklist artifact: built from gate results and attestations, verified before deploy.

API other modules rely on (the implementation fills it in):
    verify_file(path, *, sha, env, hmac_key=None) -> None
        returns when the checklist at `path` is complete for exactly `sha` and `env`;
        raises ChecklistRefused (a RefusedError) with one line per reason otherwise.
"""

from __future__ import annotations

from pathlib import Path

from ci.errors import RefusedError


class ChecklistRefused(RefusedError):
    """The checklist does not allow this deploy; the message has one line per reason."""


def verify_file(path: Path, *, sha: str, env: str, hmac_key: bytes | None = None) -> None:
    raise ChecklistRefused(f"{path}: checklist verification is not implemented yet")
