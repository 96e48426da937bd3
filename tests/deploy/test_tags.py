"""Deploy tags in a real git repository: listing, order, and the rollback target."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ci.deploy import tags
from tests.helpers import Repo


def test_tag_name_format() -> None:
    when = datetime(2026, 3, 4, 5, 6, 7, 891_234, tzinfo=UTC)
    name = tags.tag_name("mainnet", "abcdef0123456789", when)
    assert name == "deploy/mainnet/20260304T050607891Z-abcdef0"  # milliseconds: no collisions
    parsed = tags.parse(name, "abcdef0123456789")
    assert parsed is not None and parsed.deployed_at == when.replace(microsecond=891_000)


def test_a_tag_whose_name_names_another_commit_is_no_deploy_tag(repo: Repo) -> None:
    real = repo.commit("real")
    ungated = repo.commit("ungated")
    repo.git("tag", f"deploy/testnet/20260101T000000Z-{real[:7]}", ungated)  # hand-made
    assert tags.deploy_tags(repo.path, "testnet") == []


def test_parse_refuses_names_that_are_not_deploy_tags() -> None:
    for name in (
        "v1.0",
        "deploy/mainnet/latest",
        "deploy/mainnet/20261399T000000Z-abcdef0",  # no 99th day
        "deploy/mainnet/20260101T000000Z-ABCDEF0",
    ):
        assert tags.parse(name, "0" * 40) is None


def test_newest_first_peeled_to_the_commit(repo: Repo) -> None:
    old = repo.commit("old")
    new = repo.commit("new")
    repo.git("tag", "-a", "-m", "ok", f"deploy/mainnet/20260101T000000Z-{old[:7]}", old)
    repo.git("tag", "-a", "-m", "ok", f"deploy/mainnet/20260201T000000Z-{new[:7]}", new)
    repo.git("tag", f"deploy/testnet/20260301T000000Z-{new[:7]}", new)
    repo.git("tag", "v1.0", new)
    listed = tags.deploy_tags(repo.path, "mainnet")
    assert [(t.name, t.sha) for t in listed] == [
        (f"deploy/mainnet/20260201T000000Z-{new[:7]}", new),
        (f"deploy/mainnet/20260101T000000Z-{old[:7]}", old),
    ]
    assert tags.previous_good(repo.path, "mainnet") == listed[0]


def test_no_tags_means_no_rollback_target(repo: Repo) -> None:
    repo.commit()
    assert tags.previous_good(repo.path, "mainnet") is None


def test_a_tag_name_is_in_utc_whatever_the_machine_s_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        when = datetime(2026, 3, 4, 7, 6, 7, tzinfo=timezone(timedelta(hours=2)))
        assert tags.tag_name("testnet", "abcdef0123", when) == (
            "deploy/testnet/20260304T050607000Z-abcdef0"
        )
    finally:
        monkeypatch.undo()
        time.tzset()


def test_parse_reads_every_field() -> None:
    sha = "abcdef0" + "1" * 33
    assert tags.parse("deploy/mainnet/20260304T050607Z-abcdef0", sha) == tags.DeployTag(
        name="deploy/mainnet/20260304T050607Z-abcdef0",
        env="mainnet",
        deployed_at=datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC),
        sha=sha,
    )


def test_only_well_formed_tags_count_never_a_branch_or_a_stray_tag(repo: Repo) -> None:
    """Deploy tags are protected by a ruleset; a branch of the same name is not, and
    anyone who can push may create one."""
    good = repo.commit("good")
    repo.git("tag", f"deploy/testnet/20260101T000000Z-{good[:7]}", good)  # lightweight
    evil = repo.commit("evil")
    repo.git("branch", f"deploy/testnet/20270101T000000Z-{evil[:7]}", evil)
    repo.git("tag", "deploy/testnet/latest", evil)
    listed = tags.deploy_tags(repo.path, "testnet")
    assert [(t.name, t.sha) for t in listed] == [
        (f"deploy/testnet/20260101T000000Z-{good[:7]}", good)
    ]


def test_a_tags_release_is_its_last_part() -> None:
    """The release folder and env file a tag names (a rollback finds them by it)."""
    sha = "9205f46" + "0" * 33
    when = datetime(2026, 11, 25, 2, 36, 49, 123000, tzinfo=UTC)
    for env in ("testnet", "mainnet-eu"):
        tag = tags.tag_name(env, sha, when)
        assert tags.release_id(tag) == "20261125T023649123Z-9205f46"
