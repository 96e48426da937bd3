"""The files `ci init` writes, planned first and applied only where they change.

Each plan entry is a path and its whole new text; a file the adopter already has is only
appended to (`.gitignore`) or left alone (an existing `[tool.bottie]` table, `.env.example`,
workflow or pre-commit config), so running init twice changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ci.adopt.describe import Description
from ci.adopt.hooks import pre_commit_config
from ci.adopt.inspect import Findings

IGNORED = [".env", ".venv/", "checklist.json", ".ci-results/"]
WORKFLOW = ".github/workflows/bottie.yml"
PRE_COMMIT = ".pre-commit-config.yaml"
_SHA = re.compile(r"[0-9a-f]{40}")
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Change:
    path: str
    text: str
    why: str


@dataclass(frozen=True)
class Pipeline:
    """Where the caller workflow takes the pipeline from: a repository at a full SHA."""

    repo: str
    sha: str

    def __post_init__(self) -> None:
        if not _SHA.fullmatch(self.sha):
            raise ValueError("--pipeline-ref must be a full 40-character commit SHA")
        if not _REPO.fullmatch(self.repo):
            raise ValueError("--pipeline-repo must be OWNER/NAME")


def plan(
    root: Path, found: Findings, description: Description, pipeline: Pipeline | None
) -> list[Change]:
    changes = [
        _pyproject(root, description),
        _gitignore(root),
        _new(root, ".env.example", _env_example(found), "the variables the bot reads"),
        _new(root, PRE_COMMIT, PRE_COMMIT_TEXT, "a hook calling the installed bottie-ci"),
    ]
    if pipeline is not None:
        text = workflow(pipeline, has_tests=found.has_tests)
        changes.append(
            _new(root, WORKFLOW, text, f"gates from {pipeline.repo}@{pipeline.sha[:12]}")
        )
    return [c for c in changes if c is not None]


def apply(root: Path, changes: list[Change]) -> None:
    for change in changes:
        path = root / change.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(change.text, encoding="utf-8")


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _new(root: Path, rel: str, text: str, why: str) -> Change | None:
    return Change(rel, text, why) if not (root / rel).exists() else None


def _pyproject(root: Path, description: Description) -> Change | None:
    current = _read(root / "pyproject.toml")
    if current is not None and re.search(r"^\[tool\.bottie[.\]]", current, re.MULTILINE):
        return None  # adopted already: never rewrite a person's decisions
    base = "" if current is None else current.rstrip("\n") + "\n\n"
    return Change("pyproject.toml", base + description.toml, "[tool.bottie]: the bot profile")


def _gitignore(root: Path) -> Change | None:
    current = _read(root / ".gitignore") or ""
    # `.venv`, `/.venv` and `.venv/` all ignore the folder: compare without the slashes.
    present = {line.strip().strip("/") for line in current.splitlines()}
    missing = [entry for entry in IGNORED if entry.strip("/") not in present]
    if not missing:
        return None
    base = current if not current or current.endswith("\n") else current + "\n"
    text = base + "# bottie-ci: local secrets, the bot's venv, pipeline output\n"
    return Change(".gitignore", text + "\n".join(missing) + "\n", "ignore " + ", ".join(missing))


def _env_example(found: Findings) -> str:
    lines = ["# Every variable the bot reads; values belong in .env (ignored), never here."]
    return "\n".join([*lines, *(f"{name}=" for name in found.variables)]) + "\n"


PRE_COMMIT_TEXT = pre_commit_config(
    "bottie-ci",
    "A local hook calling the installed pipeline (pipx/uv tool install bottie-pipeline): offline.\n"
    "Set up once with `pre-commit install`. One hook, three parts (secrets, lint, env):\n"
    "`SKIP=bottie-lint git commit` skips one part (bottie-secrets, bottie-env), `SKIP=bottie` all.",
)


def workflow(pipeline: Pipeline, *, has_tests: bool) -> str:
    gates = ["secrets", "env", "lint", *(["tests"] if has_tests else []), "smoke", "audit"]
    uses = f"{pipeline.repo}/.github/workflows"
    lines = [
        "# Written by `bottie-ci init`: the pipeline's reusable workflows, pinned by commit SHA.",
        '# requirements: "": nothing of the bot goes into the pipeline\'s environment; the',
        "# gates that run the bot build its own from [tool.bottie.audit] requirements.",
        "name: bottie",
        "on:",
        "  push:",
        "    branches: [main]",
        "  pull_request:",
        "permissions: {}",
        "concurrency:",
        "  group: bottie-${{ github.ref }}",
        "  cancel-in-progress: ${{ github.ref != 'refs/heads/main' }}",
        "jobs:",
    ]
    for gate in gates:
        depth = ", fetch-depth: 0" if gate == "secrets" else ""
        lines += [
            f"  {gate}:",
            f"    uses: {uses}/gate.yml@{pipeline.sha}",
            "    permissions: {contents: read}",
            f"    with: {{gate: {gate}, pipeline-repository: {pipeline.repo}, "
            f"pipeline-ref: {pipeline.sha}, "
            f'requirements: ""{depth}}}',
        ]
    lines += [
        "  checklist:",
        f"    needs: [{', '.join(gates)}]",
        "    if: ${{ !cancelled() && github.event_name == 'push' && "
        "github.ref == 'refs/heads/main' }}",
        f"    uses: {uses}/checklist.yml@{pipeline.sha}",
        "    permissions: {contents: read}",
        f"    with: {{environment: testnet, pipeline-repository: {pipeline.repo}, "
        f"pipeline-ref: {pipeline.sha}}}",
        "    secrets:",
        "      CHECKLIST_HMAC_KEY: ${{ secrets.CHECKLIST_HMAC_KEY }}",
    ]
    return "\n".join(lines) + "\n"
