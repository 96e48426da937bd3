"""The workflows gate runs real zizmor (offline) and check-jsonschema on temporary repos."""

from __future__ import annotations

from ci.core.result import GateResult, Status
from ci.gates import runner
from ci.gates.workflows import WorkflowsGate
from tests.helpers import Repo

CLEAN = """\
name: clean
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: echo hello
"""

UNPINNED = """\
name: unpinned
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
"""

SCHEMA = """\
name: broken
on: push
jobs:
  build:
    stepz: []
"""


def lint(repo: Repo, **workflows: str) -> GateResult:
    for name, text in workflows.items():
        repo.write(f".github/workflows/{name}.yml", text)
    (result,) = runner.run_gates([WorkflowsGate()], repo.context())
    return result


def test_no_workflows_passes(repo: Repo) -> None:
    assert lint(repo).summary == "no workflows"


def test_clean_workflow_passes(repo: Repo) -> None:
    result = lint(repo, clean=CLEAN)
    assert result.status is Status.PASSED, result.output
    assert result.summary.startswith("1 workflow(s) clean: zizmor, schema")


def test_unpinned_action_fails_with_file_and_line(repo: Repo) -> None:
    result = lint(repo, unpinned=UNPINNED)
    assert result.status is Status.FAILED
    pinned = [f for f in result.findings if f.rule == "unpinned-uses"]
    assert [(f.file, f.line) for f in pinned] == [(".github/workflows/unpinned.yml", 8)]


def test_schema_violation_fails_naming_the_file(repo: Repo) -> None:
    result = lint(repo, clean=CLEAN, broken=SCHEMA)
    assert result.status is Status.FAILED
    schema = [f for f in result.findings if f.rule == "schema"]
    assert [f.file for f in schema] == [".github/workflows/broken.yml"]
    assert "'runs-on' is a required property" in schema[0].message


def test_template_injection_is_caught(repo: Repo) -> None:
    injected = CLEAN.replace("echo hello", 'echo "${{ github.event.head_commit.message }}"')
    result = lint(repo, injected=injected)
    assert "template-injection" in {f.rule for f in result.findings}
