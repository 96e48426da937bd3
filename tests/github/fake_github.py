"""A loopback stand-in for api.github.com (we cannot reach it here): it serves the run,
approvals and workflow-runs documents a test sets, and records each request's headers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeGitHub:
    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        # path -> one answer per `page` query parameter (1-based); past the end, no runs.
        self.pages: dict[str, list[Any]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.url = ""


@contextmanager
def serving(fake: FakeGitHub) -> Iterator[FakeGitHub]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            fake.requests.append((self.path, dict(self.headers)))
            if path in fake.pages:
                page = int(parse_qs(parts.query).get("page", ["1"])[0])
                pages = fake.pages[path]
                answer = pages[page - 1] if page <= len(pages) else {"workflow_runs": []}
                fake.routes[path] = answer
            if path not in fake.routes:
                self.send_response(404)
                self.end_headers()
                return
            body = json.dumps(fake.routes[path]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
