"""GitHub Actions I/O (ci.core.actions): workflow commands written as the runner reads them,
the job summary and step outputs appended to the files it names, the run's URL.

The runner is a service we cannot run here: its decoding of a command's data is written out
below from actions/runner's ActionCommand (TryParseV2 and UnescapeData), and each command
is checked to come back through it as meant."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ci.core import actions

ON = {"GITHUB_ACTIONS": "true"}


def runner_data(command: str) -> str:
    """What the runner takes as a workflow command's data: after the second `::`, with
    `%0D`, `%0A` and `%25` turned back, in that order (actions/runner UnescapeData)."""
    data = command.split("::", 2)[2]
    return data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def runner_property(text: str) -> str:
    """A property's value as the runner decodes it (UnescapeProperty)."""
    for token, code in (("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25")):
        text = text.replace(code, token)
    return text


@pytest.mark.parametrize(("value", "on"), [("true", True), ("True", False), ("1", False)])
def test_only_githubs_own_value_means_actions(value: str, on: bool) -> None:
    assert actions.active({"GITHUB_ACTIONS": value}) is on
    assert actions.active({}) is False


def test_outside_actions_nothing_is_masked() -> None:
    out = io.StringIO()
    actions.mask(["s3cr3t-value"], {}, out)
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    "secret",
    ["plain-secret-value", "p%25ssw0rd", "line%0Afeed", "cr%0Dhere", "100%", "%%0A%25%0D"],
)
def test_the_runner_masks_the_very_value_whatever_percent_codes_it_holds(secret: str) -> None:
    out = io.StringIO()
    actions.mask([secret], ON, out)
    (command,) = out.getvalue().splitlines()
    assert command.startswith("::add-mask::")
    assert runner_data(command) == secret


def test_each_line_of_a_value_is_masked_on_its_own_and_blank_lines_are_not() -> None:
    out = io.StringIO()
    actions.mask(["first-line\n   \r\nsecond-line", "", "another"], ON, out)
    assert out.getvalue() == (
        "::add-mask::first-line\n::add-mask::second-line\n::add-mask::another\n"
    )


def test_an_annotation_is_one_command_line_the_runner_reads_back_as_written() -> None:
    message = "100% sure:\nsecond line\r"
    line = actions.annotation(
        message, title="lint: a, b", file="bot/a:b,c.py", line=7, level="warning"
    )
    assert "\n" not in line and "\r" not in line
    head = line[: line.index("::", 2)]  # the command and its properties
    assert head == "::warning file=bot/a%3Ab%2Cc.py,line=7,title=lint%3A a%2C b"
    assert runner_data(line) == message
    props = dict(p.split("=", 1) for p in head.removeprefix("::warning ").split(","))
    assert {k: runner_property(v) for k, v in props.items()} == {
        "file": "bot/a:b,c.py",
        "line": "7",
        "title": "lint: a, b",
    }


def test_an_annotation_names_a_line_only_with_its_file() -> None:
    assert actions.annotation("m", title="t") == "::error title=t::m"
    assert actions.annotation("m", title="t", line=3) == "::error title=t::m"
    assert actions.annotation("m", title="t", file="f.py") == "::error file=f.py,title=t::m"


def test_the_summary_is_appended_only_under_actions(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    assert actions.append_summary("# gates", {"GITHUB_STEP_SUMMARY": str(summary)}) is False
    assert summary.read_text() == "earlier step\n"
    environ = {**ON, "GITHUB_STEP_SUMMARY": str(summary)}
    assert actions.append_summary("# gates", environ) is True
    assert actions.append_summary("ok\n", environ) is True
    assert summary.read_text() == "earlier step\n# gates\nok\n"
    assert actions.append_summary("# gates", ON) is False  # no file named


def test_a_step_output_is_one_line_appended_to_the_file_named(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.write_text("earlier=1\n")
    environ = {"GITHUB_OUTPUT": str(output)}
    assert actions.set_output("python", "/venv/bin/python", environ) is True
    assert output.read_text() == "earlier=1\npython=/venv/bin/python\n"
    assert actions.set_output("python", "x", {}) is False
    for value in ("two\nlines", "carriage\rreturn"):
        with pytest.raises(ValueError, match=r"^step output python: a value must be one line$"):
            actions.set_output("python", value, environ)
    assert output.read_text() == "earlier=1\npython=/venv/bin/python\n"


def test_the_run_url_is_built_from_githubs_variables() -> None:
    run = {"GITHUB_RUN_ID": "42", "GITHUB_REPOSITORY": "acme/bot"}
    assert actions.run_url(run) == "https://github.com/acme/bot/actions/runs/42"
    enterprise = {**run, "GITHUB_SERVER_URL": "https://git.example.com"}
    assert actions.run_url(enterprise) == "https://git.example.com/acme/bot/actions/runs/42"
    assert actions.run_url({"GITHUB_RUN_ID": "42"}) is None
    assert actions.run_url({"GITHUB_REPOSITORY": "acme/bot"}) is None


def test_without_an_environment_given_the_process_own_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert actions.active() is True
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert actions.active() is False
