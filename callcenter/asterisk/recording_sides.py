"""What a caller hears that their recording cannot: a supervisor's barge. Asterisk's
MixMonitor on the caller's channel hears the channel's frames before any whisper is mixed
into them (audiohook.c: spies, then whispers), so a barge never reaches the recording.
The dialplan records the supervisor's channel apart (``callcenter-side-record``) into a
side file next to the call's, named ``<uniqueid>-side-<offset ms>-<L|R>.raw`` (L: what
that channel says, R: what it plays; the offset from the call's recording start) and
renamed ``.side`` once closed. When the call's recording becomes its WAV, each side is
added to the channel of what the caller hears (right), sample by sample, saturating.

Contract: :func:`sides_of` returns the closed sides of a recording, or raises
:class:`RecordingPending` while one is still being written (the marker is then tried
again at the next sweep); a side left open longer than ``OPEN_LIMIT`` (Asterisk died) is
taken as it is. :func:`mix` adds the sides into one chunk of the call's frames.
"""

from __future__ import annotations

import array
import dataclasses
import re
import sys
import time
from pathlib import Path

from callcenter.domain.recordings import SAMPLE_RATE, RecordingPending

SIDE = re.compile(
    r"^(?P<call>[\w.-]+?)-side-(?P<offset>-?\d{1,9})-(?P<channel>[LR])\.(?:side|raw)$"
)
OPEN_LIMIT = 30.0  # seconds without a write: a side still ".raw" is taken as closed
HEARS = 1  # the call's right channel: what the caller hears


@dataclasses.dataclass(frozen=True)
class Side:
    path: Path
    start: int  # the call's frame where the side begins
    samples: array.array[int]  # mono, 8 kHz


def _samples(path: Path, channel: str) -> array.array[int]:
    frames = array.array("h", path.read_bytes()[: path.stat().st_size // 4 * 4])
    if sys.byteorder != "little":
        frames.byteswap()
    return frames[0 if channel == "L" else 1 :: 2]


def sides_of(raw: Path, now: float | None = None) -> list[Side]:
    """The side files of the recording ``raw`` (``<dir>/<uniqueid>.raw``)."""
    now = time.time() if now is None else now
    found = []
    # Not glob(): its pattern, new for every call, is compiled and cached by re and pathlib
    # (hundreds of patterns churned through their caches under load).
    prefix = f"{raw.stem}-side-"
    for path in sorted(p for p in raw.parent.iterdir() if p.name.startswith(prefix)):
        match = SIDE.fullmatch(path.name)
        if match is None or match["call"] != raw.stem:
            continue
        if path.suffix == ".raw" and now - path.stat().st_mtime < OPEN_LIMIT:
            raise RecordingPending(f"recording {raw.name}: side {path.name} is still written")
        start = round(int(match["offset"]) * SAMPLE_RATE / 1000)
        found.append(Side(path, start, _samples(path, match["channel"])))
    return found


def mix(chunk: bytes, first_frame: int, sides: list[Side]) -> bytes:
    """``chunk`` (whole stereo frames from ``first_frame`` on) with the sides added."""
    frames = array.array("h", chunk)
    if sys.byteorder != "little":
        frames.byteswap()
    count = len(frames) // 2
    touched = False
    for side in sides:
        begin = max(first_frame, side.start)
        end = min(first_frame + count, side.start + len(side.samples))
        for frame in range(begin, end):
            i = 2 * (frame - first_frame) + HEARS
            frames[i] = max(-32768, min(32767, frames[i] + side.samples[frame - side.start]))
            touched = True
    if not touched:
        return chunk
    if sys.byteorder != "little":
        frames.byteswap()
    return frames.tobytes()
