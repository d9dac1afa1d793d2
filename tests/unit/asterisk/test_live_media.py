"""RTP as Asterisk's externalMedia sends it (slin: L16, big-endian) into the host-order
PCM vosk reads, and a tap's channels never taken for calls."""

from __future__ import annotations

import array
import struct
import sys

from callcenter.asterisk.ari_events import translate
from callcenter.asterisk.live_media import l16_to_host, rtp_payload
from callcenter.domain.calls import CallEntered, MediaTapEnded


def rtp(payload: bytes, csrc: int = 0, extension: bytes = b"", padding: int = 0) -> bytes:
    first = 0x80 | csrc | (0x10 if extension else 0) | (0x20 if padding else 0)
    head = struct.pack("!BBHII", first, 118, 7, 160, 0x1234) + b"\0\0\0\1" * csrc
    if extension:
        head += struct.pack("!HH", 0xBEDE, len(extension) // 4) + extension
    tail = (b"\0" * (padding - 1) + bytes([padding])) if padding else b""
    return head + payload + tail


def test_the_payload_is_found_past_csrcs_extensions_and_padding() -> None:
    audio = struct.pack("!4h", 1, -2, 300, -32768)
    assert rtp_payload(rtp(audio)) == audio
    assert rtp_payload(rtp(audio, csrc=2)) == audio
    assert rtp_payload(rtp(audio, extension=b"\1\2\3\4")) == audio
    assert rtp_payload(rtp(audio, padding=4)) == audio
    assert rtp_payload(b"\x40" + bytes(20)) is None  # version 1: no RTP
    assert rtp_payload(b"\x80\x00") is None


def test_big_endian_samples_become_host_order() -> None:
    host = array.array("h", l16_to_host(struct.pack("!3h", 1, -2, 1000)))
    assert list(host) == [1, -2, 1000]
    assert sys.byteorder == "little"  # the machines we run on: the swap is exercised


def test_a_taps_channels_are_never_calls() -> None:
    snoop = {"id": "1796.9", "name": "Snoop/1796.1-00000001"}
    media = {"id": "1796.10", "name": "UnicastRTP/127.0.0.1:40000-0x7f"}
    assert translate({"type": "StasisStart", "channel": snoop, "args": []}) is None
    assert translate({"type": "StasisStart", "channel": media, "args": []}) is None
    assert translate({"type": "StasisEnd", "channel": snoop}) == MediaTapEnded("1796.9")
    assert translate({"type": "ChannelDestroyed", "channel": media}) is None
    call = {"id": "1796.1", "name": "PJSIP/trunk-00000001", "caller": {"number": "100"}}
    assert isinstance(translate({"type": "StasisStart", "channel": call, "args": []}), CallEntered)
