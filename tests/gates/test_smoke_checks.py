"""The smoke gate's judgements, one at a time: what counts as an order refused, a leak, a
recorded order, a run that could prove nothing. tests/gates/test_smoke.py runs the same
checks end to end against real processes; these say exactly what each one decides."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from ci.core.config import AppConfig
from ci.core.profile import NO_PROFILE, KillSwitch, Probes, Profile
from ci.gates import smoke_probe
from ci.gates.smoke_probe import leaks, order_verdict
from tests.helpers import example_config

REFUSED = [403, 409]
CANARY = "canary0123456789abcdef0123456789abcdef"


# -- is the order refused? --------------------------------------------------------------------
@pytest.mark.parametrize("status", REFUSED)
def test_a_listed_refusal_proves_the_kill_switch(status: int) -> None:
    assert order_verdict("/orders", status, REFUSED) is None


@pytest.mark.parametrize("status", [200, 201, 299])
def test_an_accepted_order_fails_naming_the_switch_and_status(status: int) -> None:
    assert order_verdict("/orders", status, REFUSED) == (
        f"POST /orders accepted an order with {{switch}} ({status})"
    )


@pytest.mark.parametrize("status", [404, 405])
def test_a_missing_order_route_proves_nothing(status: int) -> None:
    assert order_verdict("/orders", status, REFUSED) == (
        f"POST /orders answered {status}: no such order route, so nothing proves refusal"
    )


@pytest.mark.parametrize("status", [400, 422])
def test_an_order_the_bot_did_not_understand_proves_nothing(status: int) -> None:
    assert order_verdict("/orders", status, REFUSED) == (
        f"POST /orders answered {status}: the probe's order was not understood "
        "(fix [tool.bottie.profile.probes] order_body), so nothing proves refusal"
    )


@pytest.mark.parametrize("status", [199, 300, 401, 500, 503])
def test_any_other_answer_is_not_a_refusal(status: int) -> None:
    assert order_verdict("/orders", status, REFUSED) == (
        f"POST /orders answered {status}, which is not a refusal (403, 409)"
    )


def test_a_crash_listed_as_a_refusal_counts_as_one() -> None:
    assert order_verdict("/orders", 503, [503]) is None


# -- did a canary leak? -----------------------------------------------------------------------
FORMS = {
    "raw": CANARY,
    "upper-case": CANARY.upper(),
    "url-encoded": quote(CANARY + "/+", safe=""),
    "base64": base64.b64encode(CANARY.encode()).decode(),
    "urlsafe base64 unpadded": base64.urlsafe_b64encode(CANARY.encode()).decode().rstrip("="),
    "hex": CANARY.encode().hex(),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_canary_in_any_form_in_a_response_is_a_leak(form: str) -> None:
    value = CANARY + "/+" if form == "url-encoded" else CANARY
    shown = f'{{"debug": "{FORMS[form]}"}}'
    assert leaks({"BINANCE_API_SECRET": value}, shown, "") == [
        "BINANCE_API_SECRET leaked in an HTTP response"
    ]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_canary_in_any_form_in_the_log_is_a_leak(form: str) -> None:
    value = CANARY + "/+" if form == "url-encoded" else CANARY
    assert leaks({"BINANCE_API_KEY": value}, "", f"using key {FORMS[form]}\n") == [
        "BINANCE_API_KEY leaked in the app's log output"
    ]


def test_each_leak_is_named_once_per_place_and_canary() -> None:
    other = "canaryfedcba9876543210fedcba9876543210"
    canaries = {"BINANCE_API_KEY": CANARY, "BINANCE_API_SECRET": other}
    assert leaks(canaries, f"{CANARY} {CANARY.upper()}", f"{other}\n{CANARY}") == [
        "BINANCE_API_KEY leaked in an HTTP response",
        "BINANCE_API_KEY leaked in the app's log output",
        "BINANCE_API_SECRET leaked in the app's log output",
    ]


def test_output_without_a_canary_is_no_leak() -> None:
    assert leaks({"BINANCE_API_KEY": CANARY}, "canary0123 ok", "canary 0123456789") == []


# -- was an order recorded? -------------------------------------------------------------------
def test_only_state_files_holding_a_record_count_as_written(tmp_path: Path) -> None:
    for name, content in {
        "empty.json": "",
        "blank.json": "  \n",
        "list.json": "[]",
        "object.json": "{}\n",
        "orders.json": '[{"symbol": "BTCUSDT"}]',
        "positions.json": '{"BTCUSDT": 1}',
    }.items():
        (tmp_path / name).write_text(content)
    names = ["positions.json", "missing.json", "empty.json", "blank.json", "list.json"]
    names += ["object.json", "orders.json"]
    written = smoke_probe._state_files_written(tmp_path, names)
    assert written == ["positions.json", "orders.json"]


# -- could the run prove anything? ------------------------------------------------------------
def test_a_described_bot_with_a_kill_switch_and_order_route_can_be_smoked() -> None:
    config = example_config()
    assert smoke_probe._unusable(config.app, config.profile) is None


def test_no_app_command_fails_closed() -> None:
    config = example_config()
    assert smoke_probe._unusable(AppConfig(command=[]), config.profile) == (
        "no app command in [tool.bottie.app] command: nothing to start"
    )


def test_no_profile_fails_closed() -> None:
    assert smoke_probe._unusable(example_config().app, Profile()) == NO_PROFILE


def test_no_kill_switch_fails_closed() -> None:
    config = example_config()
    profile = config.profile.model_copy(update={"kill_switch": None})
    assert smoke_probe._unusable(config.app, profile) == (
        "the bot profile names no kill switch: the smoke run cannot turn trading off"
    )


def test_no_order_route_fails_closed() -> None:
    profile = Profile(kill_switch=KillSwitch(name="TRADE_ENABLED", off="0"), probes=Probes())
    assert smoke_probe._unusable(example_config().app, profile) == (
        "the bot profile names no order route (probes.order): nothing proves orders are refused"
    )


# -- what the app is given and what is read back ----------------------------------------------
def test_the_app_inherits_the_environment_without_its_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BINANCE_API_SECRET", "real-secret-value")
    monkeypatch.setenv("GITHUB_TOKEN", "real-token-value")
    monkeypatch.setenv("BOTTIE_SMOKE_MARKER", "kept")
    inherited = smoke_probe._inherited_env()
    assert inherited["BOTTIE_SMOKE_MARKER"] == "kept"
    assert "BINANCE_API_SECRET" not in inherited
    assert "GITHUB_TOKEN" not in inherited


def test_a_response_is_scanned_with_its_headers() -> None:
    response = httpx.Response(200, headers={"X-Debug": "header-value"}, text="body-value")
    text = smoke_probe._as_text(response)
    assert "x-debug: header-value" in text
    assert text.endswith("\nbody-value")


@pytest.mark.parametrize(
    ("said", "lost"),
    [
        ("OSError: [Errno 98] Address already in use\n", True),
        ("ERROR: [Errno 98] ADDRESS ALREADY IN USE\n", True),
        ("boom: missing config\n", False),
    ],
)
def test_an_app_lost_its_port_only_when_it_exited_saying_so(
    tmp_path: Path, said: str, lost: bool
) -> None:
    log = tmp_path / "app.log"
    log.write_text(said)
    exited = subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])
    exited.wait()
    assert smoke_probe._lost_its_port(smoke_probe._Running(exited, log, "")) is lost
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert smoke_probe._lost_its_port(smoke_probe._Running(alive, log, "")) is False
    finally:
        alive.kill()
        alive.wait()
