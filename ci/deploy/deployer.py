"""The deploy itself: verify → lock → back up state → prepare → switch → health → tag.

A failed health check switches back to the previous release at once; only a healthy
deploy gets a deploy tag. Every attempt, refused or failed, goes to the deploy log.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ci.checklist import hmac_key_from, required_items, verify_file
from ci.core import actions, git, proc
from ci.core.config import Config
from ci.core.errors import CiError, RefusedError
from ci.deploy import envfile, journal, tags
from ci.deploy.lock import deploy_lock
from ci.deploy.paths import Layout, for_environment
from ci.deploy.targets import TARGETS, LocalTarget, Release
from logsafe import is_secret_name


class DeployFailed(RefusedError):
    """The new release was unhealthy; the previous one is live again."""


@dataclass(frozen=True)
class Outcome:
    tag: str
    release: str
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class Deployer:
    root: Path
    config: Config
    env: str
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    def __post_init__(self) -> None:
        self.layout: Layout = for_environment(self.config, self.env)
        self.target: LocalTarget = TARGETS[self.config.deploy.target](
            self.root, self.config, self.env, self.layout
        )

    # -- deploy ------------------------------------------------------------------------
    def deploy(
        self,
        sha: str,
        *,
        checklist: Path | None,
        approver: str,
        push: bool,
        rolled_back_from: str | None = None,
        env_values: dict[str, str] | None = None,
    ) -> Outcome:
        sha = git.output(self.root, "rev-parse", "--verify", f"{sha}^{{commit}}").strip()
        digest = (
            "verified when first deployed" if checklist is None else self._verify(checklist, sha)
        )
        try:
            values = env_values or envfile.values(self.config, self.env, self.environ)
        except RefusedError as exc:
            journal.record(self.layout.deploy_log, "refused", sha=sha, reason=str(exc))
            raise
        envfile.mask_in_github(values, self.environ)
        when = datetime.now(UTC)
        tag = tags.tag_name(self.env, sha, when)
        release = Release(tag.rsplit("/", 1)[1], sha, self.env, envfile.digest(values))
        with deploy_lock(self.layout.lock, sha=sha, message=f"deploy {tag} by {approver}"):
            previous = self.target.live()
            self._backup_state(release.id)
            self.target.prepare(release, values)
            self._hook("pre_deploy", self.config.deploy.pre_deploy, release)
            self.target.activate(release.id)
            problem = self._health_problem()
            if problem:
                self._roll_back_to(previous, release, problem)
            self._tag(tag, sha, digest, approver, rolled_back_from, push)
            journal.record(
                self.layout.deploy_log,
                "success",
                tag=tag,
                release=release.id,
                sha=sha,
                approver=approver,
                checklist_digest=digest,
                rolled_back_from=rolled_back_from,
                run=actions.run_url(self.environ),
            )
            self._prune(keep={previous} if previous else set())
        self._hook("post_deploy", self.config.deploy.post_deploy, release)
        return Outcome(tag, release.id)

    def _verify(self, checklist: Path, sha: str) -> str:
        try:
            verified = verify_file(
                checklist,
                sha=sha,
                env=self.env,
                hmac_key=hmac_key_from(self.environ),
                required=required_items(self.config.checklist.gates),
            )
        except RefusedError as exc:
            journal.record(self.layout.deploy_log, "refused", sha=sha, reason=str(exc))
            raise
        return verified.digest

    def _health_problem(self) -> str | None:
        health = self.target.health()
        if not health.ok:
            return health.detail
        expected = self.config.environments[self.env].network
        if health.network != expected:
            return f"the bot reports network {health.network!r}, but {self.env} is {expected}"
        return None

    def _roll_back_to(self, previous: str | None, release: Release, problem: str) -> None:
        journal.record(
            self.layout.deploy_log, "failed", release=release.id, sha=release.sha, reason=problem
        )
        if previous is None:
            raise DeployFailed(f"deploy failed: {problem}; there was no earlier release")
        self.target.activate(previous)
        again = self._health_problem()
        state = "serves again" if again is None else f"is unhealthy too: {again}"
        raise DeployFailed(f"deploy failed: {problem}; rolled back to {previous}, which {state}")

    def _backup_state(self, release_id: str) -> None:
        backup = self.layout.backups / release_id
        backup.mkdir(parents=True, exist_ok=True)
        for name in self.config.app.state_files:
            source = self.layout.state / name
            if source.is_file():
                shutil.copy2(source, backup / name)

    def _hook(self, name: str, command: list[str], release: Release) -> None:
        if not command:
            return
        result = proc.run(
            command,
            cwd=self.layout.releases / release.id,
            timeout=600,
            env={**os.environ, "BOTTIE_RELEASE": release.id, "BOTTIE_SHA": release.sha},
        )
        if not result.ok:
            journal.record(
                self.layout.deploy_log,
                "refused",
                release=release.id,
                reason=f"{name} hook: {result.describe()}",
            )
            raise RefusedError(f"{name} hook failed: {result.describe()}")

    def _tag(
        self,
        tag: str,
        sha: str,
        digest: str,
        approver: str,
        rolled_back_from: str | None,
        push: bool,
    ) -> None:
        lines = [
            f"deploy {self.env} {sha}",
            "",
            f"sha: {sha}",
            f"environment: {self.env}",
            f"checklist-digest: {digest}",
            f"approver: {approver}",
            f"run: {actions.run_url(self.environ) or 'local'}",
        ]
        if rolled_back_from:
            lines.append(f"rolled-back-from: {rolled_back_from}")
        git.output(self.root, "tag", "-a", tag, sha, "-m", "\n".join(lines))
        if push:
            git.output(self.root, "push", "origin", f"refs/tags/{tag}")

    def _prune(self, keep: set[str]) -> None:
        bad = journal.bad_tags(self.layout.deploy_log)
        target = tags.previous_good(self.root, self.env, bad=bad)
        protected = keep | {self.target.live() or ""}
        if target is not None:
            protected.add(target.name.rsplit("/", 1)[1])
        releases = self.target.releases()
        for release_id in releases[: max(0, len(releases) - self.config.deploy.keep_releases)]:
            if release_id not in protected:
                self.target.remove(release_id)

    # -- rollback, pause, restore --------------------------------------------------------
    def rollback(
        self, to: str | None, *, approver: str, push: bool, current_env: bool = False
    ) -> Outcome:
        live = self.target.live()
        live_tag = f"{tags.PREFIX}/{self.env}/{live}" if live else None
        target = self._rollback_target(to, live)
        if current_env:
            values, notes = None, self._env_changes(target)
        else:
            values, notes = self._release_env(target), ()
        outcome = self.deploy(
            target.sha,
            checklist=None,
            approver=approver,
            push=push,
            rolled_back_from=live_tag,
            env_values=values,
        )
        if live_tag:
            journal.record(
                self.layout.deploy_log,
                "marked-bad",
                tag=live_tag,
                release=live,
                reason=f"rolled back to {target.name}",
            )
        if live:
            notes += (
                f"the state as it was before {live} went live is kept: "
                f"`python -m ci restore {self.env} --from {live}` puts it back",
            )
        return Outcome(outcome.tag, outcome.release, notes)

    def _rollback_target(self, to: str | None, live: str | None) -> tags.DeployTag:
        if to is not None:
            parsed = tags.parse(to, "")
            if parsed is None:
                raise RefusedError(f"{to!r} is not a deploy tag (deploy/<env>/<time>-<sha>)")
            if parsed.env != self.env:
                raise RefusedError(f"{to} is a deploy tag of {parsed.env}, not {self.env}")
            found = next((t for t in tags.deploy_tags(self.root, self.env) if t.name == to), None)
            if found is None:
                raise RefusedError(f"no deploy tag {to} in this repository")
            return found
        bad = journal.bad_tags(self.layout.deploy_log)
        for tag in tags.deploy_tags(self.root, self.env):
            if tag.name.rsplit("/", 1)[1] != live and tag.name not in bad:
                return tag
        raise RefusedError(f"no earlier good deploy tag of {self.env} to roll back to")

    def _release_env(self, target: tags.DeployTag) -> dict[str, str]:
        """The environment `target` ran with: its own non-secret values, and today's secrets
        where they are the very ones it had (by hash). Refuses, naming them, otherwise."""
        release_id = target.name.rsplit("/", 1)[1]
        try:
            then = self.target.release_meta(release_id).get("env_digest")
        except (OSError, ValueError):
            then = None
        own_file = self.layout.env_file(release_id)
        if not isinstance(then, dict) or not own_file.is_file():
            raise RefusedError(
                f"{target.name}: its environment is not on this target; "
                "use --with-current-env to redeploy it with today's"
            )
        own = envfile.read(own_file)
        today = envfile.values(self.config, self.env, self.environ)
        differ = sorted(
            n
            for n in then
            if is_secret_name(n) and envfile.digest({n: today.get(n, "")})[n] != then[n]
        )
        if differ:
            raise RefusedError(
                f"cannot redeploy {target.name} with its own environment: "
                f"{', '.join(differ)} differ from the secrets available now "
                "(use --with-current-env to redeploy with today's)"
            )
        return {n: today[n] if is_secret_name(n) else own.get(n, "") for n in then}

    def _env_changes(self, target: tags.DeployTag) -> tuple[str, ...]:
        release_id = target.name.rsplit("/", 1)[1]
        try:
            then = self.target.release_meta(release_id).get("env_digest", {})
        except (OSError, ValueError):
            return ("the release's environment digest is gone: redeploying with today's values",)
        now = envfile.digest(envfile.values(self.config, self.env, self.environ))
        assert isinstance(then, dict)
        changed = sorted(n for n in set(then) | set(now) if then.get(n) != now.get(n))
        if not changed:
            return ()
        return (
            f"variables that differ from {target.name}: {', '.join(changed)} "
            "(redeploying with today's values)",
        )

    def pause(self) -> None:
        env_file = self.layout.live_env_file()
        if env_file is None or not env_file.is_file():
            raise CiError(f"{self.env}: nothing deployed here to pause")
        values = envfile.read(env_file)
        paused = self.layout.shared / "paused"
        if not paused.exists():
            paused.write_text(values.get("TRADE_ENABLED", "0"), encoding="utf-8")
        envfile.write(env_file, {**values, "TRADE_ENABLED": "0"})
        self.target.restart()
        journal.record(self.layout.deploy_log, "paused", release=self.target.live())
        self._after_restart("paused")

    def resume(self) -> str:
        paused = self.layout.shared / "paused"
        if not paused.exists():
            raise CiError(f"{self.env} is not paused")
        before = paused.read_text(encoding="utf-8").strip() or "0"
        env_file = self.layout.live_env_file()
        if env_file is None:
            raise CiError(f"{self.env}: nothing deployed here to resume")
        envfile.write(env_file, {**envfile.read(env_file), "TRADE_ENABLED": before})
        paused.unlink()
        self.target.restart()
        journal.record(
            self.layout.deploy_log, "resumed", release=self.target.live(), trade_enabled=before
        )
        self._after_restart("resumed")
        return before

    def _after_restart(self, what: str) -> None:
        problem = self._health_problem()
        if problem:
            raise CiError(f"{self.env} {what}, but the bot is not healthy: {problem}")

    def restore(self, release_id: str | None) -> str:
        backups = sorted(p for p in self.layout.backups.iterdir() if p.is_dir())
        chosen = (
            next((b for b in backups if b.name == release_id), None)
            if release_id
            else (backups[-1] if backups else None)
        )
        if chosen is None:
            raise RefusedError(
                f"no state backup {release_id or ''} for {self.env}".replace("  ", " ")
            )
        for file in chosen.iterdir():
            shutil.copy2(file, self.layout.state / file.name)
        self.target.restart()
        journal.record(self.layout.deploy_log, "restored", backup=chosen.name)
        self._after_restart("restored")
        return chosen.name
