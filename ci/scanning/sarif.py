"""A minimal SARIF 2.1.0 log for code scanning, written from findings already in hand
(so the history is scanned once: no second gitleaks run just for another format).

Only what a finding says goes in: rule, redacted message, file and line. Never a secret.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from ci.core.result import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL = "bottie-secrets"


def document(findings: Iterable[Finding]) -> dict[str, object]:
    found = list(findings)
    rules = sorted({f.rule or "secret" for f in found})
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "informationUri": "https://github.com/gitleaks/gitleaks",
                        "rules": [{"id": r, "shortDescription": {"text": r}} for r in rules],
                    }
                },
                "results": [_result(f) for f in found],
            }
        ],
    }


def write(path: Path, findings: Iterable[Finding]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document(findings), indent=2) + "\n", encoding="utf-8")
    return path


def _result(finding: Finding) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": finding.rule or "secret",
        "level": "error",
        "message": {"text": finding.message},
    }
    if finding.file:
        location: dict[str, object] = {"artifactLocation": {"uri": finding.file}}
        if finding.line:
            location["region"] = {"startLine": finding.line}
        result["locations"] = [{"physicalLocation": location}]
    return result
