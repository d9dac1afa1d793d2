"""One SIP OPTIONS over UDP and its answer: whether a SIP server (the front, a node's
Asterisk) is there. Used where a process is alive but may not speak SIP, or a node's
daemon is gone but its Asterisk may still carry calls."""

from __future__ import annotations

import secrets
import socket


def options_reply(host: str, port: int, timeout: float = 1.0, source: str = "") -> bytes | None:
    """The first line of the answer to an OPTIONS sent to ``host:port`` from ``source``
    (default: ``host``, for loopback addresses), None when nothing answered in time."""
    origin = source or host
    branch, tag = secrets.token_hex(8), secrets.token_hex(4)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((origin, 0))
        except OSError:
            return None  # not an address of this machine: no probe from it
        sock.settimeout(timeout)
        mine = sock.getsockname()[1]
        request = (
            f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {origin}:{mine};branch=z9hG4bK{branch};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:probe@{origin}>;tag={tag}\r\n"
            f"To: <sip:{host}:{port}>\r\n"
            f"Call-ID: {branch}@{origin}\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        try:
            sock.sendto(request.encode(), (host, port))
            answer, _ = sock.recvfrom(4096)
        except OSError:
            return None
    return answer.partition(b"\r\n")[0]


def options_answered(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether an OPTIONS to ``host:port`` gets a 200 back (the front is up)."""
    return (options_reply(host, port, timeout) or b"").startswith(b"SIP/2.0 200")


def sip_answers(host: str, port: int, timeout: float = 1.0, source: str = "") -> bool:
    """Whether anything SIP answers at ``host:port`` at all (a 401 or 404 counts: the
    server is alive, it just will not serve an anonymous probe)."""
    return (options_reply(host, port, timeout, source) or b"").startswith(b"SIP/2.0 ")
