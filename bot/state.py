"""The bot's JSON state (positions, orders), written atomically, never half a file."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

POSITIONS = "positions.json"
ORDERS = "orders.json"


class StateStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)

    def read(self, name: str, default: Any) -> Any:
        path = self.directory / name
        if not path.exists():
            return default
        return json.loads(path.read_text(encoding="utf-8"))

    def write(self, name: str, data: Any) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(self.directory / name)

    def orders(self) -> list[dict[str, Any]]:
        return list(self.read(ORDERS, []))

    def positions(self) -> dict[str, float]:
        return dict(self.read(POSITIONS, {}))

    def record_order(self, order: dict[str, Any]) -> None:
        with self._lock:
            orders = self.orders()
            orders.append(order)
            positions = self.positions()
            signed = order["quote_usdt"] if order["side"] == "BUY" else -order["quote_usdt"]
            positions[order["symbol"]] = positions.get(order["symbol"], 0.0) + signed
            self.write(ORDERS, orders)
            self.write(POSITIONS, positions)
