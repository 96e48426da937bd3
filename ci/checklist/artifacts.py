"""Gate results as the workflows hand them over: one artifact per gate job.

Each gate job uploads its own result as artifact `gate-<g>`, downloaded into its own
folder, so the checklist reads `<dir>/gate-<g>/<g>.json` and nothing else from it. A file
whose `gate` field names another gate is refused: within a run, a gate (which runs the
code under test) must not be able to report another gate's result.
"""

from __future__ import annotations

import json
from pathlib import Path

from ci.core.errors import CiError
from ci.core.result import GateResult

ARTIFACT_PREFIX = "gate-"


class ForeignResultError(CiError):
    """An artifact holds a result it may not speak for."""


def load_gate_artifacts(artifacts_dir: Path) -> dict[str, GateResult]:
    """Each gate's result from its own artifact folder, by gate name."""
    results: dict[str, GateResult] = {}
    for folder in sorted(artifacts_dir.glob(f"{ARTIFACT_PREFIX}*")):
        gate = folder.name.removeprefix(ARTIFACT_PREFIX)
        path = folder / f"{gate}.json"
        if not path.is_file():
            continue
        try:
            result = GateResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise CiError(f"{path}: not a gate result: {exc}") from None
        if result.gate != gate:
            raise ForeignResultError(
                f"{path}: artifact {folder.name} holds a result of gate {result.gate!r}; refusing"
            )
        results[gate] = result
    return results
