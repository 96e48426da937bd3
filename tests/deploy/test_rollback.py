"""Which release a rollback puts live: the deploy log decides, the deploy tag must agree.

A real deploy log (written and read by `ci.deploy.journal`, as the targets do) and real
annotated deploy tags in a real repository; `ci rollback` end to end is in test_deploy.py
and test_safety.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ci.core.errors import RefusedError
from ci.deploy import journal, rollback
from tests.helpers import Repo

DIGEST = "sha256:" + "ab" * 32


class Log:
    """A deploy log and the repository whose tags it names."""

    def __init__(self, repo: Repo, path: Path) -> None:
        self.repo, self.path, self.count = repo, path, 0

    def deployed(self, *, tagged: bool = True, **fields: Any) -> str:
        """A healthy deploy of a new commit, as the deployer records it; its tag name."""
        self.count += 1
        sha = self.repo.commit(f"release {self.count}")
        tag = f"deploy/testnet/2026010{self.count}T000000000Z-{sha[:7]}"
        if tagged:
            self.repo.git("tag", "-a", "-m", "deploy", tag, sha)
        entry = {"tag": tag, "release": tag.rsplit("/", 1)[1], "sha": sha}
        journal.record(self.path, "success", **{**entry, "checklist_digest": DIGEST, **fields})
        return tag

    def record(self, outcome: str, **fields: Any) -> None:
        journal.record(self.path, outcome, **fields)

    def target(self, to: str | None = None, live: str | None = None) -> str:
        """The tag of the release rollback would put live."""
        history = journal.entries(self.path)
        return str(rollback.target(history, self.repo.path, "testnet", to, live)["tag"])

    def refusal(self, to: str | None = None, live: str | None = None) -> str:
        with pytest.raises(RefusedError) as refused:
            self.target(to, live)
        return str(refused.value)


@pytest.fixture
def log(repo: Repo, tmp_path: Path) -> Log:
    return Log(repo, tmp_path / "target" / "deploy.log")


def release(tag: str) -> str:
    return tag.rsplit("/", 1)[1]


def test_the_newest_good_release_that_is_not_live_goes_live(log: Log) -> None:
    _, second, third = log.deployed(), log.deployed(), log.deployed()
    assert log.target(live=release(third)) == second
    assert log.target(live=release(second)) == third  # newest first, whatever is live
    assert log.target(live=None) == third


def test_a_deploy_that_failed_was_refused_or_never_finished_is_never_chosen(log: Log) -> None:
    good = log.deployed()
    live = log.deployed()
    for outcome in ("failed", "refused", "switching", "switched-back", "recovered"):
        log.record(outcome, tag=live.replace("2026010", "2026020"), release="r", sha="0" * 40)
    assert log.target(live=release(live)) == good


def test_a_release_marked_bad_is_never_chosen_again(log: Log) -> None:
    good, bad, live = log.deployed(), log.deployed(), log.deployed()
    log.record("marked-bad", tag=bad, release=release(bad), reason="rolled back")
    assert log.target(live=release(live)) == good
    assert log.refusal(to=bad, live=release(live)) == (
        f"{bad}: this target's deploy log has no healthy deploy of it from a verified "
        "checklist; rollback returns only to such a release"
    )


@pytest.mark.parametrize(
    "unverified",
    [
        {"checklist_digest": ""},
        {"checklist_digest": None},
        {"checklist_digest": "md5:" + "ab" * 16},
        {"checklist_digest": "unverified sha256:" + "ab" * 32},
        {"release": ""},
    ],
)
def test_a_release_without_a_verified_checklist_is_never_chosen(
    log: Log, unverified: dict[str, Any]
) -> None:
    good = log.deployed()
    log.deployed(**unverified)
    live = log.deployed()
    assert log.target(live=release(live)) == good


def test_an_older_release_is_chosen_by_its_tag(log: Log) -> None:
    first, _, live = log.deployed(), log.deployed(), log.deployed()
    assert log.target(to=first, live=release(live)) == first


def test_the_live_release_is_no_rollback_target(log: Log) -> None:
    live = log.deployed()
    assert log.refusal(live=release(live)) == "no earlier good deploy of testnet to roll back to"
    assert log.refusal(to=live, live=release(live)).startswith(f"{live}: this target's deploy")


def test_an_empty_log_has_nothing_to_roll_back_to(log: Log) -> None:
    log.repo.commit("nothing deployed yet")
    assert log.refusal() == "no earlier good deploy of testnet to roll back to"


def test_a_name_that_is_no_deploy_tag_is_refused(log: Log) -> None:
    log.deployed()
    assert log.refusal(to="v1.0") == "'v1.0' is not a deploy tag (deploy/<env>/<time>-<sha>)"


def test_another_environments_tag_is_refused(log: Log) -> None:
    tag = log.deployed()
    other = tag.replace("testnet", "mainnet")
    assert log.refusal(to=other) == f"{other} is a deploy tag of mainnet, not testnet"


def test_a_tag_the_log_does_not_record_is_refused(log: Log) -> None:
    live = log.deployed()
    sha = log.repo.commit("never deployed")
    planted = f"deploy/testnet/20260301T000000000Z-{sha[:7]}"
    log.repo.git("tag", "-a", "-m", "deploy", planted, sha)
    assert log.refusal(to=planted, live=release(live)) == (
        f"{planted}: this target's deploy log has no healthy deploy of it from a verified "
        "checklist; rollback returns only to such a release"
    )
    # ... and a newer tag the log does not record does not change the default either
    assert log.refusal(live=release(live)) == "no earlier good deploy of testnet to roll back to"


def test_a_release_whose_tag_is_missing_here_is_refused(log: Log) -> None:
    untagged = log.deployed(tagged=False)
    live = log.deployed()
    assert log.refusal(live=release(live)) == (
        f"{untagged}: the deploy tag is missing here or points at another commit than the "
        "deploy log records; refusing to roll back to it"
    )


def test_a_release_whose_tag_points_at_another_commit_than_the_log_is_refused(
    log: Log,
) -> None:
    other = log.repo.commit("another commit")
    moved = log.deployed(sha=other)  # the log says `other`; the tag points at its own commit
    live = log.deployed()
    assert log.refusal(live=release(live)) == (
        f"{moved}: the deploy tag is missing here or points at another commit than the "
        "deploy log records; refusing to roll back to it"
    )
