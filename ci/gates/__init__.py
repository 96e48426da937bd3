"""The gate registry: every gate by name, in the order they are listed.

A gate's module is imported only when the gate is looked up, so `run --list` and a run of one
gate do not import every other gate's tools (httpx, pydantic-heavy checklists, YAML schemas).
Each spec repeats its gate's name, description and needs; tests/gates/test_registry.py checks
that they agree.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from ci.core.frozen import Frozen
from ci.core.result import GateResult, Status
from ci.gates.interface import Gate, GateContext


class GateSpec(Frozen):
    """A gate as `--list` shows it, and where its code lives (`module:Class`)."""

    __slots__ = _fields = ("name", "description", "needs", "factory")
    name: str
    description: str
    needs: tuple[str, ...]
    factory: str

    def __init__(self, name: str, description: str, needs: tuple[str, ...], factory: str) -> None:
        self._set(name=name, description=description, needs=needs, factory=factory)

    def load(self) -> Gate:
        module, _, cls = self.factory.partition(":")
        gate: Gate = getattr(importlib.import_module(module), cls)()
        return gate


SPECS: tuple[GateSpec, ...] = (
    GateSpec(
        "secrets",
        "gitleaks and BIP39 seed phrases on git history and uncommitted files (redacted)",
        ("gitleaks", "git"),
        "ci.gates.secrets:SecretsGate",
    ),
    GateSpec(
        "env",
        ".env untracked and ignored; .env.example lists every variable read, no values",
        ("git",),
        "ci.gates.env:EnvGate",
    ),
    GateSpec(
        "lint",
        "ruff check + ruff format --check (T20 on the bot's code)",
        ("ruff",),
        "ci.gates.lint:LintGate",
    ),
    GateSpec(
        "tests",
        "pytest + pytest-cov on the fast tests (JUnit and coverage XML written)",
        ("pytest", "pytest-cov"),
        "ci.gates.tests:TestsGate",
    ),
    GateSpec(
        "smoke",
        "start the app on loopback (kill switch off), probe routes, refuse orders, no leaks",
        ("python",),
        "ci.gates.smoke:SmokeGate",
    ),
    GateSpec(
        "audit",
        "pip-audit (OSV) on the hash-locked requirements",
        ("pip-audit",),
        "ci.gates.audit:AuditGate",
    ),
    GateSpec(
        "workflows",
        "zizmor (offline) + GitHub workflow schema (+ actionlint when installed)",
        ("zizmor", "check-jsonschema"),
        "ci.gates.workflows:WorkflowsGate",
    ),
)


class _Gates(Mapping[str, Gate]):
    """Name to gate, each gate made (and its module imported) on first lookup."""

    def __init__(self, specs: tuple[GateSpec, ...]) -> None:
        self._specs = {spec.name: spec for spec in specs}
        self._made: dict[str, Gate] = {}

    def __getitem__(self, name: str) -> Gate:
        if name not in self._made:
            self._made[name] = self._specs[name].load()
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)


GATES: Mapping[str, Gate] = _Gates(SPECS)

__all__ = ["GATES", "SPECS", "Gate", "GateContext", "GateResult", "GateSpec", "Status"]
