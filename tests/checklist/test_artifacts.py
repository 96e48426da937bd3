"""Gate artifacts: artifact gate-<g> speaks for gate <g> only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci.checklist.artifacts import ForeignResultError, load_gate_artifacts
from ci.core.result import GateResult, Status


def _save(folder: Path, name: str, gate: str, status: Status = Status.PASSED) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    result = GateResult(gate, status, "summary")
    (folder / name).write_text(json.dumps(result.to_dict()), encoding="utf-8")


def test_each_artifact_gives_its_own_gates_result(tmp_path: Path) -> None:
    _save(tmp_path / "gate-lint", "lint.json", "lint")
    _save(tmp_path / "gate-tests", "tests.json", "tests", Status.FAILED)
    results = load_gate_artifacts(tmp_path)
    assert {g: r.status for g, r in results.items()} == {
        "lint": Status.PASSED,
        "tests": Status.FAILED,
    }


def test_another_gates_file_in_an_artifact_is_ignored(tmp_path: Path) -> None:
    # The lint job (which could be made to run anything) ships a passing "tests" result.
    _save(tmp_path / "gate-tests", "tests.json", "tests", Status.FAILED)
    _save(tmp_path / "gate-lint", "lint.json", "lint")
    _save(tmp_path / "gate-lint", "tests.json", "tests")
    assert load_gate_artifacts(tmp_path)["tests"].status is Status.FAILED


def test_a_result_claiming_another_gate_is_refused(tmp_path: Path) -> None:
    _save(tmp_path / "gate-lint", "lint.json", "tests")
    with pytest.raises(ForeignResultError, match="gate-lint holds a result of gate 'tests'"):
        load_gate_artifacts(tmp_path)
