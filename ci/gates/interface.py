"""The one small interface every gate implements, and what it is given to look at.

The result it returns (`GateResult`) is part of the core: the checklist and the reports read
it too."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path

from ci.core.frozen import Frozen
from ci.core.result import Finding, GateResult, Status

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:  # and the config model imports pydantic, which `run --list` need not load
    from typing import Any, Protocol

    from ci.core.config import Config
else:
    Protocol = object  # a gate is any object with these members

__all__ = ["Finding", "Gate", "GateContext", "GateResult", "Status"]


class GateContext(Frozen):
    """What a gate may look at: the repository, its config, where to write.

    `settings` is the validated `[tool.bottie]` as plain values (`config_cache.values`, or
    `Config.model_dump(mode="json")`); `config`, the same as models, is built on first use,
    so a gate that reads only plain values (lint) runs without pydantic."""

    # No __slots__: `config` is cached in the instance's __dict__.
    _fields = ("root", "settings", "results_dir", "cancel", "sha")
    root: Path
    settings: Mapping[str, Any]
    results_dir: Path
    cancel: threading.Event
    sha: str  # HEAD when the work tree is clean, else "": results then vouch for no commit

    def __init__(
        self,
        root: Path,
        settings: Mapping[str, Any],
        results_dir: Path,
        cancel: threading.Event | None = None,
        sha: str = "",
    ) -> None:
        self._set(
            root=root,
            settings=settings,
            results_dir=results_dir,
            cancel=threading.Event() if cancel is None else cancel,
            sha=sha,
        )

    @cached_property
    def config(self) -> Config:
        from ci.core.config import Config

        return Config.model_validate(self.settings)


class Gate(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def needs(self) -> tuple[str, ...]:  # executables it runs, for `--list` and error tips
        ...

    def run(self, ctx: GateContext) -> GateResult: ...
