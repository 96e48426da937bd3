"""A loopback stand-in for api.github.com (we cannot reach it here): it serves the run,
approvals and workflow-runs documents a test sets, and records each request's headers.

It follows the documented shapes of the REST API (version 2022-11-28) in what our code
relies on:
- Authentication: a request without `Authorization: Bearer <token>` (or the older
  `token <token>`) for the one token it knows is answered 401 `{"message": "Bad
  credentials"}` ("Authenticating to the REST API", docs.github.com/en/rest/authentication).
- List endpoints that wrap their items (`GET .../actions/workflows/{id}/runs` answers
  `{"total_count": N, "workflow_runs": [...]}`, "List workflow runs for a workflow") are
  filtered by the `event` and `status` query parameters (`status=success` matches the
  run's conclusion) and paginated: `per_page` (default 30, at most 100), `page`
  (default 1), and a `Link` header with `rel="next"`, `"prev"`, `"first"`, `"last"`
  ("Using pagination in the REST API"). `total_count` counts every match, not the page.
- A bare JSON array (the run's `/approvals`, "List approvals for a workflow run") is
  served as is: that endpoint takes no pagination parameters.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "ghs_" + "E" * 36
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
BAD_CREDENTIALS = {
    "message": "Bad credentials",
    "documentation_url": "https://docs.github.com/rest",
    "status": "401",
}
# The wrapped list in each paginated document, by key.
_LISTS = ("workflow_runs", "jobs", "artifacts")


class FakeGitHub:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.routes: dict[str, Any] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.url = ""


def _authorized(header: str | None, token: str) -> bool:
    scheme, _, value = (header or "").partition(" ")
    return scheme.lower() in ("bearer", "token") and value == token


def _matches(item: dict[str, Any], query: dict[str, str]) -> bool:
    if "event" in query and item.get("event") != query["event"]:
        return False
    status = query.get("status")
    return status is None or status in (item.get("status"), item.get("conclusion"))


def _page(
    document: dict[str, Any], key: str, base: str, query: dict[str, str]
) -> tuple[dict[str, Any], str]:
    """One page of a wrapped list and its Link header."""
    matching = [item for item in document[key] if _matches(item, query)]
    per_page = min(int(query.get("per_page", DEFAULT_PER_PAGE)), MAX_PER_PAGE)
    page = max(int(query.get("page", 1)), 1)
    last = max(math.ceil(len(matching) / per_page), 1)
    body = {
        **document,
        "total_count": len(matching),
        key: matching[(page - 1) * per_page : page * per_page],
    }

    def link(number: int, rel: str) -> str:
        return f'<{base}?{urlencode({**query, "page": number})}>; rel="{rel}"'

    links = []
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links += [link(1, "first"), link(page - 1, "prev")]
    return body, ", ".join(links)


@contextmanager
def serving(fake: FakeGitHub) -> Iterator[FakeGitHub]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            # The path as sent: http.server folds a leading "//" into "/", GitHub does not.
            raw = self.requestline.split(" ")[1]
            parts = urlsplit(raw) if not raw.startswith("//") else urlsplit(f"http://x{raw}")
            fake.requests.append((raw, dict(self.headers)))
            if not _authorized(self.headers.get("Authorization"), fake.token):
                return self._reply(401, BAD_CREDENTIALS)
            if parts.path not in fake.routes:
                return self._reply(404, {"message": "Not Found"})
            document = fake.routes[parts.path]
            if isinstance(document, bytes):  # a test's malformed answer, served as is
                return self._reply(200, document)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            key = next((k for k in _LISTS if isinstance(document, dict) and k in document), None)
            if key is None:
                return self._reply(200, document)
            body, link = _page(document, key, f"{fake.url}{parts.path}", query)
            return self._reply(200, body, link)

        def _reply(self, status: int, document: Any, link: str = "") -> None:
            body = document if isinstance(document, bytes) else json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if link:
                self.send_header("Link", link)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
