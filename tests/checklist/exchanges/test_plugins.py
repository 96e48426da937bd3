"""Each exchange's credential-scope plug-in against a loopback stand-in that checks the
exchange's real signing scheme; and the api-keys item choosing the plug-in by profile."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ci.checklist.exchanges import PLUGINS, Credentials, ExchangeError, bybit, okx
from ci.checklist.items import ItemContext, api_keys
from ci.checklist.model import ItemStatus
from ci.core import config, settings
from tests.checklist import fake_bybit, fake_okx
from tests.checklist.fake_bybit import FakeBybit
from tests.checklist.fake_okx import FakeOkx

BYBIT = Credentials(fake_bybit.API_KEY, fake_bybit.API_SECRET)
OKX = Credentials(fake_okx.API_KEY, fake_okx.API_SECRET, fake_okx.PASSPHRASE)


@pytest.fixture
def bybit_server() -> Iterator[FakeBybit]:
    with fake_bybit.running() as server:
        yield server


@pytest.fixture
def okx_server() -> Iterator[FakeOkx]:
    with fake_okx.running() as server:
        yield server


def no_secret_in(text: str, credentials: Credentials) -> None:
    for value in (credentials.key, credentials.secret, credentials.passphrase):
        if value:
            assert value not in text


class TestBybit:
    def test_a_trade_only_ip_bound_key_passes(self, bybit_server: FakeBybit) -> None:
        assert bybit.check_scope(bybit_server.url, BYBIT, timeout=5) == ()
        assert bybit_server.requests == ["/v5/user/query-api"]

    @pytest.mark.parametrize(
        ("change", "problem"),
        [
            ({"Wallet": ["AccountTransfer", "Withdraw"]}, "withdrawals are enabled"),
            ({"Wallet": ["AccountTransfer"]}, "account transfer is enabled"),
        ],
    )
    def test_money_moving_permissions_are_named(
        self, bybit_server: FakeBybit, change: dict[str, Any], problem: str
    ) -> None:
        bybit_server.info["permissions"].update(change)
        assert problem in bybit.check_scope(bybit_server.url, BYBIT, timeout=5)

    @pytest.mark.parametrize("ips", [[], ["*"]])
    def test_a_key_bound_to_no_ip_fails(self, bybit_server: FakeBybit, ips: list[str]) -> None:
        bybit_server.info["ips"] = ips
        problems = bybit.check_scope(bybit_server.url, BYBIT, timeout=5)
        assert problems == ("the key is not bound to trusted IPs",)

    def test_a_wrong_secret_is_refused_by_the_signature_check(
        self, bybit_server: FakeBybit
    ) -> None:
        wrong = Credentials(BYBIT.key, "not-the-secret-of-this-key")
        with pytest.raises(ExchangeError, match=r"retCode 10004: error sign!") as caught:
            bybit.check_scope(bybit_server.url, wrong, timeout=5)
        no_secret_in(str(caught.value), wrong)

    def test_a_stale_timestamp_is_refused(self, bybit_server: FakeBybit) -> None:
        with pytest.raises(ExchangeError, match=r"retCode 10002"):
            bybit.check_scope(bybit_server.url, BYBIT, timeout=5, clock=lambda: time.time() - 60)

    def test_an_unknown_key_is_refused(self, bybit_server: FakeBybit) -> None:
        with pytest.raises(ExchangeError, match=r"HTTP 401: Bybit retCode 10003"):
            bybit.check_scope(bybit_server.url, Credentials("other", BYBIT.secret), timeout=5)

    def test_the_signature_is_hmac_of_timestamp_key_window_and_query(self) -> None:
        # The example's inputs in Bybit's guide, recomputed independently here.
        import hashlib
        import hmac

        expected = hmac.new(b"s", b"1700000000000k5000a=1", hashlib.sha256).hexdigest()
        assert bybit.sign("1700000000000", "k", "5000", "a=1", "s") == expected


class TestOkx:
    def test_a_trade_only_ip_bound_key_passes(self, okx_server: FakeOkx) -> None:
        assert okx.check_scope(okx_server.url, OKX, timeout=5) == ()

    def test_withdraw_permission_fails(self, okx_server: FakeOkx) -> None:
        okx_server.config["perm"] = "read_only,withdraw,trade"
        assert okx.check_scope(okx_server.url, OKX, timeout=5) == ("withdrawals are enabled",)

    def test_no_ip_binding_fails(self, okx_server: FakeOkx) -> None:
        okx_server.config["ip"] = ""
        problems = okx.check_scope(okx_server.url, OKX, timeout=5)
        assert problems == ("the key is not bound to trusted IPs",)

    def test_a_wrong_secret_is_refused(self, okx_server: FakeOkx) -> None:
        wrong = Credentials(OKX.key, "not-the-secret", OKX.passphrase)
        with pytest.raises(
            ExchangeError, match=r"HTTP 401: OKX code 50113: Invalid Sign"
        ) as caught:
            okx.check_scope(okx_server.url, wrong, timeout=5)
        no_secret_in(str(caught.value), wrong)

    def test_a_wrong_passphrase_is_refused(self, okx_server: FakeOkx) -> None:
        wrong = Credentials(OKX.key, OKX.secret, "not-the-passphrase")
        with pytest.raises(ExchangeError, match=r"50105"):
            okx.check_scope(okx_server.url, wrong, timeout=5)

    def test_a_stale_timestamp_is_refused(self, okx_server: FakeOkx) -> None:
        with pytest.raises(ExchangeError, match=r"50102: Timestamp request expired"):
            okx.check_scope(okx_server.url, OKX, timeout=5, clock=lambda: time.time() - 120)

    def test_without_a_passphrase_it_says_so_before_asking(self, okx_server: FakeOkx) -> None:
        with pytest.raises(ExchangeError, match="passphrase"):
            okx.check_scope(okx_server.url, Credentials(OKX.key, OKX.secret), timeout=5)
        assert okx_server.requests == []

    def test_the_timestamp_is_iso_8601_with_milliseconds(self) -> None:
        assert okx.timestamp(1700000000.1234) == "2023-11-14T22:13:20.123Z"


def test_every_named_exchange_has_a_plugin() -> None:
    assert set(PLUGINS) == {"binance", "bybit", "okx"}


def _item(exchange: str, base_url: str, credentials: dict[str, str], names: list[str]) -> Any:
    cfg = config.parse(
        {
            "profile": {
                "exchange": exchange,
                "credentials": names,
                "exchange_url": {"name": "EX_URL", "mainnet_hosts": ["127.0.0.1"]},
            },
            "environments": {"mainnet": {"network": "mainnet", "vars": {"EX_URL": base_url}}},
        }
    )
    ctx = ItemContext(Path(), cfg, settings.resolve(cfg, "mainnet", credentials), {}, "0" * 40)
    return api_keys(ctx)


class TestTheItemChoosesByProfile:
    NAMES = ("OKX_KEY", "OKX_SECRET", "OKX_PASSPHRASE")

    def test_okx_profile_asks_okx_with_the_credentials_by_position(
        self, okx_server: FakeOkx
    ) -> None:
        values = dict(zip(self.NAMES, (OKX.key, OKX.secret, OKX.passphrase), strict=True))
        item = _item("okx", okx_server.url, values, list(self.NAMES))
        assert item.status is ItemStatus.PASSED, item.evidence
        okx_server.config["perm"] = "withdraw"
        item = _item("okx", okx_server.url, values, list(self.NAMES))
        assert (item.status, item.evidence) == (
            ItemStatus.FAILED,
            "the key is too powerful: withdrawals are enabled",
        )
        no_secret_in(item.model_dump_json(), OKX)

    def test_an_exchange_without_a_plugin_is_left_to_attest(self) -> None:
        values = {"K": "k", "S": "s"}
        item = _item("kraken", "https://127.0.0.1", values, ["K", "S"])
        assert item.status is ItemStatus.MISSING
        assert "no permission check for exchange kraken" in item.evidence
