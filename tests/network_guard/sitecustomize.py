"""The network guard: during the tests, nothing may reach an address outside the loopback.

``scripts/test.sh`` puts this folder on ``PYTHONPATH`` and sets ``COURSE_NETWORK_GUARD=1``, so
Python runs this file at start-up in every process of the test run: pytest itself, the nbval
notebook kernels and any subprocess they start. The root ``conftest.py`` also installs it in
the pytest process, however pytest was started.

A connection to 127.0.0.0/8, ::1 or a Unix socket goes through (the tests' own HTTP servers, the
kernels' sockets); any other one, or the name look-up before it, fails at once with
:class:`NetworkBlockedError`, which names the test (``PYTEST_CURRENT_TEST``) or the process.
It is not an ``OSError``, so no library mistakes it for "offline" and carries on.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class NetworkBlockedError(RuntimeError):
    """An attempt to reach the network from a test or a notebook under test."""


def _is_loopback(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the local machine
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).split("%", 1)[0]
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: resolving it would need the network


def _refuse(host: object, port: object) -> None:
    where = os.environ.get("PYTEST_CURRENT_TEST") or f"process {os.getpid()} ({' '.join(sys.argv)[:120]})"
    raise NetworkBlockedError(
        f"network access to {host}:{port} refused in {where}. Tests and notebooks never reach the "
        "network: only 127.0.0.0/8 and ::1 are allowed. Use the mirror (COURSE_MIRROR) or a local "
        "test server on 127.0.0.1.")


def install() -> None:
    """Refuse every connection and name look-up that would leave this machine (idempotent)."""
    if getattr(socket, "_course_network_guard", False):
        return
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def checked(address: object) -> None:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            _refuse(address[0], address[1])

    def connect(self, address):
        checked(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        checked(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, port, *args, **kwargs):
        if not _is_loopback(host):
            _refuse(host, port)
        return real_getaddrinfo(host, port, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.getaddrinfo = getaddrinfo
    socket._course_network_guard = True


if os.environ.get("COURSE_NETWORK_GUARD") == "1":
    install()
