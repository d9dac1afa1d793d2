"""Real audio for SIPp legs, and reading it back out of recordings.

:func:`tone_pcap` writes a pcap of RTP/PCMU packets (20 ms each) carrying a sine tone;
SIPp's ``play_pcap_audio`` sends them on the call's negotiated media port. Each leg of a
test gets its own frequency, so a recording (or what a leg heard) tells who was heard:
:func:`tone_levels` measures each frequency's strength per window (Goertzel).
"""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import Sequence
from pathlib import Path

RATE = 8000
FRAME = 160  # samples per 20 ms packet


_SEGMENT_ENDS = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)


def _ulaw(sample: int) -> int:
    """G.711 μ-law of a 16-bit sample (the reference 14-bit segment encoding)."""
    value = sample >> 2
    mask = 0xFF
    if value < 0:
        value, mask = -value, 0x7F
    value = min(value, 8159) + 0x21
    segment = next((i for i, end in enumerate(_SEGMENT_ENDS) if value <= end), 8)
    if segment == 8:  # beyond the last segment: the loudest code
        return 0x7F ^ mask
    return ((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask


DTMF_EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}
DTMF_PT = 101  # as the scenarios' SDP offers telephone-event


class _Stream:
    """One RTP stream (one SSRC, rising sequence numbers and timestamps) into a pcap."""

    def __init__(self, ssrc: int) -> None:
        self.ssrc, self.seq, self.ts, self.packets = ssrc, 0, 0, 0
        self.out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    def packet(self, pt: int, payload: bytes, timestamp: int, marker: bool = False) -> None:
        rtp = (
            struct.pack(
                "!BBHII",
                0x80,
                pt | (0x80 if marker else 0),
                self.seq & 0xFFFF,
                timestamp & 0xFFFFFFFF,
                self.ssrc,
            )
            + payload
        )
        udp = struct.pack("!HHHH", 40000, 40000, 8 + len(rtp), 0) + rtp
        ip = (
            struct.pack(
                "!BBHHHBBH4s4s",
                0x45,
                0,
                20 + len(udp),
                self.seq & 0xFFFF,
                0,
                64,
                17,
                0,
                bytes([127, 0, 0, 1]),
                bytes([127, 0, 0, 1]),
            )
            + udp
        )
        frame = b"\x00" * 12 + b"\x08\x00" + ip
        micros = self.packets * 20_000  # one packet every 20 ms, whatever it carries
        self.out += struct.pack(
            "<IIII", micros // 1_000_000, micros % 1_000_000, len(frame), len(frame)
        )
        self.out += frame
        self.seq += 1
        self.packets += 1

    def tone(self, frequency: float, seconds: float) -> None:
        for _ in range(int(seconds * RATE / FRAME)):
            payload = bytes(
                _ulaw(int(16000 * math.sin(2 * math.pi * frequency * (self.ts + i) / RATE)))
                if frequency
                else 0xFF
                for i in range(FRAME)
            )
            self.packet(0, payload, self.ts)
            self.ts += FRAME

    def pcm(self, samples: Sequence[int]) -> None:
        """8 kHz 16-bit samples (speech), padded with silence to whole packets."""
        padded = [*samples, *([0] * (-len(samples) % FRAME))]
        for start in range(0, len(padded), FRAME):
            self.packet(0, bytes(_ulaw(s) for s in padded[start : start + FRAME]), self.ts)
            self.ts += FRAME

    def digit(self, digit: str, packets: int = 8) -> None:
        """An RFC 4733 event: ``packets`` updates 20 ms apart, the end sent three times."""
        event = DTMF_EVENTS[digit]
        for n in range(1, packets + 1):
            payload = struct.pack("!BBH", event, 10, n * FRAME)
            self.packet(DTMF_PT, payload, self.ts, marker=n == 1)
        for _ in range(3):
            self.packet(DTMF_PT, struct.pack("!BBH", event, 0x80 | 10, packets * FRAME), self.ts)
        self.ts += (packets + 3) * FRAME


Step = tuple[str, float | str, float] | tuple[str, Sequence[int], float]


def rtp_pcap(path: Path, steps: Sequence[Step], ssrc: int = 0x1234) -> Path:
    """A pcap of one RTP stream: ``("tone", hz, seconds)`` (0 Hz: silence),
    ``("digit", "*", 0)`` and ``("pcm", samples_8khz, 0)`` steps in order, so digits and
    speech never interleave streams."""
    stream = _Stream(ssrc)
    for kind, value, seconds in steps:
        if kind == "tone":
            assert isinstance(value, float | int)
            stream.tone(float(value), seconds)
        elif kind == "pcm":
            assert not isinstance(value, float | int | str)
            stream.pcm(value)
        else:
            stream.digit(str(value))
    path.write_bytes(bytes(stream.out))
    return path


def tone_pcap(path: Path, frequency: float, seconds: float, ssrc: int = 0x1234) -> Path:
    """A pcap of ``seconds`` of a ``frequency`` Hz tone at -6 dBFS, as RTP/PCMU."""
    return rtp_pcap(path, [("tone", frequency, seconds)], ssrc)


def to_8khz(samples: Sequence[int], rate: int, taps: int = 31) -> list[int]:
    """``samples`` at ``rate`` Hz resampled to 8 kHz: low-passed below 3.6 kHz (a Hann-
    windowed sinc, so nothing folds back into the telephone band), then interpolated."""
    cutoff = 3600 / rate
    half = taps // 2
    kernel = [
        (2 * cutoff if n == 0 else math.sin(2 * math.pi * cutoff * n) / (math.pi * n))
        * (0.5 + 0.5 * math.cos(math.pi * n / (half + 1)))
        for n in range(-half, half + 1)
    ]
    out = []
    step = rate / RATE
    last = len(samples) - 1
    for k in range(int(len(samples) / step)):
        centre = int(k * step)
        acc = 0.0
        for j, weight in enumerate(kernel):
            i = centre + j - half
            if 0 <= i <= last:
                acc += weight * samples[i]
        out.append(max(-32768, min(32767, int(acc))))
    return out


def _goertzel(samples: Sequence[int], frequency: float) -> float:
    """The amplitude of ``frequency`` in ``samples`` (0 … ~32768)."""
    if not samples:
        return 0.0
    k = 2 * math.cos(2 * math.pi * frequency / RATE)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - k * s1 * s2
    return 2 * math.sqrt(max(power, 0.0)) / len(samples)


def channels(wav_path: Path) -> tuple[list[int], list[int]]:
    """A stereo 16-bit WAV's left and right samples."""
    with wave.open(str(wav_path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, RATE)
        data = w.readframes(w.getnframes())
    values = struct.unpack(f"<{len(data) // 2}h", data)
    return list(values[0::2]), list(values[1::2])


def tone_levels(samples: Sequence[int], frequency: float, window: float = 0.5) -> list[float]:
    """The tone's amplitude in each ``window`` seconds of ``samples``."""
    size = int(window * RATE)
    return [
        _goertzel(samples[i : i + size], frequency) for i in range(0, len(samples) - size + 1, size)
    ]


def peak(samples: Sequence[int]) -> int:
    return max((abs(x) for x in samples), default=0)


def heard_levels(wav_path: Path, frequency: float, window: float = 0.5) -> list[float]:
    """What a softphone played (baresip's aufile WAV, any rate, mono or stereo, first
    channel): the tone's amplitude in each ``window`` seconds."""
    with wave.open(str(wav_path)) as w:
        rate, width, nch = w.getframerate(), w.getsampwidth(), w.getnchannels()
        data = w.readframes(w.getnframes())
    assert width == 2, f"{wav_path}: {width * 8}-bit audio"
    samples = struct.unpack(f"<{len(data) // 2}h", data)[::nch]
    size = int(window * rate)
    k = 2 * math.cos(2 * math.pi * frequency / rate)
    out = []
    for i in range(0, len(samples) - size + 1, size):
        s1 = s2 = 0.0
        for x in samples[i : i + size]:
            s1, s2 = x + k * s1 - s2, s1
        out.append(2 * math.sqrt(max(s1 * s1 + s2 * s2 - k * s1 * s2, 0.0)) / size)
    return out
