"""Does every job that signs or verifies the checklist get the key, as `ci github setup`
stores it? A small model of GitHub's secret scoping, fed by setup's own plan and the
workflows' own YAML.

The rules modelled, from GitHub Docs:
- "Using secrets in GitHub Actions": a secret not set reads as the empty string; an
  environment's secrets are available only to a job that references that environment; with
  one name at several levels, the lowest level wins (environment, then repository).
- "Reusing workflows": a called workflow sees the secrets its caller passes; when its job
  names an environment, that environment's secret of the same name is used instead.
"""

from __future__ import annotations

import re
from typing import Any

from ci.github.setup import SIGNING_KEY, plan
from tests.workflows.test_static import ALL

_SECRET = re.compile(r"\$\{\{\s*secrets\.(\w+)\s*\}\}")


def _stored(repo: str = "acme/bot") -> tuple[set[str], dict[str, set[str]]]:
    """Repository secrets and each environment's secrets that setup's plan stores."""
    repository: set[str] = set()
    environments: dict[str, set[str]] = {}
    for call in plan(repo, {}):
        if call.argv[:3] != ("gh", "secret", "set"):
            continue
        argv = list(call.argv)
        name = argv[3]
        if "--env" in argv:
            environments.setdefault(argv[argv.index("--env") + 1], set()).add(name)
        else:
            repository.add(name)
    return repository, environments


def _secret_in_job(
    name: str, passed: set[str], environment: str | None, environments: dict[str, set[str]]
) -> bool:
    if environment is not None and name in environments.get(environment, set()):
        return True
    return name in passed


def _callers_passing(workflow: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (caller, job_id, job)
        for caller, wf in ALL.items()
        for job_id, job in wf["jobs"].items()
        if job.get("uses") == f"./.github/workflows/{workflow}"
    ]


def _jobs_reading_the_key() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for name, wf in ALL.items():
        for job_id, job in wf["jobs"].items():
            reads = any(
                SIGNING_KEY in _SECRET.findall(str(step.get("env", {})))
                for step in job.get("steps", [])
            )
            if reads:
                found.append((name, job_id, job))
    return found


def _environments_of(workflow: str, job: dict[str, Any], caller: dict[str, Any]) -> str | None:
    env = job.get("environment")
    if env is None:
        return None
    if env == "${{ inputs.environment }}":
        return str(caller["with"]["environment"])
    return str(env)


def test_the_signing_job_and_the_deploy_job_both_get_the_key() -> None:
    repository, environments = _stored()
    readers = _jobs_reading_the_key()
    assert {(name, job_id) for name, job_id, _ in readers} >= {
        ("checklist.yml", "checklist"),
        ("deploy.yml", "deploy"),
    }
    for workflow, job_id, job in readers:
        callers = _callers_passing(workflow)
        assert callers, workflow
        for caller, caller_job, call in callers:
            # What the caller passes is its own repository-level secret, if any: the calling
            # job names no environment.
            passed_in_caller = set(_SECRET.findall(str(call.get("secrets", {}))))
            passed = passed_in_caller & repository
            environment = _environments_of(workflow, job, call)
            assert _secret_in_job(SIGNING_KEY, passed, environment, environments), (
                f"{caller}:{caller_job} → {workflow}:{job_id} (environment {environment}) "
                f"gets {SIGNING_KEY} empty"
            )


def test_the_key_is_in_no_place_a_branch_workflow_can_read() -> None:
    repository, environments = _stored()
    assert SIGNING_KEY not in repository
    assert {env for env, names in environments.items() if SIGNING_KEY in names} == {
        "checklist",
        "testnet",
        "mainnet",
    }
