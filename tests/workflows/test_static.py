"""The workflows' wiring, read from the YAML: what must hold for every run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
GATES = ("secrets", "lint", "tests", "smoke", "audit", "workflows")
_SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
_UNTRUSTED = re.compile(
    r"\$\{\{[^}]*\b(github\.event|github\.head_ref|inputs\.|secrets\.|needs\.[^}]*outputs|"
    r"steps\.[^}]*outputs|env\.|vars\.)"
)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return dict(data)


ALL = {p.name: _load(p) for p in sorted(WORKFLOWS.glob("*.yml"))}


def _steps() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (name, job_id, step)
        for name, wf in ALL.items()
        for job_id, job in wf["jobs"].items()
        for step in job.get("steps", [])
    ]


def test_there_is_one_reusable_workflow_per_gate() -> None:
    for gate in GATES:
        wf = ALL[f"gate-{gate}.yml"]
        call = wf["on"]["workflow_call"]
        assert "status" in call["outputs"]
        assert {"ref", "pipeline-ref", "pipeline-repository"} <= set(call["inputs"])


@pytest.mark.parametrize(
    ("caller", "deploy_job"), [("ci.yml", "deploy-testnet"), ("promote.yml", "deploy-mainnet")]
)
def test_deploy_needs_every_gate_and_the_checklist(caller: str, deploy_job: str) -> None:
    job = ALL[caller]["jobs"][deploy_job]
    assert job["uses"] == "./.github/workflows/deploy.yml"
    assert set(GATES) | {"checklist"} <= set(job["needs"])
    for gate in GATES:
        assert ALL[caller]["jobs"][gate]["uses"] == f"./.github/workflows/gate-{gate}.yml"


def test_testnet_deploys_only_on_a_push_to_main() -> None:
    job = ALL["ci.yml"]["jobs"]["deploy-testnet"]
    assert job["with"]["environment"] == "testnet"
    assert "github.event_name == 'push'" in job["if"] and "refs/heads/main" in job["if"]


def test_mainnet_deploy_uses_the_mainnet_environment_and_an_approval() -> None:
    job = ALL["promote.yml"]["jobs"]["deploy-mainnet"]
    assert job["with"]["environment"] == "mainnet"
    assert job["with"]["require-approval"] is True
    deploy = ALL["deploy.yml"]["jobs"]["deploy"]
    assert deploy["environment"] == "${{ inputs.environment }}"
    names = [s.get("name", "") for s in deploy["steps"]]
    assert names.index("Verify the checklist") < names.index("Deploy and push the deploy tag")
    assert names.index("Verify the approval") < names.index("Deploy and push the deploy tag")


def test_promote_inputs_are_the_human_items_as_booleans() -> None:
    inputs = ALL["promote.yml"]["on"]["workflow_dispatch"]["inputs"]
    for item in ("toggle-card", "rollback-target", "api-keys"):
        assert inputs[item]["type"] == "boolean" and inputs[item]["default"] is False
    assert ALL["promote.yml"]["jobs"]["checklist"]["with"]["actor"] == "${{ github.actor }}"


def test_deploys_share_a_literal_per_environment_group_never_cancelled() -> None:
    for name, job_id in (("deploy.yml", "deploy"), ("rollback.yml", "rollback")):
        concurrency = ALL[name]["jobs"][job_id]["concurrency"]
        assert concurrency == {
            "group": "deploy-${{ inputs.environment }}",
            "cancel-in-progress": False,
        }
        assert "github.workflow" not in str(concurrency)


def test_ci_cancels_superseded_runs_but_not_on_main() -> None:
    concurrency = ALL["ci.yml"]["concurrency"]
    assert concurrency["cancel-in-progress"] == "${{ github.ref != 'refs/heads/main' }}"


def test_no_secrets_inherit_and_secrets_are_passed_explicitly() -> None:
    for name, wf in ALL.items():
        for job_id, job in wf["jobs"].items():
            assert job.get("secrets") != "inherit", f"{name}:{job_id}"


def test_rollback_runs_from_main_with_the_tag_as_an_input() -> None:
    wf = ALL["rollback.yml"]
    assert set(wf["on"]["workflow_dispatch"]["inputs"]) == {"environment", "tag"}
    job = wf["jobs"]["rollback"]
    assert job["if"] == "github.ref == 'refs/heads/main'"
    assert job["environment"] == "${{ inputs.environment }}"


def test_top_level_permissions_are_empty() -> None:
    for name, wf in ALL.items():
        assert wf["permissions"] == {}, name


def test_every_job_has_a_timeout_or_calls_a_workflow_that_sets_one() -> None:
    for name, wf in ALL.items():
        for job_id, job in wf["jobs"].items():
            if "uses" in job:
                called = ALL[Path(job["uses"]).name]
                assert all("timeout-minutes" in j for j in called["jobs"].values())
            else:
                assert isinstance(job.get("timeout-minutes"), int), f"{name}:{job_id}"


def test_every_action_is_pinned_by_full_commit_sha_with_its_version() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s*(?:-\s*)?uses:\s*(\S+)(.*)$", line)
            if not match or match[1].startswith("./"):
                continue
            assert _SHA_PIN.match(match[1]), f"{path.name}: {match[1]}"
            assert re.search(r"#\s*v\d+\.\d+\.\d+", match[2]), f"{path.name}: no version comment"


def test_checkouts_keep_no_credentials() -> None:
    for name, job_id, step in _steps():
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, f"{name}:{job_id}"


def test_jobs_that_read_deploy_tags_fetch_all_history() -> None:
    for name, job_id in (
        ("deploy.yml", "deploy"),
        ("rollback.yml", "rollback"),
        ("promote.yml", "resolve"),
    ):
        first = ALL[name]["jobs"][job_id]["steps"][0]
        assert first["with"]["fetch-depth"] == 0, f"{name}:{job_id}"


def test_no_untrusted_expression_inside_run() -> None:
    for name, job_id, step in _steps():
        assert not _UNTRUSTED.search(str(step.get("run", ""))), f"{name}:{job_id}: {step['run']}"


def test_no_step_echoes_a_secret() -> None:
    for name, job_id, step in _steps():
        run = str(step.get("run", ""))
        assert "secrets." not in run, f"{name}:{job_id}"
        secret_vars = [k for k, v in step.get("env", {}).items() if "secrets." in str(v)]
        for var in secret_vars:
            assert not re.search(rf"(echo|printf)[^\n]*\${{?{var}\b", run), f"{name}:{job_id}"


def test_every_upload_is_scanned_first() -> None:
    for name, wf in ALL.items():
        for job_id, job in wf["jobs"].items():
            steps = job.get("steps", [])
            for i, step in enumerate(steps):
                if str(step.get("uses", "")).startswith("actions/upload-artifact@"):
                    before = " ".join(str(s.get("run", "")) for s in steps[:i])
                    assert "python -m ci scan" in before, f"{name}:{job_id}"


def test_the_required_job_needs_every_other_ci_job() -> None:
    jobs = ALL["ci.yml"]["jobs"]
    assert set(jobs["required"]["needs"]) == set(jobs) - {"required"}
    assert jobs["required"]["if"] == "always()"
