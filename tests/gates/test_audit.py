"""The audit gate runs real pip-audit against a loopback OSV server serving real records.

The loopback server (ci.gates.audit_osv) stands in for osv.dev, which this machine cannot reach.
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from ci.core.config import AuditConfig, Config
from ci.core.result import GateResult, Status
from ci.gates import runner
from ci.gates.audit import AuditGate
from ci.gates.audit_osv import serving
from tests.helpers import PROJECT_ROOT, Repo

ADVISORIES = PROJECT_ROOT / "tests" / "fixtures" / "advisories"
VULNERABLE = (  # a real release hit by PYSEC-2023-74, with its real wheel hash
    "requests==2.30.0 \\\n"
    "    --hash=sha256:10e94cc4f3121ee6da529d358cdaeaff2f1c409cd377dbc72b825852f2f7e294\n"
)
SAFE = (
    "requests==2.34.2 \\\n"
    "    --hash=sha256:2a0d60c172f83ac6ab31e4554906c0f3b3588d37b5cb939b1c061f4907e278e0\n"
)


def audit(repo: Repo, lock: str, **settings: str) -> GateResult:
    repo.write("requirements.txt", lock)
    config = Config(audit=AuditConfig(requirements=["requirements.txt"], **settings))
    (result,) = runner.run_gates([AuditGate()], repo.context(config))
    return result


def test_safe_pin_passes(repo: Repo) -> None:
    result = audit(repo, SAFE, osv_db=str(ADVISORIES))
    assert result.status is Status.PASSED, result.output
    assert result.summary == "no known vulnerabilities in 1 pinned packages"


def test_known_vulnerable_pin_fails_naming_the_advisory(repo: Repo) -> None:
    result = audit(repo, VULNERABLE, osv_db=str(ADVISORIES))
    assert result.status is Status.FAILED
    (finding,) = result.findings
    assert finding.rule == "PYSEC-2023-74"
    assert finding.file == "requirements.txt"
    assert finding.message.startswith("requests 2.30.0: PYSEC-2023-74 (CVE-2023-32681")
    assert finding.message.endswith("fixed in 2.31.0")
    assert (repo.path / ".ci-results" / "audit.json").exists()


def test_osv_url_points_at_any_compatible_service(repo: Repo) -> None:
    with serving(ADVISORIES) as url:
        result = audit(repo, VULNERABLE, osv_url=url)
    assert result.status is Status.FAILED


def test_unreachable_service_is_an_error_with_a_tip(repo: Repo) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = audit(repo, SAFE, osv_url=f"http://127.0.0.1:{port}/v1/query")
    assert result.status is Status.ERROR
    assert result.summary == "requirements.txt: could not reach the vulnerability service"
    assert "BOTTIE_OSV_DB" in result.output


def test_unhashed_requirements_are_refused(repo: Repo) -> None:
    result = audit(repo, "requests==2.34.2\n", osv_db=str(ADVISORIES))
    assert result.status is Status.ERROR


def test_missing_requirements_file_is_named(repo: Repo) -> None:
    config = Config(audit=AuditConfig(requirements=["nope.txt"], osv_db=str(ADVISORIES)))
    (result,) = runner.run_gates([AuditGate()], repo.context(config))
    assert (result.status, result.summary) == (Status.ERROR, "nope.txt: no such file")


@pytest.mark.parametrize(
    ("version", "expected"), [("2.30.0", ["PYSEC-2023-74"]), ("2.31.0", []), ("2.2.1", [])]
)
def test_osv_server_evaluates_ranges(version: str, expected: list[str]) -> None:
    with serving(ADVISORIES) as url:
        body = httpx.post(
            url, json={"package": {"name": "Requests", "ecosystem": "PyPI"}, "version": version}
        ).json()
    assert [v["id"] for v in body.get("vulns", [])] == expected


def test_osv_server_rejects_a_malformed_query() -> None:
    with serving(ADVISORIES) as url:
        assert httpx.post(url, content=b"not json").status_code == 400


def test_missing_advisory_directory_is_named(tmp_path: Path) -> None:
    from ci.core.errors import CiError

    with pytest.raises(CiError, match="no such advisory directory"), serving(tmp_path / "x"):
        pass
