"""A barge recorded apart is added to what the caller hears when the call's WAV is made;
a side still being written holds the recording back; one left open for long is taken."""

from __future__ import annotations

import array
import os
import time
import wave
from pathlib import Path

import pytest

from callcenter.asterisk.recording_files import RecordingFiles
from callcenter.asterisk.recording_sides import OPEN_LIMIT, mix, sides_of
from callcenter.domain.recordings import RecordingPending

DAY = "2026/12/07"
CALL = "1796124000.42"


def stereo(frames: int, left: int, right: int) -> bytes:
    return array.array("h", [left, right] * frames).tobytes()


def mono_side(path: Path, frames: int, said: int, heard: int = 0) -> None:
    """A side file as MixMonitor's D option writes it: left what it says, right what it hears."""
    path.write_bytes(stereo(frames, said, heard))


def test_a_barge_is_added_to_the_right_channel_at_its_offset(tmp_path: Path) -> None:
    day = tmp_path / DAY
    day.mkdir(parents=True)
    (day / f"{CALL}.raw").write_bytes(stereo(16000, 100, 200))  # 2 s of call
    mono_side(day / f"{CALL}-side-500-L.side", 4000, 1000, heard=-5000)  # 0.5 s in, 0.5 s
    mono_side(day / f"{CALL}-side-1800-L.side", 4000, 32700)  # runs past the end: cut
    (day / "1796124000.43-side-0-L.side").write_bytes(stereo(10, 9, 9))  # another call's
    files = RecordingFiles(tmp_path, tmp_path / "markers")
    facts = files._finish(f"{DAY}/{CALL}.raw")
    with wave.open(str(tmp_path / facts.path)) as out:
        samples = array.array("h", out.readframes(out.getnframes()))
    left, right = samples[0::2], samples[1::2]
    assert set(left) == {100}  # what the caller says: untouched
    assert right[3999] == 200
    assert right[4000] == 1200  # 0.5 s in: the supervisor's voice is heard
    assert right[7999] == 1200
    assert right[8000] == 200
    assert right[14400] == 32767  # saturated, not wrapped
    assert len(right) == 16000
    assert sorted(p.name for p in day.iterdir()) == [
        f"{CALL}.wav",
        "1796124000.43-side-0-L.side",
    ]


def test_a_side_still_written_holds_the_recording_back(tmp_path: Path) -> None:
    raw = tmp_path / f"{CALL}.raw"
    raw.write_bytes(stereo(80, 1, 1))
    side = tmp_path / f"{CALL}-side-0-R.raw"
    side.write_bytes(stereo(80, 0, 7))
    with pytest.raises(RecordingPending, match="still written"):
        sides_of(raw)
    old = time.time() - OPEN_LIMIT - 1
    os.utime(side, (old, old))
    [taken] = sides_of(raw)  # Asterisk died with it open: taken as it is
    assert (taken.start, set(taken.samples)) == (0, {7})  # R: what that channel played


def test_mix_leaves_a_chunk_without_sides_as_it_was() -> None:
    chunk = stereo(10, 3, 4)
    assert mix(chunk, 0, []) is chunk


def test_only_this_calls_sides_are_taken_among_its_neighbours(tmp_path: Path) -> None:
    """A day's directory holds every call's files: a call whose id starts with this one's
    (``….42`` and ``….420``) or another's finished sides are not this call's."""
    raw = tmp_path / f"{CALL}.raw"
    raw.write_bytes(stereo(80, 1, 1))
    mono_side(tmp_path / f"{CALL}-side-100-L.side", 40, 5)
    mono_side(tmp_path / f"{CALL}0-side-0-L.side", 40, 9)  # 1796124000.420
    mono_side(tmp_path / "1796124000.43-side-0-L.side", 40, 9)
    (tmp_path / f"{CALL}.wav").write_bytes(b"")
    [side] = sides_of(raw, now=time.time())
    assert side.path.name == f"{CALL}-side-100-L.side"
    assert side.start == 800  # 100 ms at 8 kHz
