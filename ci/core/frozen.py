"""Frozen values for the modules every command imports, without `dataclasses`.

`@dataclass(frozen=True)` gives a value its comparison, hash, repr and immutability, but
importing `dataclasses` imports `inspect` (with `ast`, `dis` and `tokenize`): measured, about
a third of a lint run's own Python time, more than the ruff run it waits for. The few values
that `run lint` and the commit hooks build (a tool's result, a finding, a gate's result and
context) are `Frozen` instead: the same behaviour, written out once here. tests/core/
test_frozen.py holds each of them to what `@dataclass(frozen=True)` does.
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:
    from typing import Any, Self


class FrozenError(AttributeError):
    """An attempt to change a field of a frozen value (as `dataclasses.FrozenInstanceError`)."""


class Frozen:
    """A value whose fields are `_fields`, in order: equal (to a value of the same class) when
    every field is, hashed and shown by them, and never changed once made (`replace` makes a
    new one). A subclass sets `_fields` and, in `__init__`, each field with `_set`."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"cannot delete field {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, Frozen)
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({fields})"

    def __reduce__(self) -> tuple[type[Self], tuple[Any, ...]]:
        return type(self), self._values()  # each `__init__` takes its fields in order

    def replace(self, **changes: Any) -> Self:
        """A copy with `changes` (as `dataclasses.replace`)."""
        unknown = set(changes) - set(self._fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        values = {name: getattr(self, name) for name in self._fields}
        return type(self)(**{**values, **changes})
