"""Old releases go while a deploy's new bot starts, for real: never one that a failed deploy's
rollback still needs, none left half-deleted when the command returns, and none in a rollback
(the next deploy prunes). The pipeline's
bookkeeping is the point: the stand-in bot serves (tests/deploy/conftest.py)."""

from __future__ import annotations

from ci.core.errors import ExitCode
from tests.deploy.conftest import BotRepo


def folders(bot: BotRepo) -> set[str]:
    return {p.name for p in (bot.base / "releases").iterdir()}


def test_failed_deploys_keep_what_a_rollback_returns_to_and_removals_finish(
    standin: BotRepo,
) -> None:
    bot = standin
    # keep_releases is 3 here: two good releases, then two broken ones push the first out of
    # the newest three while it is still the release a rollback returns to.
    app = (bot.repo.path / bot.app_file).read_text()
    first_sha = bot.commit_green("first")
    assert bot.deploy().code == ExitCode.OK
    first = bot.live()
    bot.commit_green("second")
    assert bot.deploy().code == ExitCode.OK
    second = bot.live()
    bot.repo.write(bot.app_file, "raise SystemExit('cannot start')\n")
    for n in range(2):
        bot.commit_green(f"broken {n}")
        failed = bot.deploy()
        assert failed.code == ExitCode.FAILED, failed.stderr
        assert bot.live() == second
    assert first in folders(bot)

    back = bot.ci("rollback", "testnet")
    assert back.code == ExitCode.OK, back.stderr
    assert bot.ci("status", "testnet").stdout.startswith(f"testnet: {bot.live()}")
    assert (bot.base / "releases" / bot.live() / ".release.json").read_text().count(first_sha)

    bot.repo.write(bot.app_file, app)
    bot.commit_green("fixed")
    assert bot.deploy().code == ExitCode.OK
    # Pruned: the second (marked bad by the rollback) and the first broken one; nothing of
    # theirs is left, not even a folder on its way out.
    kept = folders(bot)
    assert len(kept) == 4 and second not in kept and first in kept, kept
    assert {p.stem for p in (bot.base / "shared" / "env").iterdir()} == kept


def test_a_rollback_removes_no_release_and_the_next_deploy_prunes(standin: BotRepo) -> None:
    bot = standin
    # keep_releases is 3 here: three deploys fill it, the rollback's release is a fourth.
    for n in range(3):
        bot.commit_green(f"release {n}")
        assert bot.deploy().code == ExitCode.OK
    oldest = sorted(folders(bot))[0]
    back = bot.ci("rollback", "testnet")
    assert back.code == ExitCode.OK, back.stderr
    assert len(folders(bot)) == 4 and oldest in folders(bot)  # nothing removed, nothing leaving
    bot.commit_green("next")
    assert bot.deploy().code == ExitCode.OK
    kept = folders(bot)
    assert oldest not in kept and len(kept) == 4, kept  # the rollback's target stays protected
    assert {p.stem for p in (bot.base / "shared" / "env").iterdir()} == kept
