"""The deploy, read top to bottom: checklist → lock → target → health → tag → record.

A failed health check, or any failure once the old bot was stopped, switches back to the
previous release at once and records it; a failed first deploy stops the failed bot. Only a
healthy deploy gets a deploy tag. Releases beyond `keep_releases` are removed while the new
bot starts, never one that either outcome could need; a rollback removes none (its release is
hard links to one already on the target, no new data): deleting a release's files took it up
to half a second under load, and the next deploy prunes. Every attempt, refused or failed, goes
to the target's deploy log, which is the authority on what was deployed: rollback returns
only to a release that log records as deployed from a verified checklist, and whose tag
agrees (`ci.deploy.rollback`). A release runs under the environment built on the target from
its own commit's lock (`[tool.bottie] python` unset or relative; ci/deploy/venvs.py), built or
found before anything live is touched, and recorded with the release.

Trading invariants held here: one bot per environment (the target stops the old one and
checks the port is free before it starts the new one); a paused environment stays paused
through deploy, rollback and restore until `resume` (the kill switch is forced off in the
values deployed); pause, resume and restore take the same lock as a deploy. A rollback may
hand over its target already locked, with its bot started early and waiting for go
(`ci.deploy.early`): everything here is decided again, and that bot is kept only if it is
exactly the one this would start.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ci.core import actions, botenv, git, proc, runtime, settings
from ci.core.config import Config
from ci.core.errors import CiError, GitError, RefusedError
from ci.core.profile import KillSwitch
from ci.deploy import envfile, rollback, tags
from ci.deploy.targets.interface import Release, Target
from ci.deploy.targets.registry import open_target
from logsafe import is_secret_name


class DeployFailed(RefusedError):
    """The new release was unhealthy; the previous one is live again (or nothing runs)."""


class MissingVariable(RefusedError):
    """A variable the environment requires is not set."""


@dataclass(frozen=True)
class Outcome:
    tag: str
    release: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def environment_values(config: Config, env: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The bot's environment for `env`: the very settings the card shows and the checklist
    checked (one resolver, `ci.core.settings.resolve`), or a refusal naming what is missing."""
    found = settings.resolve(config, env, environ)
    missing = found.missing()
    if missing:
        raise MissingVariable(
            f"{env}: required variable {missing[0]} is not set"
            + (f" (nor {', '.join(missing[1:])})" if missing[1:] else "")
        )
    return found.deployed()


@dataclass
class Deployer:
    root: Path
    config: Config
    env: str
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    # The target already opened (and locked) by a rollback that started its bot early.
    opened: InitVar[Target | None] = None
    target: Target = field(init=False)
    # Lines for the operator, printed by the CLI (even when the command then fails).
    notes: list[str] = field(init=False, default_factory=list)

    def __post_init__(self, opened: Target | None) -> None:
        settings.environment(self.config, self.env)
        self.target = (
            opened if opened is not None else open_target(self.config, self.env, self.environ)
        )

    # -- deploy --------------------------------------------------------------------------
    def deploy(self, sha: str, *, checklist: Path, approver: str, push: bool) -> Outcome:
        """Deploy `sha` from a checklist verified now."""
        sha = git.output(self.root, "rev-parse", "--verify", f"{sha}^{{commit}}").strip()
        return self._go_live(sha, self._verify(checklist, sha), approver=approver, push=push)

    def _go_live(
        self,
        sha: str,
        digest: str,
        *,
        approver: str,
        push: bool,
        rolled_back_from: str | None = None,
        env_values: dict[str, str] | None = None,
        when: datetime | None = None,
        prune: bool = True,
    ) -> Outcome:
        """Make commit `sha` live, `digest` naming the checklist verified for it; its tag and
        release are named by `when` (default: now); with `prune`, releases beyond
        `keep_releases` go."""
        values = env_values if env_values is not None else self._values(sha)
        actions.mask((v for n, v in values.items() if v and is_secret_name(n)), self.environ)
        tag = tags.tag_name(self.env, sha, when or datetime.now(UTC))
        release = Release(tags.release_id(tag), sha, self.env, envfile.digest(values))
        with self.target.lock(sha=sha, message=f"deploy {tag} by {approver}"):
            self._finish_interrupted()
            values = self._kill_switch_held(values)
            python = self._interpreter(sha)  # before anything live is touched
            release = Release(release.id, sha, self.env, envfile.digest(values), python)
            previous = self.target.live()
            self.target.backup_state(release.id)
            reuse = self._release_of(sha)
            tree = b"" if reuse else self._tree(sha)
            self.target.prepare(release, tree, values, reuse=reuse)
            self._hook("pre_deploy", self.config.deploy.pre_deploy, release)
            if prune:
                self._prune(release.id, previous)
            self._switch(release, previous)
            self._tag(tag, sha, digest, approver, rolled_back_from, push)
            self.target.record(
                "success",
                tag=tag,
                release=release.id,
                sha=sha,
                approver=approver,
                checklist_digest=digest,
                rolled_back_from=rolled_back_from,
                run=actions.run_url(self.environ),
            )
        self._hook("post_deploy", self.config.deploy.post_deploy, release)
        return Outcome(tag, release.id)

    def _verify(self, checklist: Path, sha: str) -> str:
        # Here: a rollback verifies no checklist, and need not load the checklist package.
        from ci.checklist import hmac_key_from, required_items, signing_required, verify_file

        try:
            verified = verify_file(
                checklist,
                sha=sha,
                env=self.env,
                hmac_key=hmac_key_from(self.environ),
                required=required_items(self.config.checklist.gates),
                require_signature=signing_required(self.config.environments[self.env]),
            )
        except RefusedError as exc:
            self.target.record("refused", sha=sha, reason=str(exc))
            raise
        return verified.digest

    def _values(self, sha: str) -> dict[str, str]:
        try:
            return environment_values(self.config, self.env, self.environ)
        except RefusedError as exc:
            self.target.record("refused", sha=sha, reason=str(exc))
            raise

    def _interpreter(self, sha: str) -> str:
        """The interpreter the release of `sha` runs under: with `[tool.bottie] python` unset
        or relative, the environment built on the target from that commit's own lock
        (`[tool.bottie.audit] requirements`, what the audit gate checked), or the one already
        built from the same lock; "" for the target's own otherwise (an absolute setting: an
        environment the operator keeps on the host; with the setting unset, a commit with
        none of the lock files). A lock that does not install refuses, in one line naming it."""
        if not botenv.built_by_deploy(self.config.python, self.environ):
            return ""
        files = list(self.config.audit.requirements)
        lock = self._lock_at(sha, files)
        named = ", ".join(files) or "(none)"
        if not lock and not botenv.configured(self.config.python, self.environ):
            return ""  # no lock of its own: nothing to build it from (the audit gate says so)
        missing = [name for name in files if name not in lock] or ([] if files else ["(none)"])
        try:
            if missing:
                raise RefusedError(f"{missing[0]} is not in that commit")
            built = self.target.environment(lock)
        except (CiError, OSError) as exc:
            reason = (
                f"the environment of {sha[:12]} could not be built from its lock {named} "
                f"([tool.bottie.audit] requirements): {exc}; nothing live was touched"
            )
            self.target.record("refused", sha=sha, reason=reason)
            raise RefusedError(reason) from None
        if built is None:
            return ""
        if built.built:
            self.notes.append(f"built the environment of {sha[:12]} from {named}: {built.python}")
        return built.python

    def _lock_at(self, sha: str, files: list[str]) -> dict[str, str]:
        """Those of `files` that commit `sha` has: path -> content, as committed."""
        found: dict[str, str] = {}
        for name in files:
            try:
                found[name] = git.output(
                    self.root, "cat-file", "blob", f"{sha}:{name}", verbatim=True
                )
            except GitError:
                continue  # not in that commit
        return found

    def _kill_switch_held(self, values: dict[str, str]) -> dict[str, str]:
        """A paused environment stays paused: the kill switch goes out off."""
        if self.target.paused() is None:
            return values
        switch = self._switch_of_profile()
        return {**values, switch.name: switch.off}

    def _release_of(self, sha: str) -> str | None:
        """A release of this very commit already on the target (a rollback's), if any."""
        for entry in reversed(self.target.history()):
            if entry.get("outcome") == "success" and entry.get("sha") == sha:
                release = str(entry.get("release"))
                if release in self.target.releases():
                    return release
        return None

    def _tree(self, sha: str) -> bytes:
        # git archive as bytes: a tree may hold binaries.
        done = subprocess.run(
            ["git", "archive", "--format=tar", sha],
            cwd=self.root,
            capture_output=True,
            check=False,
            timeout=300,
        )
        if done.returncode != 0:
            raise CiError(f"git archive {sha[:12]} failed (exit {done.returncode})")
        return done.stdout

    def _switch(self, release: Release, previous: str | None) -> None:
        """Make `release` live and healthy, or put `previous` back and say so.

        A `switching` entry goes to the deploy log first: if this process dies before the
        outcome is recorded, the next command that takes the lock undoes the switch."""
        self.target.record("switching", release=release.id, sha=release.sha, previous=previous)
        try:
            self.target.activate(release.id)
            problem = self._health_problem()
        except (CiError, OSError) as exc:
            problem = str(exc)
        except BaseException:
            self._switch_back(previous, release, "interrupted")
            raise
        if problem:
            self._switch_back(previous, release, problem)

    def _finish_interrupted(self) -> None:
        """Undo a switch whose deploy died before it recorded an outcome (SIGKILL, a lost
        runner): the previous release goes live again, or the unverified bot is stopped."""
        history = self.target.history()
        last = history[-1] if history else {}
        if last.get("outcome") != "switching":
            return
        release, previous = str(last.get("release")), last.get("previous")
        reason = f"the deploy of {release} was interrupted before its health was known"
        if isinstance(previous, str) and previous:
            state = self._back_to(previous)
        else:
            self.target.stop()
            state = "nothing runs"
        self.target.record("recovered", release=release, back_to=previous, reason=reason)
        self.notes.append(f"{reason}: switched back to {previous or 'nothing'}; {state}")

    def _back_to(self, previous: str) -> str:
        """Make `previous` live again; how it is doing, in words."""
        try:
            self.target.activate(previous)
            again = self._health_problem()
        except (CiError, OSError) as exc:
            again = str(exc)
        return "serves again" if again is None else f"is unhealthy too: {again}"

    def _health_problem(self) -> str | None:
        health = self.target.health()
        if not health.ok:
            return health.detail
        expected = self.config.environments[self.env].network
        if health.network != expected:
            return f"the bot reports network {health.network!r}, but {self.env} is {expected}"
        return None

    def _switch_back(self, previous: str | None, release: Release, problem: str) -> None:
        self.target.record("failed", release=release.id, sha=release.sha, reason=problem)
        if previous is None:
            self.target.stop()
            raise DeployFailed(
                f"deploy failed: {problem}; there was no earlier release, so nothing runs"
            )
        state = self._back_to(previous)
        self.target.record("switched-back", release=previous, reason=problem, health=state)
        raise DeployFailed(f"deploy failed: {problem}; rolled back to {previous}, which {state}")

    def _hook(self, name: str, command: list[str], release: Release) -> None:
        """Run a deploy hook with only what it needs: no secrets, no tokens."""
        if not command:
            return
        env = runtime.trimmed_env() | {
            "BOTTIE_ENV": self.env,
            "BOTTIE_RELEASE": release.id,
            "BOTTIE_SHA": release.sha,
        }
        # Under the lock (pre_deploy), the hook inherits the descriptor holding it: a deploy
        # killed while its hook runs leaves the lock held until the hook ends too, so no next
        # deploy (and no second hook) starts beside the one still running.
        held = self.target.lock_descriptor()
        keep = () if held is None else (held,)
        result = proc.run(command, cwd=self.root, timeout=600, env=env, keep_fds=keep)
        if not result.ok:
            self.target.record(
                "refused", release=release.id, reason=f"{name} hook: {result.describe()}"
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

    def _prune(self, new: str, previous: str | None) -> None:
        """Old releases beyond `keep_releases` go while the new one starts (the target deletes
        them beside the switch). Kept whatever the outcome: the new release, the previous one,
        and the release a rollback would return to with either of them live."""
        good = rollback.good_releases(self.target.history())
        protected = {new, previous or ""}
        for live in (new, previous):
            protected |= {next((e["release"] for e in good if e["release"] != live), "")}
        releases = self.target.releases()
        for release_id in releases[: max(0, len(releases) - self.config.deploy.keep_releases)]:
            if release_id not in protected:
                self.target.remove(release_id)

    # -- rollback ------------------------------------------------------------------------
    def rollback(
        self,
        to: str | None,
        *,
        approver: str,
        push: bool,
        current_env: bool = False,
        when: datetime | None = None,
    ) -> Outcome:
        live = self.target.live()
        live_tag = f"{tags.PREFIX}/{self.env}/{live}" if live else None
        target = rollback.target(self.target.history(), self.root, self.env, to, live)
        if current_env:
            values, notes = None, self._env_changes(target)
        else:
            values, notes = self._release_env(target), ()
        # The release's own verified checklist carries over; its commit is the one its tag
        # here points at (`rollback.target` checked), so it needs no resolving again.
        digest = str(target.get("checklist_digest", ""))
        if not digest.startswith("sha256:"):
            raise RefusedError(f"{target['tag']}: no verified checklist to carry over")
        outcome = self._go_live(
            target["sha"],
            digest,
            approver=approver,
            push=push,
            rolled_back_from=live_tag,
            env_values=values,
            when=when,
            prune=False,  # its release is links to one already here; the next deploy prunes
        )
        if live_tag:
            self.target.record(
                "marked-bad", tag=live_tag, release=live, reason=f"rolled back to {target['tag']}"
            )
        if live:
            notes += (
                f"the state as it was before {live} went live is kept: "
                f"`python -m ci restore {self.env} --from {live}` puts it back",
            )
        return Outcome(outcome.tag, outcome.release, notes)

    def _release_env(self, target: dict[str, Any]) -> dict[str, str]:
        """The environment `target` ran with: its own non-secret values, and today's secrets
        where they are the very ones it had (by hash). Refuses, naming them, otherwise."""
        release = self.target.release(target["release"])
        own = self.target.release_env(target["release"])
        if release is None or own is None:
            raise RefusedError(
                f"{target['tag']}: its environment is not on this target; "
                "use --with-current-env to redeploy it with today's"
            )
        today = environment_values(self.config, self.env, self.environ)
        then = release.env_digest
        differ = sorted(
            n
            for n in then
            if is_secret_name(n) and envfile.digest({n: today.get(n, "")})[n] != then[n]
        )
        if differ:
            raise RefusedError(
                f"cannot redeploy {target['tag']} with its own environment: "
                f"{', '.join(differ)} differ from the secrets available now "
                "(use --with-current-env to redeploy with today's)"
            )
        return {n: today[n] if is_secret_name(n) else own.get(n, "") for n in then}

    def _env_changes(self, target: dict[str, Any]) -> tuple[str, ...]:
        release = self.target.release(target["release"])
        if release is None:
            return ("the release's environment digest is gone: redeploying with today's values",)
        now = envfile.digest(environment_values(self.config, self.env, self.environ))
        then = release.env_digest
        changed = sorted(n for n in set(then) | set(now) if then.get(n) != now.get(n))
        if not changed:
            return ()
        return (
            f"variables that differ from {target['tag']}: {', '.join(changed)} "
            "(redeploying with today's values)",
        )

    # -- pause, resume, restore -------------------------------------------------------------
    def _switch_of_profile(self) -> KillSwitch:
        switch = self.config.profile.kill_switch
        if switch is None:
            raise RefusedError(
                "the bot profile names no kill switch ([tool.bottie.profile] kill_switch): "
                "nothing here can stop it trading"
            )
        return switch

    def pause(self) -> None:
        switch = self._switch_of_profile()
        with self.target.lock(sha="", message=f"pause {self.env}"):
            self._finish_interrupted()
            live = self._live_or_refuse("pause")
            values = self.target.release_env(live) or {}
            if self.target.paused() is None:
                self.target.set_paused(values.get(switch.name, switch.off))
            self.target.write_env(live, {**values, switch.name: switch.off})
            self.target.restart()
            self.target.record("paused", release=live)
            self._after_restart("paused", expect_trading=False)

    def resume(self) -> str:
        switch = self._switch_of_profile()
        with self.target.lock(sha="", message=f"resume {self.env}"):
            self._finish_interrupted()
            before = self.target.paused()
            if before is None:
                raise RefusedError(f"{self.env} is not paused")
            live = self._live_or_refuse("resume")
            values = self.target.release_env(live) or {}
            before = before or switch.off
            self.target.write_env(live, {**values, switch.name: before})
            self.target.set_paused(None)
            self.target.restart()
            self.target.record("resumed", release=live, trade_enabled=before)
            self._after_restart("resumed", expect_trading=None)
            return before

    def restore(self, release_id: str | None) -> str:
        with self.target.lock(sha="", message=f"restore {self.env}"):
            self._finish_interrupted()
            backups = self.target.backups()
            chosen = release_id if release_id in backups else None
            if release_id is None and backups:
                chosen = backups[-1]
            if chosen is None:
                what = f"no state backup {release_id} " if release_id else "no state backup "
                raise RefusedError(f"{what}for {self.env}")
            self._live_or_refuse("restore")
            self.target.restore_state(chosen)
            self.target.restart()
            self.target.record("restored", backup=chosen)
            self._after_restart("restored", expect_trading=None)
            return chosen

    def _live_or_refuse(self, what: str) -> str:
        live = self.target.live()
        if live is None or self.target.release_env(live) is None:
            raise RefusedError(f"{self.env}: nothing deployed here to {what}")
        return live

    def _after_restart(self, what: str, *, expect_trading: bool | None) -> None:
        problem = self._health_problem()
        if problem:
            raise CiError(f"{self.env} {what}, but the bot is not healthy: {problem}")
        if expect_trading is False:
            self._prove_stopped()

    def _prove_stopped(self) -> None:
        """`pause` proves trading stopped from the bot's own report, or fails loudly."""
        health = self.target.health()
        field_name = self.config.profile.probes.status_field
        reported = (health.body or {}).get(field_name)
        if reported is not False:
            raise CiError(
                f"{self.env} paused ({self._switch_of_profile().name} is off in its "
                f"environment), but the bot does not report {field_name}: false on "
                f"{self.config.profile.probes.health} (it says {reported!r}): check that it "
                "stopped trading"
            )
