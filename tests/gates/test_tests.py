"""The tests gate runs real pytest in temporary repositories."""

from __future__ import annotations

import json

import pytest

from ci.core import redaction
from ci.core.config import Config, TestsConfig, parse
from ci.core.errors import ConfigError
from ci.core.result import Status
from ci.gates.tests import TestsGate
from tests.helpers import Repo

# The child pytest runs `calc`, not the pipeline: see the fixture.
pytestmark = pytest.mark.usefixtures("lean_child_pytest")

CODE = "def add(a, b):\n    return a + b\n\n\ndef unused(x):\n    return 1 if x else 2\n"


def config(fail_under: float = 0) -> Config:
    return Config(tests=TestsConfig(coverage_source=["calc"], fail_under=fail_under))


def run(repo: Repo, test_body: str, fail_under: float = 0) -> tuple[Status, str, Repo]:
    repo.write("calc.py", CODE)
    repo.write("tests/test_calc.py", "from calc import add\n\n" + test_body)
    result = TestsGate().run(repo.context(config(fail_under)))
    return result.status, result.summary, repo


def test_passing_tests_pass_and_write_reports(repo: Repo) -> None:
    status, summary, _ = run(repo, "def test_add():\n    assert add(1, 2) == 3\n")
    assert status is Status.PASSED
    assert summary.startswith("1 tests passed, coverage ")
    assert (repo.path / ".ci-results" / "junit.xml").exists()
    assert (repo.path / ".ci-results" / "coverage.xml").exists()


def test_failing_test_is_named_with_file_and_line(repo: Repo) -> None:
    repo.write("calc.py", CODE)
    repo.write(
        "tests/test_calc.py",
        "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 4\n",
    )
    result = TestsGate().run(repo.context(config()))
    assert result.status is Status.FAILED
    assert result.summary == "1 test(s) failed"
    (finding,) = result.findings
    assert finding.message.startswith("tests/test_calc.py::test_add: assert 3 == 4")
    assert (finding.file, finding.line) == ("tests/test_calc.py", 4)


def test_low_coverage_fails_saying_the_numbers(repo: Repo) -> None:
    status, summary, _ = run(repo, "def test_add():\n    assert add(1, 2) == 3\n", fail_under=95)
    assert status is Status.FAILED
    assert summary.startswith("coverage ")
    assert summary.endswith("is below the required 95%")


def test_no_tests_fails(repo: Repo) -> None:
    repo.write("calc.py", CODE)
    repo.write("tests/test_calc.py", "# nothing yet\n")
    result = TestsGate().run(repo.context(config()))
    assert result.status is Status.FAILED
    assert result.summary == "no tests were collected"


def test_network_tests_are_excluded(repo: Repo) -> None:
    repo.write(
        "pytest.ini", "[pytest]\nmarkers =\n    network: needs the internet\n    e2e: slow\n"
    )
    body = (
        "import pytest\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\n"
        "@pytest.mark.network\ndef test_online():\n    raise AssertionError('no internet')\n"
    )
    status, summary, _ = run(repo, body)
    assert status is Status.PASSED, summary
    assert summary.startswith("1 tests passed")


LEAKY_TEST = """import base64, os, urllib.parse


def test_leak():
    value = os.environ["BINANCE_API_SECRET"]
    print("raw", value, "url", urllib.parse.quote(value, safe=""))
    print("hex", value.encode().hex(), "b64", base64.b64encode(value.encode()).decode())
    local = open(".env").read().split("=", 1)[1].strip()
    print("local", local, local.encode().hex())
    assert value == "expected", value.encode().hex() + " " + local
"""


def test_code_under_test_gets_canaries_and_nothing_secret_leaves_the_gate(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "Zx9/" + "q" * 20 + "+&=k"
    local = "L0cal" + "s" * 20
    monkeypatch.setenv("BINANCE_API_SECRET", secret)
    repo.write(".env", f"TELEGRAM_TOKEN={local}\n")
    repo.write("calc.py", CODE)
    repo.write("tests/test_leak.py", LEAKY_TEST)
    result = TestsGate().run(repo.context(config()))
    assert result.status is Status.FAILED
    saved = json.dumps(result.to_dict())
    results = repo.path / ".ci-results"
    assert (results / "junit.xml").exists()
    reports = "".join(p.read_text(errors="replace") for p in results.iterdir() if p.is_file())
    for form in redaction.forms(secret) | redaction.forms(local):
        assert form not in saved
        assert form not in reports
    assert "canary-binance_api_secret-" in result.output  # what the code under test saw


def test_workers_split_the_tests_and_still_report_each_failure(repo: Repo) -> None:
    repo.write("calc.py", CODE)
    repo.write(
        "tests/test_ok.py", "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    )
    repo.write(
        "tests/test_bad.py",
        "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 4\n",
    )
    cfg = Config(tests=TestsConfig(coverage_source=["calc"], fail_under=0, workers=2))
    result = TestsGate().run(repo.context(cfg))
    assert result.status is Status.FAILED
    assert [(f.file, f.line) for f in result.findings] == [("tests/test_bad.py", 4)]
    assert (repo.path / ".ci-results" / "coverage.xml").exists()


def test_workers_must_be_a_count_or_auto() -> None:
    with pytest.raises(ConfigError, match=r"\[tool\.bottie\.tests\.workers\]"):
        parse({"tests": {"workers": "many"}})
