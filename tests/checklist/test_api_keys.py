"""The api-keys item: testnet by URL, mainnet by asking (a stand-in for) Binance."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from ci.checklist.build import Attestation, attest
from ci.checklist.exchanges.binance import fetch_restrictions
from ci.checklist.exchanges.interface import Credentials
from ci.checklist.exchanges.interface import ExchangeError as BinanceError
from ci.checklist.items import ItemContext, api_keys
from ci.checklist.model import Item, ItemKind, ItemStatus
from ci.core import settings
from tests.checklist import fake_binance
from tests.checklist.conftest import make_config
from tests.checklist.fake_binance import API_KEY, API_SECRET, FakeBinance


@pytest.fixture
def binance() -> Iterator[FakeBinance]:
    with fake_binance.running() as server:
        yield server


def check(
    env: str, base_url: str, environ: dict[str, str] | None = None, tmp_path: Path = Path()
) -> Item:
    cfg = make_config(**{env: {"vars": {"BINANCE_BASE_URL": base_url}}})
    ctx = ItemContext(
        root=tmp_path,
        config=cfg,
        settings=settings.resolve(cfg, env, environ or {}),
        results={},
        sha="0" * 40,
    )
    return api_keys(ctx)


def mainnet(binance: FakeBinance, secret: str = API_SECRET) -> Item:
    return check("mainnet", binance.url, {"BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": secret})


def assert_no_secrets(item: Item) -> None:
    text = item.model_dump_json()
    assert API_KEY not in text
    assert API_SECRET not in text
    assert "signature=" not in text


class TestMainnetKey:
    def test_minimal_scope_key_passes(self, binance: FakeBinance) -> None:
        item = mainnet(binance)
        assert (item.status, item.kind) == (ItemStatus.PASSED, ItemKind.AUTOMATIC)
        assert len(binance.requests) == 1
        assert_no_secrets(item)

    @pytest.mark.parametrize(
        ("permission", "value", "reason"),
        [
            ("enableWithdrawals", True, "withdrawals are enabled"),
            ("permitsUniversalTransfer", True, "universal transfer is permitted"),
            ("enableInternalTransfer", True, "internal transfer is enabled"),
            ("ipRestrict", False, "the key is not restricted to trusted IPs"),
        ],
    )
    def test_too_powerful_key_fails_naming_the_permission(
        self, binance: FakeBinance, permission: str, value: bool, reason: str
    ) -> None:
        binance.restrictions[permission] = value
        item = mainnet(binance)
        assert item.status is ItemStatus.FAILED
        assert item.evidence == f"the key is too powerful: {reason}"

    def test_a_permission_binance_did_not_report_counts_as_too_wide(
        self, binance: FakeBinance
    ) -> None:
        del binance.restrictions["enableWithdrawals"]
        assert mainnet(binance).evidence == "the key is too powerful: withdrawals are enabled"

    def test_bad_signature_is_refused_by_the_server_and_the_item_fails(
        self, binance: FakeBinance
    ) -> None:
        item = mainnet(binance, secret="not-the-secret-that-belongs-to-this-key")
        assert item.status is ItemStatus.FAILED
        assert item.evidence == (
            f"could not check the key: {binance.url}/sapi/v1/account/apiRestrictions: "
            "refused with HTTP 400: Binance error -1022: Signature for this request is not valid."
        )
        assert "not-the-secret" not in item.evidence
        assert_no_secrets(item)

    def test_a_key_binance_does_not_know_fails_without_naming_it(
        self, binance: FakeBinance
    ) -> None:
        unknown = "unknownKeyThatBinanceNeverIssued0123456789"
        item = check(
            "mainnet",
            binance.url,
            {"BINANCE_API_KEY": unknown, "BINANCE_API_SECRET": API_SECRET},
        )
        assert item.status is ItemStatus.FAILED
        assert item.evidence == (
            f"could not check the key: {binance.url}/sapi/v1/account/apiRestrictions: "
            "refused with HTTP 401: Binance error -2015: "
            "Invalid API-key, IP, or permissions for action."
        )
        assert unknown not in item.model_dump_json()
        assert_no_secrets(item)

    def test_unreachable_server_fails_without_leaking_the_signature(self) -> None:
        with fake_binance.running() as server:
            url = server.url  # closed once the block ends: nothing listens there
        item = check("mainnet", url, {"BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET})
        assert item.status is ItemStatus.FAILED
        assert item.evidence.startswith(f"could not check the key: {url}/sapi/v1/account/")
        assert "request failed" in item.evidence
        assert_no_secrets(item)

    def test_no_key_at_hand_is_missing_until_attested(self) -> None:
        item = check("mainnet", "https://api.binance.com")
        assert item.status is ItemStatus.MISSING
        attested = attest(item, Attestation(frozenset({"api-keys"}), "alice"))
        assert (attested.status, attested.kind) == (ItemStatus.ATTESTED, ItemKind.ATTESTED)
        assert attested.evidence.startswith("attested by alice (")

    def test_a_failed_check_cannot_be_attested_away(self, binance: FakeBinance) -> None:
        binance.restrictions["enableWithdrawals"] = True
        item = attest(mainnet(binance), Attestation(frozenset({"api-keys"}), "alice"))
        assert item.status is ItemStatus.FAILED

    def test_mainnet_pointing_at_a_testnet_host_fails(self) -> None:
        item = check("mainnet", "https://testnet.binance.vision")
        assert item.status is ItemStatus.FAILED
        assert "testnet host 'testnet.binance.vision'" in item.evidence


class TestTestnet:
    def test_testnet_host_passes_without_any_request(self) -> None:
        item = check("testnet", "https://testnet.binance.vision/")
        assert item.status is ItemStatus.PASSED

    def test_testnet_environment_on_a_mainnet_host_fails(self) -> None:
        item = check("testnet", "https://api.binance.com")
        assert item.status is ItemStatus.FAILED
        assert item.evidence == "BINANCE_BASE_URL host 'api.binance.com' is not a testnet"

    def test_unset_base_url_fails(self) -> None:
        cfg = make_config(testnet={"vars": {}})
        ctx = ItemContext(Path(), cfg, settings.resolve(cfg, "testnet", {}), {}, "0" * 40)
        assert api_keys(ctx).evidence == "BINANCE_BASE_URL is not set"

    def test_process_environment_overrides_the_config(self) -> None:
        item = check(
            "testnet",
            "https://testnet.binance.vision",
            {"BINANCE_BASE_URL": "https://api.binance.com"},
        )
        assert item.status is ItemStatus.FAILED


class TestRequestTime:
    """Binance refuses a signed request outside its recvWindow (error -1021): the request
    must carry the current time in milliseconds."""

    def fetch(self, binance: FakeBinance, clock: Callable[[], float]) -> dict[str, object]:
        return fetch_restrictions(
            binance.url, Credentials(API_KEY, API_SECRET), timeout=5, clock=clock
        )

    def test_a_request_within_the_window_is_answered(self, binance: FakeBinance) -> None:
        binance.clock = lambda: 1_700_000_004.0  # the server is 4 s ahead: within 5 s
        assert self.fetch(binance, lambda: 1_700_000_000.0) == fake_binance.MINIMAL

    @pytest.mark.parametrize(
        ("client_time", "message"),
        [
            pytest.param(1_699_999_990.0, "outside of the recvWindow", id="stale"),
            pytest.param(1_700_000_002.0, "ahead of the server", id="ahead"),
        ],
    )
    def test_a_request_outside_the_window_is_refused(
        self, binance: FakeBinance, client_time: float, message: str
    ) -> None:
        binance.clock = lambda: 1_700_000_000.0
        with pytest.raises(BinanceError, match=f"Binance error -1021: .*{message}") as refused:
            self.fetch(binance, lambda: client_time)
        assert "signature=" not in str(refused.value)

    def test_the_item_passes_only_with_the_time_in_milliseconds(self, binance: FakeBinance) -> None:
        """The real clock, through the item: a timestamp in seconds or microseconds would
        be refused by the server."""
        assert mainnet(binance).status is ItemStatus.PASSED
        sent = parse_qs(urlsplit(binance.requests[-1]).query)
        assert abs(int(sent["timestamp"][0]) - time.time() * 1000) < 5000
