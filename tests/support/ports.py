"""Free ports on loopback, so that parallel instances never collide."""

from __future__ import annotations

import random
import socket


def free_port(kind: int = socket.SOCK_STREAM, span: int = 1) -> int:
    """A port free for both TCP and UDP on 127.0.0.1 right now, with the ``span - 1`` ports
    after it free too (baresip, say, takes its SIP port + 1 for TLS)."""
    while True:
        with socket.socket(socket.AF_INET, kind) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        ports = range(port, port + span)
        if all(_bindable(p, k) for p in ports for k in (socket.SOCK_STREAM, socket.SOCK_DGRAM)):
            return port


def _bindable(port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except (OSError, OverflowError):  # taken, or past 65535
            return False
    return True


def free_udp_range(size: int) -> int:
    """The first port of ``size`` consecutive UDP ports free on 127.0.0.1."""
    for _ in range(200):
        base = random.randrange(20000, 60000 - size, 2)
        socks = []
        try:
            for port in range(base, base + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
        return base
    raise RuntimeError(f"no {size} consecutive free UDP ports")
