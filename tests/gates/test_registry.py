"""The registry lists each gate as the gate itself describes it, and loads only what is asked."""

from __future__ import annotations

from ci.gates import GATES, SPECS


def test_each_spec_matches_its_gate() -> None:
    for spec in SPECS:
        gate = GATES[spec.name]
        assert (gate.name, gate.description, tuple(gate.needs)) == (
            spec.name,
            spec.description,
            spec.needs,
        )


def test_registry_order_is_the_listed_order() -> None:
    assert list(GATES) == [spec.name for spec in SPECS]
    assert len(GATES) == len(SPECS)
