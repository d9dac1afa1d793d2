"""The files Asterisk's recordings leave: markers in the spool (``<uniqueid>.done``, written
by MixMonitor's post-process command once the file is closed), the ``.raw`` audio under the
recordings directory, and the ``.wav`` the daemon makes of it for browsers.

Blocking file work runs in a thread (``asyncio.to_thread``): a recording of an hour is
115 MB. Paths always come from our own rows or markers, checked against the directory: a
client never names a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import os
import wave
from pathlib import Path

from callcenter.asterisk.recording_sides import mix, sides_of
from callcenter.domain.recordings import (
    CALL_ID,
    CHANNELS,
    RAW_PATH,
    SAMPLE_BYTES,
    SAMPLE_RATE,
    Marker,
    RecordingError,
    parse_marker,
    wav_path,
)

log = logging.getLogger(__name__)

CHUNK = 1 << 20
WAV_HEADER = 44


@dataclasses.dataclass(frozen=True)
class FileFacts:
    """What is on disk for a finished recording: ``audio_bytes`` None when no file."""

    path: str  # the WAV, relative
    audio_bytes: int | None
    file_bytes: int = 0
    sha256: str = ""


@dataclasses.dataclass(frozen=True)
class RawFacts:
    size: int
    mtime: float


class RecordingFiles:
    def __init__(self, recordings_dir: Path, marker_dir: Path) -> None:
        self.root = recordings_dir
        self._markers = marker_dir

    def absolute(self, relative: str) -> Path:
        """The file a stored path names, refused if it could leave the directory."""
        if relative.startswith("/") or ".." in relative.split("/"):
            raise RecordingError(f"recording path {relative!r} is not inside the directory")
        return self.root / relative

    # -- markers ----------------------------------------------------------------------
    async def markers(self) -> list[Marker]:
        return await asyncio.to_thread(self._read_markers)

    def _read_markers(self) -> list[Marker]:
        found: list[Marker] = []
        try:
            entries = list(os.scandir(self._markers))
        except FileNotFoundError:
            return found
        for entry in entries:
            if not entry.name.endswith(".done"):
                continue
            call_id = entry.name[: -len(".done")]
            try:
                if CALL_ID.fullmatch(call_id) is None:
                    raise RecordingError(f"recording marker {entry.name!r}: not a Uniqueid")
                text = Path(entry.path).read_text(encoding="ascii", errors="replace")
                found.append(parse_marker(call_id, text, entry.stat().st_mtime))
            except (RecordingError, OSError) as exc:
                log.error("%s: set aside as %s.bad", exc, entry.name)
                os.replace(entry.path, entry.path + ".bad")
        return found

    async def drop_marker(self, marker: Marker) -> None:
        await asyncio.to_thread(
            lambda: (self._markers / f"{marker.call_id}.done").unlink(missing_ok=True)
        )

    # -- audio ------------------------------------------------------------------------
    async def finish(self, raw_path: str) -> FileFacts:
        """Make the WAV of a closed ``.raw`` (header + the same samples), then drop the raw.
        Done before (the daemon stopped between the two)? The WAV is measured again."""
        return await asyncio.to_thread(self._finish, raw_path)

    def _finish(self, raw_path: str) -> FileFacts:
        if RAW_PATH.fullmatch(raw_path) is None:
            raise RecordingError(f"recording path {raw_path!r} is not one of ours")
        raw, wav = self.absolute(raw_path), self.absolute(wav_path(raw_path))
        if raw.exists():
            sides = sides_of(raw)  # a barge: added to what the caller hears
            part = wav.with_suffix(".wav.part")
            frame = 0
            with open(raw, "rb") as source, wave.open(str(part), "wb") as out:
                out.setnchannels(CHANNELS)
                out.setsampwidth(SAMPLE_BYTES)
                out.setframerate(SAMPLE_RATE)
                while chunk := source.read(CHUNK):
                    # A frame is both channels' samples: a torn last frame is dropped.
                    chunk = chunk[: len(chunk) - len(chunk) % (CHANNELS * 2)]
                    out.writeframesraw(mix(chunk, frame, sides) if sides else chunk)
                    frame += len(chunk) // (CHANNELS * 2)
            os.replace(part, wav)
            raw.unlink()
            for side in sides:
                side.path.unlink(missing_ok=True)
        if not wav.exists():
            return FileFacts(wav_path(raw_path), None)
        digest = hashlib.sha256()
        with open(wav, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        size = wav.stat().st_size
        return FileFacts(wav_path(raw_path), max(0, size - WAV_HEADER), size, digest.hexdigest())

    async def raw_facts(self, raw_path: str) -> RawFacts | None:
        """Size and last write of a recording in progress (None: no such file)."""

        def stat() -> RawFacts | None:
            try:
                st = self.absolute(raw_path).stat()
            except FileNotFoundError:
                return None
            return RawFacts(st.st_size, st.st_mtime)

        return await asyncio.to_thread(stat)

    async def raw_files(self, days: int) -> list[tuple[str, RawFacts]]:
        """Recordings still in ``.raw`` in the last ``days`` day directories (newest
        first): what Asterisk may have left while nobody was watching."""

        def scan() -> list[tuple[str, RawFacts]]:
            found: list[tuple[str, RawFacts]] = []
            days_seen = sorted(self.root.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]"))
            for day in days_seen[-days:]:
                for raw in day.glob("*.raw"):
                    relative = raw.relative_to(self.root).as_posix()
                    if RAW_PATH.fullmatch(relative) is None:
                        continue
                    with contextlib.suppress(FileNotFoundError):
                        st = raw.stat()
                        found.append((relative, RawFacts(st.st_size, st.st_mtime)))
            return found

        return await asyncio.to_thread(scan)

    async def exists(self, relative: str) -> bool:
        return await asyncio.to_thread(lambda: self.absolute(relative).is_file())

    async def delete(self, relative: str) -> bool:
        """Remove a recording's audio (WAV and any raw left); False if nothing was there."""

        def remove() -> bool:
            removed = False
            for path in {relative, relative[: -len(".wav")] + ".raw"}:
                try:
                    self.absolute(path).unlink()
                    removed = True
                except FileNotFoundError:
                    pass
            return removed

        return await asyncio.to_thread(remove)
