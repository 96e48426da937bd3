"""scripts/mutation.py: a listed equivalent excuses a survivor only while its function reads
as it did when it was judged (mutmut numbers a function's mutants in the order of its text,
so an edited function's numbers may name other changes)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bottie_mutation", ROOT / "scripts/mutation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


mutation = _script()

SOURCE = """
def plain(x):
    return x + 1


class Shape:
    def area(self, side):
        return side * side
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/mod.py").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def test_every_listed_equivalent_names_a_function_that_exists_and_was_judged() -> None:
    functions = {mutation.function_of(name) for name in mutation.EQUIVALENT}
    assert functions == set(mutation.JUDGED)
    missing = [f for f in functions if mutation.function_digest(f, ROOT) is None]
    assert missing == []


def test_a_function_and_a_method_are_found_by_mutmuts_names(tree: Path) -> None:
    plain = mutation.function_digest("pkg.mod.x_plain", tree)
    method = mutation.function_digest("pkg.mod.xǁShapeǁarea", tree)
    assert plain and method and plain != method
    assert mutation.function_digest("pkg.mod.x_area", tree) is None  # a method, not a function
    assert mutation.function_digest("pkg.mod.xǁOtherǁarea", tree) is None
    assert mutation.function_digest("pkg.gone.x_plain", tree) is None


def test_a_survivor_of_a_function_edited_since_it_was_judged_is_counted_again(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "pkg.mod.xǁShapeǁarea__mutmut_3"
    monkeypatch.setitem(mutation.EQUIVALENT, name, "judged once")
    digest = mutation.function_digest("pkg.mod.xǁShapeǁarea", tree)
    monkeypatch.setitem(mutation.JUDGED, "pkg.mod.xǁShapeǁarea", digest)
    assert mutation.still_judged(name, tree)

    # Another function of the module changing, or a comment in this one, leaves it standing.
    module = tree / "pkg/mod.py"
    module.write_text(SOURCE.replace("x + 1", "x + 2"), encoding="utf-8")
    assert mutation.still_judged(name, tree)
    module.write_text(SOURCE.replace("side * side", "side * side  # squared"), encoding="utf-8")
    assert mutation.still_judged(name, tree)

    module.write_text(SOURCE.replace("side * side", "side ** 2"), encoding="utf-8")
    assert not mutation.still_judged(name, tree)
    said = mutation._survivor(name, "survived", tree)
    assert said.startswith(f"{name} (survived: listed as equivalent, but")
    now = mutation.function_digest("pkg.mod.xǁShapeǁarea", tree)
    assert f"JUDGED['pkg.mod.xǁShapeǁarea'] = {now!r}" in said


def test_a_survivor_never_listed_is_named_as_it_is(tree: Path) -> None:
    assert mutation._survivor("pkg.mod.x_plain__mutmut_1", "survived", tree) == (
        "pkg.mod.x_plain__mutmut_1 (survived)"
    )
    assert not mutation.still_judged("pkg.mod.x_plain__mutmut_1", tree)
