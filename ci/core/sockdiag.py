"""The sockets listening on a TCP port, asked of the kernel through sock_diag netlink.

Reading /proc/net/tcp walks every bucket of the kernel's connection table, listening or not:
about 14 ms a file on a busy host, paid on the deploy's critical path once the new bot answers.
A sock_diag dump of listening sockets only walks the listeners (about 0.1 ms). Linux only;
None wherever the kernel does not answer, and the caller reads /proc instead.

Standard library only: the deploy agent runs this on a bot's host.
"""

from __future__ import annotations

import socket
import struct

_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_REQUEST_DUMP = 0x1 | 0x300  # NLM_F_REQUEST | NLM_F_DUMP
_DONE, _ERROR = 3, 2
_LISTEN = 1 << 10  # TCP_LISTEN as a state bit
_HEADER = struct.Struct("=LHHLL")  # struct nlmsghdr
_REQUEST = struct.Struct("=BBBBI48x")  # struct inet_diag_req_v2, its socket id left zero
# struct inet_diag_msg: 4 bytes, then the socket id, whose first field is the source port
# (big-endian); the inode is the last field, at byte 68.
_PORT = struct.Struct(">H")
_PORT_AT, _INODE_AT = 4, 68
_INODE = struct.Struct("=I")


def listening_inodes(port: int) -> set[int] | None:
    """The inodes of the TCP sockets (IPv4 and IPv6) listening on `port`, or None when the
    kernel cannot be asked."""
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_SOCK_DIAG) as sock:
            sock.settimeout(2.0)
            found: set[int] = set()
            for family in (socket.AF_INET, socket.AF_INET6):
                found |= _dump(sock, family, port)
            return found
    except (OSError, AttributeError, struct.error):
        return None  # no netlink (not Linux), no sock_diag in this kernel, a short answer


def _dump(sock: socket.socket, family: int, port: int) -> set[int]:
    """One family's listeners on `port`: a dump request, then its answers until DONE."""
    request = _REQUEST.pack(family, socket.IPPROTO_TCP, 0, 0, _LISTEN)
    header = _HEADER.pack(_HEADER.size + len(request), _SOCK_DIAG_BY_FAMILY, _REQUEST_DUMP, 1, 0)
    sock.send(header + request)
    found: set[int] = set()
    while True:
        data = sock.recv(65536)
        if not data:
            raise OSError("sock_diag: the kernel closed the dump")
        offset = 0
        while offset + _HEADER.size <= len(data):
            length, kind, _, _, _ = _HEADER.unpack_from(data, offset)
            if kind == _DONE:
                return found
            if kind == _ERROR or length < _HEADER.size:
                raise OSError("sock_diag: the kernel refused the dump")
            body = offset + _HEADER.size
            if _PORT.unpack_from(data, body + _PORT_AT)[0] == port:
                found.add(_INODE.unpack_from(data, body + _INODE_AT)[0])
            offset += (length + 3) & ~3  # each message is padded to 4 bytes
