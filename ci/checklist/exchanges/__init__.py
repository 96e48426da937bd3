"""Exchange credential-scope checks, one plug-in per exchange, chosen by the profile's
`exchange`. Each module satisfies `interface.ScopeCheck`; `PLUGINS` is the registry."""

from __future__ import annotations

from ci.checklist.exchanges import binance, bybit, okx
from ci.checklist.exchanges.interface import Credentials, ExchangeError, ScopeCheck

PLUGINS: dict[str, ScopeCheck] = {
    "binance": binance.check_scope,
    "bybit": bybit.check_scope,
    "okx": okx.check_scope,
}

__all__ = ["PLUGINS", "Credentials", "ExchangeError", "ScopeCheck"]
