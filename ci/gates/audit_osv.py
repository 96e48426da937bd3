"""A small OSV-compatible vulnerability service on loopback, serving real advisory records.

It answers the one call pip-audit's OSV service makes (POST /v1/query with a PyPI
package name and version) from a directory laid out like the PyPA advisory
database: `<dir>/<package>/<ID>.yaml` (or .json). It lets the audit run where
osv.dev cannot be reached, and lets tests use real records.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ci.core.errors import CiError


class AdvisoryDb:
    def __init__(self, directory: Path) -> None:
        if not directory.is_dir():
            raise CiError(f"{directory}: no such advisory directory")
        self.directory = directory
        self._dirs = {canonicalize_name(d.name): d for d in directory.iterdir() if d.is_dir()}

    def query(self, name: str, version: str) -> list[dict[str, Any]]:
        folder = self._dirs.get(canonicalize_name(name))
        if folder is None:
            return []
        return [v for v in _records(folder) if affects(v, canonicalize_name(name), version)]


@lru_cache(maxsize=256)
def _records(folder: Path) -> tuple[dict[str, Any], ...]:
    records = []
    for path in sorted(folder.iterdir()):
        if path.suffix in (".yaml", ".yml"):
            records.append(yaml.safe_load(path.read_text(encoding="utf-8")))
        elif path.suffix == ".json":
            records.append(json.loads(path.read_text(encoding="utf-8")))
    return tuple(records)


def affects(record: dict[str, Any], name: str, version: str) -> bool:
    """Whether `version` of PyPI package `name` is affected, per OSV's ranges and lists."""
    try:
        wanted = Version(version)
    except InvalidVersion:
        return False
    for affected in record.get("affected", []):
        package = affected.get("package", {})
        if package.get("ecosystem") != "PyPI" or canonicalize_name(package.get("name", "")) != name:
            continue
        if version in affected.get("versions", []):
            return True
        for rng in affected.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM" and _in_range(wanted, rng.get("events", [])):
                return True
    return False


def _in_range(version: Version, events: list[dict[str, str]]) -> bool:
    affected = False
    for event in events:
        if "introduced" in event:
            start = event["introduced"]
            if start == "0" or version >= Version(start):
                affected = True
        elif _ends(version, event):
            affected = False
    return affected


def _ends(version: Version, event: dict[str, str]) -> bool:
    if "fixed" in event:
        return version >= Version(event["fixed"])
    return "last_affected" in event and version > Version(event["last_affected"])


def _handler(db: AdvisoryDb) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("Content-Length", "0"))
                query = json.loads(self.rfile.read(length))
                package = query["package"]
                vulns = db.query(package["name"], query["version"])
            except (ValueError, KeyError, TypeError):
                self._reply(400, {"code": 3, "message": "invalid query"})
                return
            self._reply(200, {"vulns": vulns} if vulns else {})

        def _reply(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: pip-audit's own output says what was queried

    return Handler


@contextmanager
def serving(directory: Path, port: int = 0) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 in a background thread; yields the query URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(AdvisoryDb(directory)))
    thread = threading.Thread(target=server.serve_forever, name="osv-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    finally:
        server.shutdown()
        server.server_close()
