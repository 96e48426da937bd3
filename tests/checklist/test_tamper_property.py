"""Property: any single change to a complete, signed checklist's content is refused."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ci.checklist import ChecklistRefused, verify_file
from ci.checklist.model import (
    CORE_ITEMS,
    SCHEMA_VERSION,
    Checklist,
    Item,
    ItemKind,
    ItemStatus,
    Run,
)
from tests.checklist.conftest import HMAC_KEY

SHA = "0123456789abcdef0123456789abcdef01234567"

COMPLETE = Checklist(
    schema_version=SCHEMA_VERSION,
    repository="octo/bottie",
    sha=SHA,
    ref="refs/heads/main",
    environment="mainnet",
    run=Run(id="42", url="https://github.com/octo/bottie/actions/runs/42", actor="alice"),
    created_at="2026-01-02T03:04:05Z",
    items=(
        *(
            Item(
                id=item_id,
                title=f"the {item_id} check",
                kind=ItemKind.AUTOMATIC,
                status=ItemStatus.PASSED,
                evidence=f"{item_id} passed",
            )
            for item_id in CORE_ITEMS
            if item_id != "toggle-card"
        ),
        Item(
            id="toggle-card",
            title="the toggle card was reviewed",
            kind=ItemKind.ATTESTED,
            status=ItemStatus.ATTESTED,
            evidence="attested by bob",
        ),
    ),
).sealed(HMAC_KEY)

Path_ = tuple[str | int, ...]


def locations(node: Any, here: Path_ = ()) -> list[Path_]:
    """Every place in the document a change can happen, the root included."""
    found = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            found += locations(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += locations(value, (*here, index))
    return found


def get(document: Any, where: Path_) -> Any:
    for part in where:
        document = document[part]
    return document


def other_scalar(data: st.DataObject, old: Any) -> Any:
    if isinstance(old, bool):
        return not old
    if isinstance(old, int):
        return data.draw(st.integers().filter(lambda v: v != old))
    if isinstance(old, str):
        return data.draw(st.text(max_size=20).filter(lambda v: v != old))
    return data.draw(st.one_of(st.text(max_size=5), st.integers(), st.booleans()))


def mutate(data: st.DataObject, document: dict[str, Any]) -> None:
    """Make exactly one change: replace a value, or remove or add an entry."""
    where = data.draw(st.sampled_from(locations(document)))
    node = get(document, where)
    if isinstance(node, dict | list) and node and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
        del node[key]
    elif isinstance(node, dict):
        node[data.draw(st.text(min_size=1, max_size=8).filter(lambda k: k not in node))] = "x"
    elif isinstance(node, list):
        node.append(copy.deepcopy(node[0]) if node else "x")
    else:
        get(document, where[:-1])[where[-1]] = other_scalar(data, node)


def test_the_unchanged_checklist_passes(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(COMPLETE.to_json()), encoding="utf-8")
    verify_file(path, sha=SHA, env="mainnet", hmac_key=HMAC_KEY)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_single_change_is_refused(data: st.DataObject) -> None:
    document = COMPLETE.to_json()
    mutate(data, document)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checklist.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        with pytest.raises(ChecklistRefused):
            verify_file(path, sha=SHA, env="mainnet", hmac_key=HMAC_KEY)
