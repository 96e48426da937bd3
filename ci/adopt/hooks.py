"""The commit hooks, defined once: `ci init` writes them for a bot, calling `bottie-ci`, and
this repository's own `.pre-commit-config.yaml` is the same hooks calling `python -m ci`
(tests/adopt/test_hooks.py holds it to this).

Each hook runs the installed pipeline directly (`language: unsupported`, pre-commit 4.4's
name for `system`: no environment to build, nothing fetched, offline) on what is staged:
gitleaks and the seed detector on the staged changes, ruff with its cache on the staged
Python files only (pre-commit passes their names), and the env gate.
"""

from __future__ import annotations

MINIMUM_PRE_COMMIT = "4.4.0"  # the first with `language: unsupported`

# (id, name, arguments after the entry point, keys that choose the files)
_HOOKS = (
    (
        "bottie-secrets",
        "secrets (gitleaks on staged changes)",
        "hook secrets",
        ("pass_filenames: false", "always_run: true"),
    ),
    ("bottie-lint", "lint (ruff check + format, staged files)", "hook lint", ("types: [python]",)),
    (
        "bottie-env",
        "env (.env ignored, .env.example current)",
        "hook env",
        ("pass_filenames: false", "always_run: true"),
    ),
)


def pre_commit_config(entry: str, header: str) -> str:
    """The whole `.pre-commit-config.yaml`; `entry` starts the pipeline (`bottie-ci`)."""
    lines = [*(f"# {line}".rstrip() for line in header.splitlines())]
    lines += [f'minimum_pre_commit_version: "{MINIMUM_PRE_COMMIT}"', "repos:", "  - repo: local"]
    lines.append("    hooks:")
    for hook_id, name, args, files in _HOOKS:
        lines += [f"      - id: {hook_id}", f"        name: {name}"]
        lines += [f"        entry: {entry} {args}", "        language: unsupported"]
        lines += [f"        {key}" for key in files]
    return "\n".join(lines) + "\n"
