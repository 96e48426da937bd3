"""All results as one JSON document (for `--json`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from ci.core.result import GateResult


class JsonReporter:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def start(self, gates: Sequence[str]) -> None:
        pass

    def gate_started(self, gate: str) -> None:
        pass

    def gate_finished(self, result: GateResult) -> None:
        pass

    def finish(self, results: Sequence[GateResult]) -> None:
        document = {
            "ok": all(r.status.ok for r in results),
            "gates": [r.to_dict() for r in results],
        }
        self.stream.write(json.dumps(document, indent=2) + "\n")
