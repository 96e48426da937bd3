"""Deploy tags: `deploy/<env>/<UTC YYYYmmddTHHMMSSmmmZ>-<short sha>`, one per healthy deploy.

A tag is a public record of what ran where; it is not the authority for rollback (the
target's deploy log is: see `ci.deploy.rollback`). A tag whose short SHA does not
match the commit it points at is no deploy tag at all and is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ci.core import git

PREFIX = "deploy"
# Milliseconds: two deploys in one second get two tags (the tests deploy that fast).
_TAG = re.compile(
    r"deploy/(?P<env>[a-z0-9][a-z0-9_-]*)/"
    r"(?P<stamp>\d{8}T\d{6})(?P<millis>\d{3})?Z-(?P<short>[0-9a-f]{7,40})"
)


@dataclass(frozen=True)
class DeployTag:
    name: str
    env: str
    deployed_at: datetime
    sha: str  # the commit the tag points at (peeled through an annotated tag)

    @property
    def release_id(self) -> str:
        return release_id(self.name)


def tag_name(env: str, sha: str, when: datetime) -> str:
    moment = when.astimezone(UTC)
    stamp = moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}Z"
    return f"{PREFIX}/{env}/{stamp}-{sha[:7]}"


def release_id(tag: str) -> str:
    """The release a deploy tag names: its last part, the folder and env file of the release."""
    return tag.rsplit("/", 1)[1]


def parse(name: str, sha: str) -> DeployTag | None:
    """The deploy tag `name` names, or None when it is not one (or its SHA disagrees)."""
    match = _TAG.fullmatch(name)
    if match is None:
        return None
    try:
        when = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    when = when.replace(microsecond=int(match["millis"] or 0) * 1000)
    if sha and not sha.lower().startswith(match["short"]):
        return None  # hand-made: the name's SHA is not the commit it points at
    return DeployTag(name, match["env"], when, sha)


def deploy_tags(root: Path, env: str) -> list[DeployTag]:
    """The deploy tags of `env`, newest first."""
    # Verbatim: nothing of it is kept but names of a deploy tag's shape and the SHAs they
    # point at (a mask would break them). Redacting it compiled the secret scan, about 20 ms
    # of CPU here, before a rollback could start its bot.
    listing = git.output(
        root,
        "for-each-ref",
        "--format=%(refname:strip=2)%09%(*objectname)%09%(objectname)",
        f"refs/tags/{PREFIX}/{env}/",
        verbatim=True,
    )
    tags = []
    for line in listing.splitlines():
        name, peeled, direct = line.split("\t")
        tag = parse(name, peeled or direct)
        if tag is not None and tag.env == env:
            tags.append(tag)
    return sorted(tags, key=lambda t: (t.deployed_at, t.name), reverse=True)


def previous_good(root: Path, env: str) -> DeployTag | None:
    """The newest deploy tag of `env`, if any (the checklist's rollback-target evidence)."""
    return next(iter(deploy_tags(root, env)), None)
