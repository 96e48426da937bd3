"""The CLI's contract: one clear line and a documented exit code, never a traceback.

What a command answers is asked in this process (invoke_ci; tests/test_in_process.py holds it
to a real process's answers); a real `python -m ci` where the process is the point: its output
to a pipe and to a terminal's width, a secret in its environment, its imports at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click

from ci.core.errors import ExitCode
from tests.helpers import (
    PROJECT_ROOT,
    Repo,
    heavy_imports_of_a_run,
    heavy_imports_of_two_runs,
    invoke_ci,
    run_ci,
)


def test_list_names_every_gate(repo: Repo) -> None:
    from ci.gates import GATES

    result = invoke_ci("run", "--list", cwd=repo.path)
    assert result.code == ExitCode.OK
    for name in GATES:
        assert name in result.stdout


def test_unknown_gate_lists_valid_ones(repo: Repo) -> None:
    result = invoke_ci("run", "nope", cwd=repo.path)
    assert result.code == ExitCode.USAGE
    assert result.stderr.strip().splitlines()[0] == (
        "error: unknown gate 'nope'; valid gates: " + ", ".join(__import__("ci.gates").gates.GATES)
    )
    assert "Traceback" not in result.stderr


def test_not_a_git_repository(tmp_path: Path) -> None:
    result = invoke_ci("run", "lint", cwd=tmp_path)
    assert result.code == ExitCode.ERROR
    assert "not a git repository" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_config_names_the_field_not_the_value(repo: Repo) -> None:
    repo.write("pyproject.toml", '[tool.bottie.tests]\nfail_under = "sk-live-SECRETVALUE"\n')
    result = invoke_ci("run", "lint", cwd=repo.path)
    assert result.code == ExitCode.ERROR
    assert "[tool.bottie.tests.fail_under]" in result.stderr
    assert "SECRETVALUE" not in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_config_key_is_refused(repo: Repo) -> None:
    repo.write("pyproject.toml", "[tool.bottie]\nresults_dri = 'x'\n")
    result = invoke_ci("run", "lint", cwd=repo.path)
    assert result.code == ExitCode.ERROR
    assert "results_dri" in result.stderr


def test_invalid_toml_is_one_line(repo: Repo) -> None:
    repo.write("pyproject.toml", "[tool.bottie\n")
    result = invoke_ci("run", "lint", cwd=repo.path)
    assert result.code == ExitCode.ERROR
    assert len(result.stderr.strip().splitlines()) == 1


def test_json_output_and_results_dir(repo: Repo) -> None:
    repo.write("bot/calc.py", "import os\n")
    result = invoke_ci("run", "lint", "--json", cwd=repo.path)
    assert result.code == ExitCode.FAILED
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["gates"][0]["gate"] == "lint"
    saved = json.loads((repo.results / "lint.json").read_text())
    assert saved["status"] == "failed"


def test_output_to_a_pipe_is_plain_unwrapped_lines(repo: Repo) -> None:
    # A hook's or a CI log's reader follows file:line; a terminal's width must not split it.
    name = "bot/a_rather_long_module_name_for_a_bot_that_trades_on_two_exchanges.py"
    repo.write(name, "import os\n")
    result = run_ci("run", "lint", cwd=repo.path, env={"COLUMNS": "40"})
    assert result.code == ExitCode.FAILED
    lines = result.stdout.splitlines()
    assert lines[0].startswith(" failed lint ") and lines[0].endswith(
        "  1 problem(s) (the pipeline's ruff)"
    )
    assert lines[1] == f"    {name}:1: [F401] `os` imported but unused"
    assert lines[2:4] == ["gates", "gate  status  time  summary"]
    assert lines[4].startswith("lint  failed  ") and len(lines) == 5
    assert "\x1b" not in result.stdout


def test_github_actions_gets_annotations_and_summary(repo: Repo, tmp_path: Path) -> None:
    repo.write("bot/calc.py", "import os\n")
    summary = tmp_path / "summary.md"
    result = invoke_ci(
        "run",
        "lint",
        cwd=repo.path,
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.code == ExitCode.FAILED
    assert "::error file=bot/calc.py,line=1,title=lint%3A F401::" in result.stdout
    assert "| lint | ❌ failed |" in summary.read_text()


def test_secret_in_environment_never_reaches_the_terminal(repo: Repo) -> None:
    secret = "zq9TopSecretValue0042"
    repo.write("pyproject.toml", f'[tool.bottie]\nresults_dir = "{secret}/x"\nnope = 1\n')
    result = run_ci("run", "lint", cwd=repo.path, env={"BINANCE_API_SECRET": secret})
    assert result.code == ExitCode.ERROR
    assert secret not in result.stderr + result.stdout


def test_help_lists_each_command_with_its_own_summary(tmp_path: Path) -> None:

    from ci.cli_group import _COMMANDS, cli

    ctx = click.Context(cli)
    for name, (_, _, summary) in _COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        assert command.name == name
        assert (command.help or "").split("\n\n")[0].strip() == summary
    result = run_ci("--help", cwd=tmp_path, env={"COLUMNS": "80"})
    assert result.code == ExitCode.OK
    assert "  run        Run the chosen GATES (default: all) and exit 0 only if all..." in (
        result.stdout.splitlines()
    )


def test_a_mistyped_command_gets_a_suggestion(tmp_path: Path) -> None:
    result = invoke_ci("rn", cwd=tmp_path)
    assert result.code == ExitCode.USAGE
    assert result.stderr.strip() == "error: No such command 'rn'. Did you mean 'run'?"


def test_help_and_list_start_without_the_heavy_libraries(repo: Repo) -> None:
    # A pre-commit hook and a user's `--help` should not wait for the network and model
    # libraries that only running a gate or a deploy needs.
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['ci', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('ci', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'httpx', 'pydantic', 'rich', 'yaml', 'defusedxml'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    for args in (["--help"], ["run", "--list"], ["run", "--help"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *args],
            cwd=repo.path,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.strip().splitlines()[-1] == "[]", args


def test_run_with_no_option_is_run_at_the_defaults_click_would_give() -> None:
    # `ci.cli` calls `run.run(GATES)` without click when no option is given: click's own
    # parse of the same words must give the same call, so that the two cannot drift apart.
    import inspect

    from ci.commands import run
    from ci.commands.run_cli import run_command

    parsed = run_command.make_context("run", ["lint", "env"]).params
    assert parsed.pop("gates") == ("lint", "env")
    assert parsed.pop("list_only") is False
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(run.run).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert parsed == defaults


def test_the_commit_hooks_and_run_without_options_do_not_import_click(repo: Repo) -> None:
    repo.write("bot/calc.py", "VALUE = 1\n")
    repo.write(".env.example", "")
    repo.write(".gitignore", ".env\n")
    repo.commit()
    # The first run remembers the repository's config; every run after it is what a commit
    # sees: each command once more (a command that warmed something of its own in a first
    # run would import click here, and fail).
    printed = heavy_imports_of_two_runs(repo.path, ["run", "lint"], {"click"})
    assert printed[1] == ["exit 0", "[]"]
    hooks = (["hook", "lint", "bot/calc.py"], ["hook", "env"], ["hook", "all", "bot/calc.py"])
    for argv in hooks:
        assert heavy_imports_of_a_run(repo.path, argv, {"click"}) == ["exit 0", "[]"], argv
    printed_json = heavy_imports_of_a_run(repo.path, ["run", "--json", "lint"], {"click"})
    assert printed_json == ["exit 0", "['click']"]  # an option: click parses it


def test_hook_arguments_are_checked_as_click_would(repo: Repo) -> None:
    repo.write(".env.example", "")
    repo.write(".gitignore", ".env\n")
    repo.commit()
    refused = invoke_ci("hook", "secrets", "extra", cwd=repo.path)
    assert refused.code == ExitCode.USAGE
    assert refused.stderr == "error: hook secrets takes no argument, not 'extra'\n"
    assert invoke_ci("hook", "lint", "--fix", cwd=repo.path).code == ExitCode.USAGE
    assert invoke_ci("hook", "all", "--fix", cwd=repo.path).code == ExitCode.USAGE
    assert invoke_ci("hook", "nope", cwd=repo.path).code == ExitCode.USAGE
    helped = invoke_ci("hook", "--help", cwd=repo.path)
    assert helped.code == ExitCode.OK
    assert [line.split()[0] for line in helped.stdout.splitlines()[-4:]] == [
        "all",
        "secrets",
        "lint",
        "env",
    ]
    # After click's own option (-C), the hook still parses its arguments itself.
    assert invoke_ci("-C", str(repo.path), "hook", "env", cwd=repo.path.parent).code == 0
