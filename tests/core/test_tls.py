"""The TLS context every HTTPS request of the pipeline uses (GitHub, the exchanges): built
once a process, and still the one httpx would build, which checks the server."""

from __future__ import annotations

import ssl
from pathlib import Path

import certifi
import pytest

from ci.core import tls


def test_the_server_is_checked_against_certifis_bundle_and_the_context_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    context = tls.context()
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    bundle = Path(certifi.where()).read_text(encoding="ascii")
    assert context.cert_store_stats()["x509_ca"] == bundle.count("-----BEGIN CERTIFICATE-----")
    assert tls.context() is context  # the CA bundle is read once


def test_ssl_cert_file_names_the_bundle_as_for_httpx(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A company's own CA, say: here the first certificate of certifi's bundle alone.
    end = "-----END CERTIFICATE-----\n"
    first = Path(certifi.where()).read_text(encoding="ascii").split(end)[0]
    bundle = tmp_path / "ca.pem"
    bundle.write_text(first[first.index("-----BEGIN") :] + end, encoding="ascii")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    context = tls.context()
    assert context.cert_store_stats()["x509_ca"] == 1
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
