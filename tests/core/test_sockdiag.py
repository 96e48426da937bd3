"""The listeners on a port, asked of the kernel (sock_diag) for real, agree with /proc/net/tcp;
and when the kernel cannot be asked, the deploy's proof of who listens still holds."""

from __future__ import annotations

import os
import socket
import sys

import pytest

from ci.core import runtime, sockdiag
from tests.helpers import free_ports

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux netlink and /proc")


def inode(sock: socket.socket) -> int:
    return os.fstat(sock.fileno()).st_ino


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_a_listening_socket_is_named_by_both_sources(host: str) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.create_server((host, 0), family=family) as server:
        port = server.getsockname()[1]
        assert sockdiag.listening_inodes(port) == {inode(server)}
        assert runtime._listening_in_proc(port) == {f"socket:[{inode(server)}]"}


def test_connected_sockets_and_other_ports_are_not_listeners() -> None:
    (nobody,) = free_ports(1)
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = server.accept()
            with accepted:
                # The server's side of the connection has the same local port: not a listener.
                assert sockdiag.listening_inodes(port) == {inode(server)}
                assert sockdiag.listening_inodes(client.getsockname()[1]) == set()
        assert sockdiag.listening_inodes(nobody) == set()


def test_without_sock_diag_the_group_s_port_is_read_from_proc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sockdiag, "listening_inodes", lambda port: None)
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert runtime.group_listens(os.getpgid(0), port) is True
        assert runtime.listening_groups(port) == {os.getpgid(0)}
        assert runtime.group_listens(os.getpgid(0), free_ports(1)[0]) is False


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_each_of_many_listeners_is_found_by_its_own_port(host: str) -> None:
    """The kernel packs many listeners into one answer: each message is read at its own
    offset, not only the first."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    servers = [socket.create_server((host, 0), family=family) for _ in range(12)]
    try:
        for server in servers:
            assert sockdiag.listening_inodes(server.getsockname()[1]) == {inode(server)}
    finally:
        for server in servers:
            server.close()
