"""The workflows' wiring, read from the YAML: what must hold for every run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ci.core import config

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
GATE_WORKFLOW = "./.github/workflows/gate.yml"
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


def _gate_jobs(workflow: str) -> dict[str, dict[str, Any]]:
    return {
        job_id: job
        for job_id, job in ALL[workflow]["jobs"].items()
        if job.get("uses") == GATE_WORKFLOW
    }


# The one list of gates: ci.yml's jobs that call the gate workflow.
GATES = tuple(_gate_jobs("ci.yml"))


def _steps() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (name, job_id, step)
        for name, wf in ALL.items()
        for job_id, job in wf["jobs"].items()
        for step in job.get("steps", [])
    ]


def test_one_reusable_gate_workflow_serves_every_gate() -> None:
    assert not list(WORKFLOWS.glob("gate-*.yml"))
    call = ALL["gate.yml"]["on"]["workflow_call"]
    assert "status" in call["outputs"]
    assert {"gate", "timeout-minutes", "fetch-depth", "ref", "pipeline-ref"} <= set(call["inputs"])
    job = ALL["gate.yml"]["jobs"]["gate"]
    assert job["name"] == "${{ inputs.gate }}"
    assert job["timeout-minutes"] == "${{ inputs.timeout-minutes }}"


def test_each_gate_job_runs_its_own_gate_and_keeps_its_check_name() -> None:
    assert len(GATES) >= 6
    for job_id, job in _gate_jobs("ci.yml").items():
        assert job["with"]["gate"] == job_id
        assert job.get("name", job_id) == job_id  # check "<job> / <gate>"


def test_promote_runs_the_same_gates_the_same_way() -> None:
    ci, promote = _gate_jobs("ci.yml"), _gate_jobs("promote.yml")
    assert set(promote) == set(ci)
    for job_id, job in promote.items():
        settings = {k: v for k, v in job["with"].items() if k != "ref"}
        assert settings == ci[job_id]["with"], job_id


def test_every_gate_the_checklist_requires_runs_in_a_gate_job() -> None:
    checklist = config.load(ROOT).checklist
    assert {*checklist.gates, checklist.env_gate} <= set(GATES)


def test_a_gate_job_uploads_only_its_own_result_under_its_own_name() -> None:
    steps = ALL["gate.yml"]["jobs"]["gate"]["steps"]
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert len(uploads) == 1
    upload = uploads[0]["with"]
    assert upload["name"] == "gate-${{ inputs.gate }}"
    assert upload["path"] == "${{ runner.temp }}/ci-results/${{ inputs.gate }}.json"


def test_the_checklist_keeps_each_gate_artifact_in_its_own_folder() -> None:
    steps = ALL["checklist.yml"]["jobs"]["checklist"]["steps"]
    download = next(s for s in steps if "download-artifact" in str(s.get("uses", "")))
    assert download["with"]["pattern"] == "gate-*"
    assert download["with"]["merge-multiple"] is False
    build = next(s for s in steps if "checklist build" in str(s.get("run", "")))
    assert '--artifacts-dir "$RUNNER_TEMP/gate-artifacts"' in build["run"]
    assert download["with"]["path"] == "${{ runner.temp }}/gate-artifacts"


def test_every_upload_replaces_its_own_artifact_on_a_re_run() -> None:
    # "Store and share data with workflow artifacts" (GitHub Docs): a name already used in
    # the run fails the upload; a re-run of a job uploads the same name again.
    for name, job_id, step in _steps():
        if str(step.get("uses", "")).startswith("actions/upload-artifact@"):
            assert step["with"].get("overwrite") is True, f"{name}:{job_id}"


def test_zizmor_pedantic_finds_nothing() -> None:
    zizmor = Path(sys.executable).with_name("zizmor")
    done = subprocess.run(
        [str(zizmor), "--offline", "--persona=pedantic", "--no-progress", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("caller", "deploy_job"), [("ci.yml", "deploy-testnet"), ("promote.yml", "deploy-mainnet")]
)
def test_deploy_needs_every_gate_and_the_checklist(caller: str, deploy_job: str) -> None:
    job = ALL[caller]["jobs"][deploy_job]
    assert job["uses"] == "./.github/workflows/deploy.yml"
    assert set(GATES) | {"checklist"} <= set(job["needs"])
    assert set(GATES) | {"resolve"} >= set(ALL[caller]["jobs"]["checklist"]["needs"]) >= set(GATES)


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
    assert names.index("Verify the checklist") < names.index("Deploy")
    assert names.index("Verify the approval") < names.index("Deploy")


def test_promote_inputs_are_the_human_items_as_booleans() -> None:
    inputs = ALL["promote.yml"]["on"]["workflow_dispatch"]["inputs"]
    for item in ("toggle-card", "rollback-target", "api-keys"):
        assert inputs[item]["type"] == "boolean" and inputs[item]["default"] is False
    assert ALL["promote.yml"]["jobs"]["checklist"]["with"]["actor"] == "${{ github.actor }}"


def test_deploys_share_a_literal_per_environment_group_never_cancelled() -> None:
    concurrency = ALL["deploy.yml"]["jobs"]["deploy"]["concurrency"]
    assert concurrency == {"group": "deploy-${{ inputs.environment }}", "cancel-in-progress": False}


def test_rollback_and_pause_never_wait_behind_a_pending_approval() -> None:
    # "Using concurrency" (GitHub Docs): a job waiting for an environment's reviewers holds
    # its concurrency group, and a newer pending job in a group cancels the older pending one.
    # So no job that can wait for an approval may share a group with rollback or pause.
    def groups(job: dict[str, Any], workflow: dict[str, Any]) -> set[str]:
        found = {str(job.get("concurrency", {}).get("group", ""))}
        found.add(str(workflow.get("concurrency", {}).get("group", "")))
        return found - {""}

    waiting: set[str] = set()
    for name in ("deploy.yml", "promote.yml", "ci.yml", "checklist.yml"):
        for job in ALL[name]["jobs"].values():
            waiting |= groups(job, ALL[name])
    for name, job_id in (("rollback.yml", "rollback"), ("pause.yml", "pause")):
        mine = groups(ALL[name]["jobs"][job_id], ALL[name])
        assert mine and not mine & waiting, f"{name}: {mine & waiting}"
        assert ALL[name]["jobs"][job_id]["concurrency"]["cancel-in-progress"] is False


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
                if job["uses"] == GATE_WORKFLOW:  # the gate job's timeout is its caller's
                    assert isinstance(job["with"]["timeout-minutes"], int), f"{name}:{job_id}"
            elif name == "gate.yml":
                inputs = wf["on"]["workflow_call"]["inputs"]
                assert isinstance(inputs["timeout-minutes"]["default"], int)
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


def test_the_pipeline_runs_from_its_own_venv_never_from_pythonpath() -> None:
    script = (ROOT / "scripts" / "install-pipeline.sh").read_text(encoding="utf-8")
    assert "PYTHONPATH" not in script.replace("never put on PYTHONPATH", "")
    for name, job_id, step in _steps():
        run = str(step.get("run", ""))
        assert "python -m ci" not in run, f"{name}:{job_id}: {run}"
        assert "PYTHONPATH" not in run, f"{name}:{job_id}"


def test_the_install_script_is_the_same_on_github_as_under_the_e2e_tests() -> None:
    """The e2e tests run scripts/install-pipeline.sh as it is: what they change to keep
    each act job offline (pip and uv without an index, a shared uv cache) lives in the
    setup-python double only. So the script holds no switch for them, and on GitHub it
    installs every requirement hash-locked from the configured index: uv by pip from its
    own lock, everything else by that uv."""
    script = (ROOT / "scripts" / "install-pipeline.sh").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))
    switches = ("BOTTIE_TEST", "--no-index", "--find-links", "PIP_", "UV_", "--cache-dir")
    for switch in (*switches, "--system-site-packages", "--no-verify-hashes"):
        assert switch not in code, switch
    assert '--require-hashes -r "$pipeline/requirements/uv.txt"' in code
    assert '"${uv[@]}" --require-hashes -r "$pipeline/requirements/ci.txt"' in code
    assert '-r "$pipeline/requirements/build.txt"' in code
    # The pipeline: its wheel built with the locked build backend, then installed alone.
    assert '"$venv/bin/uv" build --quiet --wheel --no-build-isolation' in code
    assert '"${uv[@]}" --no-deps "$dist"/*.whl' in code
    assert '"${uv[@]}" --require-hashes -r "$requirements"' in code
    # Every job that installs the pipeline sets up Python (the double's hook) just before.
    for name, wf in ALL.items():
        for job_id, job in wf["jobs"].items():
            steps = job.get("steps", [])
            for index, step in enumerate(steps):
                if "install-pipeline.sh" in str(step.get("run", "")):
                    before = str(steps[index - 1].get("uses", ""))
                    assert before.startswith("actions/setup-python@"), f"{name}:{job_id}"


def test_gates_that_run_the_bots_code_get_the_bots_own_environment() -> None:
    """The bot-env step builds the bot's venv for exactly the gates whose code resolves the
    bot's interpreter (ci/gates/<gate>.py calls botenv), before the gate, and hands its
    interpreter over through a step output, never through an expression inside `run:`."""
    steps = ALL["gate.yml"]["jobs"]["gate"]["steps"]
    ids = [step.get("id") for step in steps]
    build = steps[ids.index("botenv")]
    install = next(i for i, s in enumerate(steps) if "install-pipeline.sh" in str(s.get("run")))
    assert install < ids.index("botenv") < ids.index("gate")
    assert (
        build["run"] == '"$RUNNER_TEMP/bottie-venv/bin/bottie-ci" bot-env "$RUNNER_TEMP/bot-venv"'
    )
    using = {
        path.stem
        for path in (ROOT / "ci" / "gates").glob("*.py")
        if "botenv." in path.read_text(encoding="utf-8")
    }
    listed = re.fullmatch(r"contains\(fromJSON\('(\[.*\])'\), inputs\.gate\)", build["if"])
    assert listed is not None, build["if"]
    assert set(yaml.safe_load(listed.group(1))) == using == {"tests", "smoke", "lint"}
    gate = steps[ids.index("gate")]
    assert gate["env"]["BOTTIE_BOT_PYTHON"] == "${{ steps.botenv.outputs.python }}"


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
                    assert 'bottie-ci" scan' in before, f"{name}:{job_id}"


def test_the_required_job_needs_every_other_ci_job() -> None:
    jobs = ALL["ci.yml"]["jobs"]
    assert set(jobs["required"]["needs"]) == set(jobs) - {"required"}
    assert jobs["required"]["if"] == "always()"


# The jobs that reach the bot's host, the step in each that runs `bottie-ci`, and the key it
# gets: the deploy key where a reviewer may stand in the way, the operations key (pause and
# read only, enforced on the host) in the `<env>-ops` environments, which have none.
HOST_JOBS = {
    "deploy.yml": ("deploy", "Deploy", "BOTTIE_SSH_KEY"),
    "rollback.yml": ("rollback", "Roll back", "BOTTIE_SSH_KEY"),
    "pause.yml": ("pause", "Pause trading", "BOTTIE_SSH_OPS_KEY"),
    "status.yml": ("status", "Status", "BOTTIE_SSH_OPS_KEY"),
}


def test_jobs_that_reach_the_host_get_the_ssh_settings_from_their_environment() -> None:
    for name, (job_id, step_name, key) in HOST_JOBS.items():
        job = ALL[name]["jobs"][job_id]
        assert job["runs-on"] == "${{ vars.BOTTIE_DEPLOY_RUNNER || 'ubuntu-latest' }}", name
        (step,) = [s for s in job["steps"] if s.get("name") == step_name]
        env = step["env"]
        assert env["BOTTIE_SSH_KEY"] == f"${{{{ secrets.{key} }}}}", name
        assert ("-ops" in str(job["environment"])) == (key == "BOTTIE_SSH_OPS_KEY"), name
        for variable in ("HOST", "PORT", "USER", "KNOWN_HOSTS"):
            assert env[f"BOTTIE_SSH_{variable}"] == f"${{{{ vars.BOTTIE_SSH_{variable} }}}}", name
    declared = ALL["deploy.yml"]["on"]["workflow_call"]["secrets"]["BOTTIE_SSH_KEY"]
    assert declared["required"] is False  # the local target needs none


def test_every_caller_of_the_deploy_workflow_passes_every_secret_it_declares() -> None:
    """A called workflow reads a secret its caller does not pass as empty, even when its
    job's environment holds it; a secret passed by name is then taken from that environment
    ("Reusing workflows", GitHub Docs; act does the same). So every caller maps them all."""
    declared = set(ALL["deploy.yml"]["on"]["workflow_call"]["secrets"])
    callers = [
        (name, job_id, job)
        for name, workflow in ALL.items()
        for job_id, job in workflow["jobs"].items()
        if job.get("uses") == "./.github/workflows/deploy.yml"
    ]
    assert callers
    for name, job_id, job in callers:
        passed = job.get("secrets", {})
        assert passed != "inherit", f"{name}:{job_id}"
        assert set(passed) == declared, f"{name}:{job_id}"
        for secret, value in passed.items():
            assert value == f"${{{{ secrets.{secret} }}}}", f"{name}:{job_id}: {secret}"


def test_pause_and_status_never_wait_for_a_reviewer_yet_read_the_ops_environment() -> None:
    assert ALL["pause.yml"]["jobs"]["pause"]["environment"] == "${{ inputs.environment }}-ops"
    status = ALL["status.yml"]["jobs"]["status"]
    assert status["environment"] == "${{ matrix.environment }}-ops"
    assert status["strategy"]["matrix"]["environment"] == ["testnet", "mainnet"]
    assert status["strategy"]["fail-fast"] is False
    assert status["permissions"] == {"contents": "read"}
    assert status["if"] == "github.ref == 'refs/heads/main'"


def test_status_runs_on_a_schedule_and_fails_when_the_bot_does() -> None:
    status = ALL["status.yml"]
    assert status["on"]["schedule"] == [{"cron": "*/15 * * * *"}]
    (step,) = [s for s in status["jobs"]["status"]["steps"] if s.get("name") == "Status"]
    assert step["run"] == '"$RUNNER_TEMP/bottie-venv/bin/bottie-ci" status "$DEPLOY_ENV"'
    assert "continue-on-error" not in step and "||" not in step["run"]


def test_status_sees_the_deploy_tags_that_tell_gone_from_not_deployed_yet() -> None:
    """`status` is green for an environment with no deploy tag (not deployed yet) and red for
    one whose tag says it was: a checkout without tags would turn "gone" green. With
    fetch-depth 0, actions/checkout fetches all branches and tags (its README)."""
    steps = ALL["status.yml"]["jobs"]["status"]["steps"]
    (checkout,) = [s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == 0
