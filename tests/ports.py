"""A free TCP port on the loopback address, for the servers the tests start."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nobody listens on at this moment (the kernel's pick for a fresh bind)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
