"""A pytest plugin (loaded by tests/conftest.py): under CI=true (GitHub Actions, .ci/run)
a skipped end-to-end test is a failure. Those are the only tests that run the workflows,
so a run that skipped them has not passed, whatever made them skip. A module skipped
whole at collection fails too: its markers cannot be seen then, and no module of this
suite skips itself."""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _reason(report: pytest.CollectReport | pytest.TestReport) -> object:
    return report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.skipped and _under_ci() and item.get_closest_marker("e2e") is not None:
        report.outcome = "failed"
        report.longrepr = f"an end-to-end test may not skip under CI=true: {_reason(report)}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    if report.skipped and _under_ci() and isinstance(collector, pytest.Module):
        report.outcome = "failed"
        report.longrepr = f"a test module may not skip under CI=true: {_reason(report)}"
    return report
