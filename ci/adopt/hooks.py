"""The commit hook, defined once: `ci init` writes it for a bot, calling `bottie-ci`, and this
repository's own `.pre-commit-config.yaml` is the same hook calling `python -m ci`
(tests/adopt/test_hooks.py holds it to this).

One hook, `bottie`, runs `hook all` (`ci.commands.hook_all`): gitleaks and the seed detector on
the staged changes, ruff with its cache on the staged Python files, and the env gate, at once
in one process. It runs the installed pipeline directly (`language: unsupported`, pre-commit
4.4's name for `system`: no environment to build, nothing fetched, offline).

What pre-commit does with these keys (pre-commit 4.x, `pre_commit/commands/run.py`,
`lang_base.run_xargs`, `xargs.partition`), which the hook relies on:
- `types: [python]`: the files passed are the staged files (with `--all-files`, every file in
  git's index; a deleted one never) that are Python by extension or shebang. Only the lint part
  reads them; the secrets part scans the staged changes and the env part the tree, whatever is
  passed.
- `always_run: true`: the hook runs when no such file is staged too, then with no file: a
  commit of a README is still scanned for secrets.
- `require_serial: true`: one invocation at a time. Without it pre-commit splits a list of
  more than 4 files into up to one part a CPU and runs the parts at once: the secrets and env
  parts would run beside themselves. With it, the list is split only where a command line
  would pass 128 KiB (`--all-files` on thousands of files); the invocations then run one after
  another, each running every part, and pre-commit prints every one's output and fails the
  hook with the worst exit code: a split repeats the secrets and env parts, and loses no result.
- `SKIP` (hook ids, comma-separated): pre-commit skips a hook whose id is listed, and hands
  SKIP to the hooks it runs, so `SKIP=bottie` skips the whole hook and the hook itself skips a
  part listed by its own id (`bottie-secrets`, `bottie-lint`, `bottie-env`: the ids of the
  three hooks configs had before, which keep meaning the same).
- `verbose: true`: pre-commit shows a hook's output only when it fails, unless verbose; the
  hook prints one line a part (passed, failed and why, could not run, skipped), so that a
  skipped part is seen on a commit that passes.

The separate entries (`hook secrets`, `hook lint`, `hook env`) stay for configs that call them.
"""

from __future__ import annotations

MINIMUM_PRE_COMMIT = "4.4.0"  # the first with `language: unsupported`

HOOK_ID = "bottie"
_NAME = "bottie (secrets, lint, env on what is staged)"
_KEYS = ("types: [python]", "always_run: true", "require_serial: true", "verbose: true")


def pre_commit_config(entry: str, header: str) -> str:
    """The whole `.pre-commit-config.yaml`; `entry` starts the pipeline (`bottie-ci`)."""
    lines = [*(f"# {line}".rstrip() for line in header.splitlines())]
    lines += [f'minimum_pre_commit_version: "{MINIMUM_PRE_COMMIT}"', "repos:", "  - repo: local"]
    lines += ["    hooks:", f"      - id: {HOOK_ID}", f"        name: {_NAME}"]
    lines += [f"        entry: {entry} hook all", "        language: unsupported"]
    lines += [f"        {key}" for key in _KEYS]
    return "\n".join(lines) + "\n"
