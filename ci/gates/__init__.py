"""The gate registry: a plain dict from name to gate, in the order they are listed."""

from __future__ import annotations

from ci.core.result import GateResult, Status
from ci.gates.audit import AuditGate
from ci.gates.env import EnvGate
from ci.gates.interface import Gate, GateContext
from ci.gates.lint import LintGate
from ci.gates.secrets import SecretsGate
from ci.gates.smoke import SmokeGate
from ci.gates.tests import TestsGate
from ci.gates.workflows import WorkflowsGate

GATES: dict[str, Gate] = {
    gate.name: gate
    for gate in (
        SecretsGate(),
        EnvGate(),
        LintGate(),
        TestsGate(),
        SmokeGate(),
        AuditGate(),
        WorkflowsGate(),
    )
}

__all__ = ["GATES", "Gate", "GateContext", "GateResult", "Status"]
