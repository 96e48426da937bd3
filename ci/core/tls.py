"""The TLS context of the pipeline's HTTPS requests, built once a process.

`httpx.get` builds a new one for each request, and building one reads the whole CA bundle
(about 20 ms of CPU): a command that asks GitHub or an exchange several things paid that
each time. This is the context httpx would build (httpx.create_ssl_context: SSL_CERT_FILE,
then SSL_CERT_DIR, then certifi's bundle), kept for as long as those variables say the same.
"""

from __future__ import annotations

import functools
import os
import ssl


def context() -> ssl.SSLContext:
    return _context(os.environ.get("SSL_CERT_FILE", ""), os.environ.get("SSL_CERT_DIR", ""))


@functools.cache
def _context(cert_file: str, cert_dir: str) -> ssl.SSLContext:
    import httpx  # the commands that make no request never import it

    return httpx.create_ssl_context()
