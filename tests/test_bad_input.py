"""Bad input gets one line naming the thing and the documented exit code: never a traceback
(exit 4 is for bugs), never a silent success, and nothing created. What the commands decide
runs in this process (`invoke_ci`); a real process where the interpreter itself matters (a
document nested deep enough to exhaust the stack) and for one deploy."""

from __future__ import annotations

import os
from pathlib import Path

from ci.core.errors import ExitCode
from tests.helpers import EXAMPLE_BOT_TOML, CliResult, Repo, invoke_ci, run_ci


def one_line(result: CliResult) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_checklist_nested_too_deep_is_refused(repo: Repo, tmp_path: Path) -> None:
    deep = tmp_path / "checklist.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = run_ci(
        "checklist", "verify", str(deep), "--sha", "0" * 40, "--env", "testnet", cwd=repo.path
    )
    assert result.code == ExitCode.FAILED
    assert one_line(result).endswith("malformed: nested too deep to be a checklist")


def test_a_results_dir_that_is_a_file(repo: Repo) -> None:
    repo.write("results", "not a folder")
    repo.commit()
    result = invoke_ci("run", "env", "--results-dir", "results", cwd=repo.path)
    assert result.code == ExitCode.ERROR
    assert "results: cannot write there" in one_line(result)


def test_checklist_output_that_is_a_directory(repo: Repo) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    repo.commit()
    (repo.path / "out").mkdir()
    result = invoke_ci("checklist", "build", "--env", "testnet", "-o", "out", cwd=repo.path)
    assert result.code == ExitCode.USAGE
    assert one_line(result) == "error: -o out: is a directory; name the file to write"


def test_a_result_file_that_is_a_directory(repo: Repo) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    repo.commit()
    (repo.path / ".ci-results" / "tests.json").mkdir(parents=True)
    result = invoke_ci(
        "checklist", "build", "--env", "testnet", "--results-dir", ".ci-results", cwd=repo.path
    )
    assert result.code == ExitCode.ERROR
    assert "tests.json: cannot read it" in one_line(result)


def test_a_pyproject_that_is_a_directory_is_not_silently_the_defaults(repo: Repo) -> None:
    (repo.path / "pyproject.toml").mkdir()
    result = invoke_ci("card", "--env", "testnet", cwd=repo.path)
    assert result.code == ExitCode.ERROR
    assert one_line(result).startswith("error: pyproject.toml: cannot read it")


def test_a_tool_key_that_is_not_a_table_is_one_line(repo: Repo) -> None:
    repo.write("pyproject.toml", "tool = 1\n")
    result = invoke_ci("run", "lint", cwd=repo.path)
    assert result.code == ExitCode.ERROR
    assert one_line(result) == "error: pyproject.toml: [tool]: should be a table"


def test_a_port_out_of_range_names_the_field(repo: Repo) -> None:
    repo.write("pyproject.toml", "[tool.bottie.deploy]\nports = { testnet = 99999 }\n")
    result = invoke_ci("status", "testnet", cwd=repo.path)
    assert result.code == ExitCode.ERROR
    assert "[tool.bottie.deploy.ports.testnet]" in one_line(result)


def test_an_empty_app_command_deploys_nothing(repo: Repo, tmp_path: Path) -> None:
    repo.write("pyproject.toml", "[tool.bottie.app]\ncommand = []\n")
    repo.commit()
    env = {"BOTTIE_DEPLOY_ROOT": str(tmp_path / "root")}
    result = run_ci("deploy", "testnet", cwd=repo.path, env=env)
    assert result.code == ExitCode.ERROR
    assert (
        one_line(result) == "error: no app command in [tool.bottie.app] command: nothing to deploy"
    )
    assert not (tmp_path / "root").exists()


def test_an_environment_named_like_a_path_escapes_nothing(repo: Repo, tmp_path: Path) -> None:
    repo.write(
        "pyproject.toml",
        EXAMPLE_BOT_TOML + '[tool.bottie.environments."../../etc"]\nnetwork = "testnet"\n',
    )
    root = tmp_path / "deploy" / "root"
    result = invoke_ci("history", "../../etc", cwd=repo.path, env={"BOTTIE_DEPLOY_ROOT": str(root)})
    assert result.code == ExitCode.ERROR
    assert "must be lower-case letters, digits, - or _" in one_line(result)
    assert not (tmp_path / "etc").exists() and not root.exists()


def test_read_only_commands_create_nothing(repo: Repo, tmp_path: Path) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    root = tmp_path / "root"
    env = {"BOTTIE_DEPLOY_ROOT": str(root)}
    assert invoke_ci("history", "testnet", cwd=repo.path, env=env).code == ExitCode.OK
    status = invoke_ci("status", "testnet", cwd=repo.path, env=env)
    assert (status.code, status.stdout.strip()) == (
        ExitCode.OK,
        "testnet: nothing deployed yet (no deploy tag, no switch in its deploy log)",
    )
    assert not root.exists()


def test_incident_logs_that_do_not_exist(repo: Repo, tmp_path: Path) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    repo.commit()
    missing = tmp_path / "no-such-logs"
    result = invoke_ci("incident", "snapshot", "testnet", "--logs", str(missing), cwd=repo.path)
    assert result.code == ExitCode.USAGE
    assert "no-such-logs" in one_line(result)


def test_a_binary_deploy_log_is_snapshotted_not_a_crash(repo: Repo, tmp_path: Path) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    repo.commit()
    log = tmp_path / "deploy-log.jsonl"
    log.write_bytes(os.urandom(256).replace(b"\n", b""))
    logs = tmp_path / "logs"
    logs.mkdir()
    out = tmp_path / "snap.tar.gz"
    result = invoke_ci(
        "incident", "snapshot", "testnet", "-o", str(out), "--logs", str(logs),
        "--deploy-log", str(log), cwd=repo.path,
    )  # fmt: skip
    assert result.code in (ExitCode.OK, ExitCode.FAILED), result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
