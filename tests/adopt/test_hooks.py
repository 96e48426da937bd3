"""The commit hook is defined once (ci/adopt/hooks.py): what `ci init` writes for a bot and
this repository's own hook differ only in how they start the pipeline."""

from __future__ import annotations

import yaml

from ci.adopt.files import PRE_COMMIT_TEXT
from ci.adopt.hooks import pre_commit_config
from tests.helpers import PROJECT_ROOT


def hooks(text: str) -> list[dict[str, object]]:
    document = yaml.safe_load(text)
    assert document["minimum_pre_commit_version"] == "4.4.0"  # `language: unsupported`
    [local] = document["repos"]
    assert local["repo"] == "local"  # nothing fetched: the installed pipeline runs
    found: list[dict[str, object]] = local["hooks"]
    return found


def test_this_repository_runs_the_hooks_a_bot_gets() -> None:
    ours = (PROJECT_ROOT / ".pre-commit-config.yaml").read_text()
    assert hooks(ours) == hooks(pre_commit_config("python -m ci", ""))
    adopters = [
        {**h, "entry": str(h["entry"]).replace("bottie-ci", "python -m ci")}
        for h in hooks(PRE_COMMIT_TEXT)
    ]
    assert adopters == hooks(ours)


def test_one_hook_runs_every_part_on_the_staged_python_files() -> None:
    # pre-commit passes the staged Python files' names (a whole-repository lint would cost every
    # commit), runs the hook when there are none (secrets and env still check), never beside
    # itself (the secrets and env parts would run twice at once), and shows its part lines.
    [hook] = hooks(PRE_COMMIT_TEXT)
    assert hook["id"] == "bottie" and hook["entry"] == "bottie-ci hook all"
    assert hook["types"] == ["python"] and "pass_filenames" not in hook
    assert hook["always_run"] is True and hook["require_serial"] is True
    assert hook["verbose"] is True


def test_every_hook_calls_the_installed_pipeline() -> None:
    for hook in hooks(PRE_COMMIT_TEXT):
        assert hook["language"] == "unsupported"
        assert str(hook["entry"]).startswith("bottie-ci ")
