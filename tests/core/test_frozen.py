"""The values `run lint` and the hooks build are `Frozen`, not dataclasses (`dataclasses` imports
`inspect`): each must behave as its `@dataclass(frozen=True)` twin would."""

from __future__ import annotations

import copy
import dataclasses
import threading
from pathlib import Path
from typing import Any

import pytest

from ci.core.frozen import Frozen
from ci.core.proc import ProcResult
from ci.core.result import Finding, GateResult, Status
from ci.gates import GateSpec
from ci.gates.interface import GateContext

EVENT = threading.Event()
SAMPLES: list[tuple[Frozen, dict[str, Any]]] = [
    (Finding("m", file="f.py", line=3, rule="R1"), {}),
    (Finding("only a message"), {}),
    (ProcResult(("ruff", "check"), 1, "out", "err", 0.5, timed_out=True), {}),
    (GateResult("lint", Status.FAILED, "1 problem(s)", findings=(Finding("m"),)), {}),
    (GateSpec("lint", "ruff", ("ruff",), "ci.gates.lint:LintGate"), {}),
    (GateContext(Path("/r"), {"lint": {}}, Path("/r/out"), EVENT, sha="a" * 40), {}),
]


def twin(value: Frozen) -> object:
    """The same fields, in the same order, as a frozen dataclass named like the value's class."""
    cls = dataclasses.make_dataclass(
        type(value).__qualname__, [(name, object) for name in value._fields], frozen=True
    )
    return cls(*value._values())


@pytest.mark.parametrize(("value", "_"), SAMPLES, ids=lambda v: type(v).__name__)
def test_a_frozen_value_behaves_as_its_dataclass_twin(value: Frozen, _: object) -> None:
    same = copy.copy(value)
    other = value.replace(**{value._fields[0]: "changed"})
    assert repr(value) == repr(twin(value))
    assert same == value and same is not value
    assert not same != value  # noqa: SIM202 (`!=` is the operator under test)
    assert other != value and value != twin(value)  # another class is never equal
    if not isinstance(value, GateResult | GateContext):  # a dict field: unhashable, as a twin
        assert hash(same) == hash(value) == hash(twin(value))
    with pytest.raises(AttributeError):
        setattr(value, value._fields[0], "changed")
    with pytest.raises(AttributeError):
        delattr(value, value._fields[0])
    with pytest.raises(TypeError, match="no field 'nope'"):
        value.replace(nope=1)
    if not isinstance(value, GateContext):  # it holds a threading.Event
        assert copy.deepcopy(value) == value


def test_defaults_are_the_dataclass_defaults() -> None:
    result = GateResult("lint", Status.PASSED, "clean")
    assert (result.duration, result.findings, result.output, result.sha) == (0.0, (), "", "")
    assert result.artifacts == {} and GateResult("a", Status.PASSED, "").artifacts is not (
        result.artifacts
    )
    context = GateContext(Path("/r"), {}, Path("/o"))
    assert not context.cancel.is_set() and context.sha == ""
    assert GateContext(Path("/r"), {}, Path("/o")).cancel is not context.cancel


def test_a_result_saves_as_before() -> None:
    result = GateResult(
        "lint",
        Status.FAILED,
        "1 problem(s)",
        duration=1.5,
        findings=(Finding("m", "f.py", 2, "F401"),),
        output="f.py:2: [F401] m",
        artifacts={"report": "out/r.json"},
        sha="b" * 40,
    )
    as_dataclass = {
        **{name: getattr(result, name) for name in result._fields},
        "status": "failed",
        "findings": [{"message": "m", "file": "f.py", "line": 2, "rule": "F401"}],
    }
    assert result.to_dict() == as_dataclass
    assert GateResult.from_dict(result.to_dict()) == result


def test_a_value_of_another_class_is_never_equal() -> None:
    class Shown(Finding):
        __slots__ = ()

    assert Finding("m", "f.py") != Shown("m", "f.py")
    assert Shown("m", "f.py") == Shown("m", "f.py")
