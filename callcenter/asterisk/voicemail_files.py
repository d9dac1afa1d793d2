"""Voicemail audio on disk: messages the daemon recorded through ARI (Asterisk's
``recording/`` spool) and those VoiceMail() left in ``voicemail/default/<box>/INBOX``
while the daemon was down, moved into the recordings store.

Contract: :meth:`VoicemailFiles.adopt` copies a WAV into the store (written beside, synced,
then renamed: never half a file under its name) and returns what it holds; the source is
removed only by :meth:`discard` / :meth:`drop_spool`, once the message is in the database —
so a crash at any point leaves the audio somewhere the next import finds it. app_voicemail
renames the audio into INBOX before its ``.txt``, so a ``.txt`` there has its audio next to
it; a ``.txt`` that cannot be read is renamed ``.bad`` (and logged), never retried for ever.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import os
import wave
from pathlib import Path

from callcenter.domain.voicemails import (
    MAILBOX,
    SPOOL_MESSAGE,
    SpoolMessage,
    VoicemailError,
    parse_spool_message,
)

log = logging.getLogger(__name__)

WAV_HEADER = 44  # Asterisk's format_wav: a plain 44-byte RIFF header


@dataclasses.dataclass(frozen=True)
class AudioFacts:
    audio_bytes: int
    duration: float
    sha256: str


@dataclasses.dataclass(frozen=True)
class SpoolEntry:
    message: SpoolMessage
    text: Path  # msgNNNN.txt
    audio: Path  # msgNNNN.wav


class VoicemailFiles:
    def __init__(
        self, recordings_dir: Path, asterisk_spool: Path, context: str = "default"
    ) -> None:
        self.root = recordings_dir
        self.live_dir = asterisk_spool / "recording"  # ARI's stored recordings
        self.spool_dir = asterisk_spool / "voicemail" / context

    def live_source(self, name: str) -> Path:
        """The WAV ARI stored for recording ``name`` (format wav)."""
        return self.live_dir / f"{name}.wav"

    # -- the intake's LiveAudio port (by recording name) --------------------------------
    def path(self, name: str) -> Path:
        return self.live_source(name)

    def seconds(self, name: str) -> float:
        try:
            with wave.open(str(self.live_source(name)), "rb") as w:
                return w.getnframes() / (w.getframerate() or 8000)
        except (OSError, wave.Error, EOFError):
            return 0.0

    def closed(self, name: str) -> bool:
        """Asterisk writes a WAV's sizes into its header when it closes the file."""
        path = self.live_source(name)
        try:
            size = path.stat().st_size
            with wave.open(str(path), "rb") as w:
                data = w.getnframes() * w.getsampwidth() * w.getnchannels()
        except (OSError, wave.Error, EOFError):
            return False
        return size >= WAV_HEADER and data == size - WAV_HEADER

    def remove(self, name: str) -> None:
        self.live_source(name).unlink(missing_ok=True)

    async def adopt(self, source: Path, relative: str) -> AudioFacts:
        return await asyncio.to_thread(self._adopt, source, relative)

    def _adopt(self, source: Path, relative: str) -> AudioFacts:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file():
            partial = target.with_suffix(".part")
            with source.open("rb") as src, partial.open("wb") as dst:
                while chunk := src.read(1 << 16):
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(partial, target)
        return _facts(target)

    async def discard(self, source: Path) -> None:
        await asyncio.to_thread(source.unlink, True)

    async def spool(self) -> list[SpoolEntry]:
        """Complete messages in every mailbox's INBOX (and Urgent), oldest first."""
        return await asyncio.to_thread(self._spool)

    def _spool(self) -> list[SpoolEntry]:
        found: list[SpoolEntry] = []
        if not self.spool_dir.is_dir():
            return found
        for box in sorted(self.spool_dir.iterdir()):
            if not MAILBOX.match(box.name):
                continue
            for folder in ("INBOX", "Urgent"):
                directory = box / folder
                if not directory.is_dir():
                    continue
                for text in sorted(directory.iterdir()):
                    if not SPOOL_MESSAGE.match(text.name):
                        continue
                    entry = self._entry(box.name, text)
                    if entry is not None:
                        found.append(entry)
        return found

    def _entry(self, mailbox: str, text: Path) -> SpoolEntry | None:
        audio = text.with_suffix(".wav")
        try:
            message = parse_spool_message(
                text.read_text(encoding="utf-8", errors="replace"), mailbox, str(text)
            )
            if not audio.is_file():
                raise VoicemailError(f"{text}: no {audio.name} next to it")
        except (VoicemailError, OSError) as exc:
            log.error("voicemail spool: %s; set aside as .bad", exc)
            os.replace(text, text.with_suffix(".bad"))
            return None
        return SpoolEntry(message, text, audio)

    async def drop_spool(self, entry: SpoolEntry) -> None:
        """Remove an imported message from VoiceMail()'s spool (every format of it)."""

        def drop() -> None:
            for path in entry.text.parent.glob(entry.text.stem + ".*"):
                path.unlink(missing_ok=True)

        await asyncio.to_thread(drop)


def _facts(path: Path) -> AudioFacts:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 16):
            digest.update(chunk)
    try:
        with wave.open(str(path), "rb") as w:
            frames, rate = w.getnframes(), w.getframerate()
            audio = frames * w.getsampwidth() * w.getnchannels()
    except (wave.Error, EOFError) as exc:
        raise VoicemailError(f"{path.name}: not a WAV file ({exc})") from exc
    return AudioFacts(audio, frames / rate if rate else 0.0, digest.hexdigest())
