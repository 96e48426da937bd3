"""The example bot's HTTP API: health, status, and an order route that refuses unless allowed."""

from __future__ import annotations

import sys
import time
import uuid
from typing import Any, Literal

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot import logging_setup
from bot.settings import Settings, SettingsError, load
from bot.state import StateStore

log = structlog.get_logger("bot")


class OrderRequest(BaseModel):
    symbol: str = Field(pattern=r"^[A-Z0-9]{4,20}$")
    side: Literal["BUY", "SELL"]
    quote_usdt: float = Field(gt=0)


class Refusal(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OrderDesk:
    """Decides whether an order may be placed. This example records paper orders only:
    it never calls the exchange, so the pipeline can smoke and deploy it safely."""

    def __init__(self, settings: Settings, store: StateStore) -> None:
        self.settings = settings
        self.store = store
        self._last_order_at: float | None = None

    def check(self, order: OrderRequest) -> None:
        s = self.settings
        if not s.trade_enabled:
            raise Refusal("trading is disabled (TRADE_ENABLED=0)")
        if not s.execution_runtime_enabled:
            raise Refusal("the execution runtime is disabled (EXECUTION_RUNTIME_ENABLED=0)")
        now = time.monotonic()
        if self._last_order_at is not None and now - self._last_order_at < s.trade_cooldown_seconds:
            raise Refusal(f"cooldown: wait {s.trade_cooldown_seconds}s between orders")
        position = self.store.positions().get(order.symbol, 0.0)
        after = position + (order.quote_usdt if order.side == "BUY" else -order.quote_usdt)
        if abs(after) > s.max_position_usdt:
            raise Refusal(f"position would exceed MAX_POSITION_USDT={s.max_position_usdt}")

    def place(self, order: OrderRequest) -> dict[str, Any]:
        self.check(order)
        record = {
            "id": uuid.uuid4().hex,
            "symbol": order.symbol,
            "side": order.side,
            "quote_usdt": order.quote_usdt,
            "at": time.time(),
            "paper": True,
        }
        self.store.record_order(record)
        self._last_order_at = time.monotonic()
        return record


def create_app(settings: Settings) -> FastAPI:
    store = StateStore(settings.state_dir)
    desk = OrderDesk(settings, store)
    app = FastAPI(title="bottie example bot", version=settings.bot_version)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "network": settings.network,
            "trade_enabled": settings.trade_enabled,
            "version": settings.bot_version,
        }

    @app.get("/status")
    def status() -> dict[str, Any]:
        return {
            "toggles": {
                "trade_enabled": settings.trade_enabled,
                "execution_runtime_enabled": settings.execution_runtime_enabled,
                "sentiment_enabled": settings.sentiment_enabled,
                "quantum_enabled": settings.quantum_enabled,
            },
            "trade_cooldown_seconds": settings.trade_cooldown_seconds,
            "max_position_usdt": settings.max_position_usdt,
            "dashboard_poll_seconds": settings.dashboard_poll_seconds,
            "positions": store.positions(),
            "orders": len(store.orders()),
        }

    @app.post("/orders", status_code=201)
    def place_order(order: OrderRequest) -> JSONResponse:
        try:
            record = desk.place(order)
        except Refusal as refusal:
            log.info("order refused", symbol=order.symbol, reason=refusal.reason)
            return JSONResponse({"refused": refusal.reason}, status_code=403)
        log.info("order placed", order_id=record["id"], symbol=order.symbol)
        return JSONResponse(record, status_code=201)

    log.info("bot started", network=settings.network, trade_enabled=settings.trade_enabled)
    return app


def from_environment() -> FastAPI:
    """The app factory uvicorn calls (`uvicorn --factory bot.app:from_environment`)."""
    try:
        settings = load()
    except SettingsError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(3) from None
    logging_setup.configure(settings.log_level)
    return create_app(settings)
