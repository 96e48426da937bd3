"""Which release a rollback returns to: the target's deploy log decides, the tag must agree.

Only a release the log records as deployed successfully from a verified checklist (its
digest is a `sha256:`), not marked bad since and not the one live now, is a candidate; the
newest candidate wins unless `--to` names one. Its deploy tag must exist here and point at
the commit the log records: a tag made or moved by hand never chooses what goes live.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ci.core.errors import RefusedError
from ci.deploy import tags

Entry = dict[str, Any]  # one line of the deploy log


def good_releases(history: list[Entry]) -> list[Entry]:
    """Releases the deploy log records as deployed from a verified checklist and healthy,
    not marked bad since, newest first."""
    bad = {e.get("tag") for e in history if e.get("outcome") == "marked-bad"}
    good = [
        e
        for e in history
        if e.get("outcome") == "success"
        and e.get("release")
        and e.get("tag") not in bad
        and str(e.get("checklist_digest", "")).startswith("sha256:")
    ]
    return list(reversed(good))


def target(history: list[Entry], root: Path, env: str, to: str | None, live: str | None) -> Entry:
    """The deploy-log entry to return to, or a refusal saying why there is none."""
    return verified(chosen(history, env, to, live), root, env)


def chosen(history: list[Entry], env: str, to: str | None, live: str | None) -> Entry:
    """The entry the deploy log alone chooses (its tag not checked yet: `verified`)."""
    good = [e for e in good_releases(history) if e["release"] != live]
    if to is not None:
        parsed = tags.parse(to, "")
        if parsed is None:
            raise RefusedError(f"{to!r} is not a deploy tag (deploy/<env>/<time>-<sha>)")
        if parsed.env != env:
            raise RefusedError(f"{to} is a deploy tag of {parsed.env}, not {env}")
        good = [e for e in good if e.get("tag") == to]
        if not good:
            raise RefusedError(
                f"{to}: this target's deploy log has no healthy deploy of it from a "
                "verified checklist; rollback returns only to such a release"
            )
    if not good:
        raise RefusedError(f"no earlier good deploy of {env} to roll back to")
    return good[0]


def verified(entry: Entry, root: Path, env: str) -> Entry:
    """`entry`, once its deploy tag here points at the commit the log records."""
    found = {t.name: t for t in tags.deploy_tags(root, env)}
    tag = found.get(str(entry.get("tag")))
    if tag is None or tag.sha != entry.get("sha"):
        raise RefusedError(
            f"{entry.get('tag')}: the deploy tag is missing here or points at another "
            "commit than the deploy log records; refusing to roll back to it"
        )
    return entry
