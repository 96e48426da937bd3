"""Deploy tags: `deploy/<env>/<UTC YYYYmmddTHHMMSSZ>-<short sha>`, and the rollback target.

The checklist asks whether a rollback target exists; the deploy asks which one it is.
Both use `previous_good` so they cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ci.core import git

PREFIX = "deploy"
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_TAG = re.compile(r"deploy/(?P<env>[^/]+)/(?P<stamp>\d{8}T\d{6}Z)-(?P<short>[0-9a-f]{7,40})")


@dataclass(frozen=True)
class DeployTag:
    name: str
    env: str
    deployed_at: datetime
    short_sha: str
    sha: str  # the commit the tag points at (peeled through an annotated tag)


def tag_name(env: str, sha: str, when: datetime) -> str:
    return f"{PREFIX}/{env}/{when.astimezone(UTC).strftime(TIMESTAMP_FORMAT)}-{sha[:7]}"


def parse(name: str, sha: str) -> DeployTag | None:
    """The deploy tag `name` names, or None when it is not one."""
    match = _TAG.fullmatch(name)
    if match is None:
        return None
    try:
        when = datetime.strptime(match["stamp"], TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return DeployTag(name, match["env"], when, match["short"], sha)


def deploy_tags(root: Path, env: str) -> list[DeployTag]:
    """The deploy tags of `env`, newest first."""
    listing = git.output(
        root,
        "for-each-ref",
        "--format=%(refname:strip=2)%09%(*objectname)%09%(objectname)",
        f"refs/tags/{PREFIX}/{env}/",
    )
    tags = []
    for line in listing.splitlines():
        name, peeled, direct = line.split("\t")
        tag = parse(name, peeled or direct)
        if tag is not None and tag.env == env:
            tags.append(tag)
    return sorted(tags, key=lambda t: (t.deployed_at, t.name), reverse=True)


def previous_good(root: Path, env: str, *, bad: Collection[str] = ()) -> DeployTag | None:
    """The newest deploy tag of `env` not marked bad (tag names in `bad`), if any."""
    return next((tag for tag in deploy_tags(root, env) if tag.name not in bad), None)
