"""Deploy tags in a real git repository: listing, order, and the rollback target."""

from __future__ import annotations

from datetime import UTC, datetime

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
