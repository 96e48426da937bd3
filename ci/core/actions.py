"""GitHub Actions I/O, all of it: whether we run under Actions, workflow commands
(annotations, `::add-mask::`), the job summary, step outputs and the run's URL.

GitHub's documented rules this relies on: a workflow command is one line on stdout whose
data escapes `%`, CR and LF (and, in properties, `:` and `,`); `GITHUB_STEP_SUMMARY` and
`GITHUB_OUTPUT` name files the step appends to; `::add-mask::VALUE` masks VALUE in the
rest of the job's logs ("Workflow commands for GitHub Actions"). The runner decodes every
command's data, `::add-mask::` included (actions/runner, ActionCommand.TryParseV2: `%0D`,
`%0A` and `%25` back to CR, LF and `%`), so a value is escaped like any other data: a
secret holding `%25` (a URL-encoded password) would otherwise be masked as `%`, and the
secret itself printed in clear.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:
    from typing import TextIO


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def active(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process runs as a GitHub Actions step."""
    return _env(environ).get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's own encoding rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    message: str,
    *,
    title: str,
    file: str | None = None,
    line: int | None = None,
    level: str = "error",
) -> str:
    """One `::error file=…,line=…,title=…::message` workflow command."""
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def mask(
    values: Iterable[str], environ: Mapping[str, str] | None = None, stream: TextIO | None = None
) -> None:
    """Under GitHub Actions, tell the runner to mask each value (derived secrets)."""
    if not active(environ):
        return
    out = stream or sys.stdout
    for value in values:
        for line in value.splitlines():  # a command is one line: mask each line of a value
            if line.strip():
                out.write(f"::add-mask::{escape_data(line)}\n")
    out.flush()


def append_summary(markdown: str, environ: Mapping[str, str] | None = None) -> bool:
    """Append to the job summary when running under GitHub Actions; whether it did."""
    env = _env(environ)
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path or not active(env):
        return False
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return True


def set_output(name: str, value: str, environ: Mapping[str, str] | None = None) -> bool:
    """Set a step output (`GITHUB_OUTPUT`); whether there was a file to append to."""
    path = _env(environ).get("GITHUB_OUTPUT")
    if not path:
        return False
    if "\n" in value or "\r" in value:
        raise ValueError(f"step output {name}: a value must be one line")
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(f"{name}={value}\n")
    return True


def run_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The URL of this workflow run, or None outside Actions."""
    env = _env(environ)
    run_id = env.get("GITHUB_RUN_ID")
    repository = env.get("GITHUB_REPOSITORY")
    if not run_id or not repository:
        return None
    server = env.get("GITHUB_SERVER_URL") or "https://github.com"
    return f"{server}/{repository}/actions/runs/{run_id}"
