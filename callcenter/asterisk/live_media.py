"""Live media taps for live transcripts (the LiveMedia port): what one party of a call
says, as 8 kHz PCM in host byte order.

A tap is an ARI snoop on the party's channel (``spy=in``: only what that party says),
an externalMedia channel sending RTP (``format=slin``) to a UDP socket of ours on
loopback, and a mixing bridge joining the two. Asterisk sends slin over RTP big-endian
(L16, ``ast_frame_byteswap_be``); vosk reads host order, so each payload is swapped here
(``../shared/wave2_facts.md`` §A3). :meth:`untap` hangs up the external media channel and
the snoop and destroys the bridge; when the party hangs up, Asterisk ends the snoop itself
(MediaTapEnded reaches the live service, which untaps).
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import dataclasses
import logging
import struct
import sys
from collections.abc import Callable

from callcenter.asterisk.ari import AriClient
from callcenter.services.ports import TelephonyError

log = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"


def rtp_payload(packet: bytes) -> bytes | None:
    """The payload of an RTP packet (version 2): after the fixed header, the CSRCs and a
    header extension; padding removed. None when it is no RTP."""
    if len(packet) < 12 or packet[0] >> 6 != 2:
        return None
    csrc, extension, padding = packet[0] & 0x0F, packet[0] & 0x10, packet[0] & 0x20
    start = 12 + 4 * csrc
    if extension:
        if len(packet) < start + 4:
            return None
        (words,) = struct.unpack_from("!H", packet, start + 2)
        start += 4 + 4 * words
    end = len(packet)
    if padding and end > start:
        end -= packet[-1]
    return packet[start:end] if end > start else None


def l16_to_host(payload: bytes) -> bytes:
    """Big-endian 16-bit samples (RTP L16) in this machine's order."""
    samples = array.array("h", payload[: len(payload) // 2 * 2])
    if sys.byteorder == "little":
        samples.byteswap()
    return samples.tobytes()


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, on_audio: Callable[[bytes], None]) -> None:
        self._on_audio = on_audio

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        payload = rtp_payload(data)
        if payload:
            self._on_audio(l16_to_host(payload))


@dataclasses.dataclass
class _Tap:
    snoop: str
    media: str = ""
    bridge: str = ""
    transport: asyncio.DatagramTransport | None = None


class AriLiveMedia:
    def __init__(self, ari: AriClient) -> None:
        self._ari = ari
        self._taps: dict[str, _Tap] = {}

    async def tap(self, channel_id: str, on_audio: Callable[[bytes], None]) -> str:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Receiver(on_audio), local_addr=(LOOPBACK, 0)
        )
        port = transport.get_extra_info("sockname")[1]
        tap = _Tap("", transport=transport)
        try:
            tap.snoop = await self._ari.snoop(channel_id)
            self._taps[tap.snoop] = tap
            tap.media = await self._ari.external_media(LOOPBACK, port)
            tap.bridge = await self._ari.mixing_bridge([tap.snoop, tap.media])
        except TelephonyError:
            await self._remove(tap)
            raise
        log.info("live tap %s on %s → udp %d", tap.snoop, channel_id, port)
        return tap.snoop

    async def untap(self, tap_id: str) -> None:
        tap = self._taps.get(tap_id)
        if tap is not None:
            await self._remove(tap)

    async def _remove(self, tap: _Tap) -> None:
        self._taps.pop(tap.snoop, None)
        if tap.transport is not None:
            tap.transport.close()
        for undo in (
            (lambda: self._ari.hangup(tap.media)) if tap.media else None,
            (lambda: self._ari.destroy_bridge(tap.bridge)) if tap.bridge else None,
            (lambda: self._ari.hangup(tap.snoop)) if tap.snoop else None,
        ):
            if undo is not None:
                with contextlib.suppress(TelephonyError):
                    await undo()
