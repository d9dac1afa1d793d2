"""Timestamps from the wire: a loopback packet capture of SIP and RTP, and what it tells.

Everything the IVR benchmark reports is read off packets, not off either side's logs:
the kernel stamps each packet (SO_TIMESTAMPNS) as it crosses ``lo``, so flow and dialplan
are measured by the same clock in the same way. Needs root (an AF_PACKET socket).
"""

from __future__ import annotations

import dataclasses
import itertools
import socket
import struct
import threading
from collections import defaultdict
from collections.abc import Iterable

ETH_P_IP = 0x0800
PACKET_HOST = 0  # loopback shows every packet twice: outgoing and incoming; keep one
SO_TIMESTAMPNS = 35
SO_RCVBUFFORCE = 33
PT_PCMU, PT_EVENT = 0, 101


@dataclasses.dataclass(frozen=True)
class Packet:
    at: float  # seconds, kernel receive time
    src: int  # UDP source port
    dst: int  # UDP destination port
    payload: bytes


class LoopbackCapture:
    """Keeps the UDP packets on ``lo`` whose either port is in ``ports``."""

    def __init__(self, ports: Iterable[range]) -> None:
        self._ports = list(ports)
        self._packets: list[Packet] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
        self._sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 * 1024 * 1024)
        self._sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self._sock.bind(("lo", ETH_P_IP))
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)

    def __enter__(self) -> LoopbackCapture:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()

    def take(self) -> list[Packet]:
        """The packets captured since the last call (and forget them)."""
        with self._lock:
            packets, self._packets = self._packets, []
        return packets

    def _wanted(self, port: int) -> bool:
        return any(port in r for r in self._ports)

    def _run(self) -> None:
        ancillary = socket.CMSG_SPACE(16)
        while not self._stop.is_set():
            try:
                data, anc, _flags, addr = self._sock.recvmsg(2048, ancillary)
            except TimeoutError:
                continue
            if addr[2] != PACKET_HOST or len(data) < 28 or data[9] != socket.IPPROTO_UDP:
                continue
            ihl = (data[0] & 0x0F) * 4
            src, dst = struct.unpack_from("!HH", data, ihl)
            if not (self._wanted(src) or self._wanted(dst)):
                continue
            at = 0.0
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", value[:16])
                    at = sec + nsec / 1e9
            with self._lock:
                self._packets.append(Packet(at, src, dst, data[ihl + 8 :]))


# --- SIP ---------------------------------------------------------------------------


@dataclasses.dataclass
class SipDialog:
    invite_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None

    @property
    def setup(self) -> float | None:
        if self.invite_at is None or self.answered_at is None:
            return None
        return self.answered_at - self.invite_at


def sip_dialogs(packets: Iterable[Packet], sip_port: int) -> dict[str, SipDialog]:
    """Per Call-ID: first INVITE towards Asterisk, its first 200 OK, the first BYE."""
    dialogs: dict[str, SipDialog] = defaultdict(SipDialog)
    for p in packets:
        if sip_port not in (p.src, p.dst):
            continue
        text = p.payload.decode("latin-1")
        head, _, rest = text.partition("\r\n")
        call_id = _header(rest, "call-id") or _header(rest, "i")
        if call_id is None:
            continue
        d = dialogs[call_id]
        if head.startswith("INVITE ") and p.dst == sip_port and d.invite_at is None:
            d.invite_at = p.at
        elif head.startswith("SIP/2.0 200") and "INVITE" in (_header(rest, "cseq") or ""):
            d.answered_at = d.answered_at or p.at
        elif head.startswith("BYE ") and d.ended_at is None:
            d.ended_at = p.at
    return dict(dialogs)


def _header(block: str, name: str) -> str | None:
    for line in block.split("\r\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == name:
            return value.strip()
        if not line:
            break
    return None


# --- RTP ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DtmfEnd:
    at: float
    port: int  # Asterisk's RTP port for the call
    digit: str


_EVENTS = "0123456789*#"


def dtmf_ends(packets: Iterable[Packet], asterisk_rtp: range) -> list[DtmfEnd]:
    """The first end packet of each RFC 4733 event sent to Asterisk (end is repeated)."""
    seen: set[tuple[int, int]] = set()
    ends = []
    for p in packets:
        if p.dst not in asterisk_rtp or len(p.payload) < 16 or p.payload[1] & 0x7F != PT_EVENT:
            continue
        timestamp = struct.unpack_from("!I", p.payload, 4)[0]
        event, flags = p.payload[12], p.payload[13]
        if flags & 0x80 and (p.dst, timestamp) not in seen and event < len(_EVENTS):
            seen.add((p.dst, timestamp))
            ends.append(DtmfEnd(p.at, p.dst, _EVENTS[event]))
    return ends


def audio_from_asterisk(
    packets: Iterable[Packet], asterisk_rtp: range
) -> dict[int, list[tuple[float, float]]]:
    """Per Asterisk RTP port: (time, tone frequency in Hz) of each PCMU packet it sent."""
    out: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for p in packets:
        if p.src not in asterisk_rtp or len(p.payload) < 12 + 80:
            continue
        if p.payload[1] & 0x7F != PT_PCMU:
            continue
        out[p.src].append((p.at, tone_frequency(p.payload[12:])))
    return dict(out)


def tone_frequency(ulaw: bytes, rate: int = 8000) -> float:
    """Frequency of a pure tone from its zero crossings (0 for silence)."""
    signs = [_ULAW_SIGN[b] for b in ulaw if _ULAW_LOUD[b]]
    if len(signs) < len(ulaw) // 2:
        return 0.0
    crossings = sum(1 for a, b in itertools.pairwise(signs) if a != b)
    return crossings / 2 / (len(ulaw) / rate)


def _ulaw_decode(byte: int) -> int:
    byte = ~byte & 0xFF
    sign, exponent, mantissa = byte & 0x80, (byte >> 4) & 0x07, byte & 0x0F
    sample = ((mantissa << 3) + 0x84) << exponent
    sample -= 0x84
    return -sample if sign else sample


_ULAW_SIGN = [_ulaw_decode(b) >= 0 for b in range(256)]
_ULAW_LOUD = [abs(_ulaw_decode(b)) > 64 for b in range(256)]
