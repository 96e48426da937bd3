"""The one small interface every gate implements, and what it is given to look at.

The result it returns (`GateResult`) is part of the core: the checklist and the reports read
it too."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ci.core.result import Finding, GateResult, Status

if TYPE_CHECKING:  # the config model imports pydantic, which `run --list` need not load
    from ci.core.config import Config

__all__ = ["Finding", "Gate", "GateContext", "GateResult", "Status"]


@dataclass(frozen=True)
class GateContext:
    """What a gate may look at: the repository, its config, where to write.

    `settings` is the validated `[tool.bottie]` as plain values (`config_cache.values`, or
    `Config.model_dump(mode="json")`); `config`, the same as models, is built on first use,
    so a gate that reads only plain values (lint) runs without pydantic."""

    root: Path
    settings: Mapping[str, Any]
    results_dir: Path
    cancel: threading.Event = field(default_factory=threading.Event)
    sha: str = ""  # HEAD when the work tree is clean, else "": results then vouch for no commit

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
