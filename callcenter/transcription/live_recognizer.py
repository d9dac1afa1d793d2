"""The daemon's side of the live recogniser: one child process (live_worker) for every
live stream, fed through its stdin and read from its stdout without ever blocking the
event loop (the LiveDecoder port of services/live_transcripts).

Contract: :meth:`open` starts a stream, :meth:`feed` queues 8 kHz PCM for it (never
waits: what the pipe cannot take at once is buffered by asyncio, and :meth:`behind` tells
how many seconds of audio the worker has not decoded yet — the service sheds a stream
that falls too far behind), :meth:`close` ends it (the last words come as a final
result). Results reach ``on_result(stream, LiveResult)``. A worker that dies ends every
stream with an error result; the next :meth:`open` starts a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from callcenter.services.live_transcripts import LiveResult
from callcenter.transcription.live_worker import (
    AUDIO,
    CLOSE,
    CLOSED,
    FINAL,
    HEADER,
    OPEN,
    PARTIAL,
    PROGRESS,
    RATE,
    frame,
)

log = logging.getLogger(__name__)
KINDS = {PARTIAL: "partial", FINAL: "final", PROGRESS: "progress", CLOSED: "closed"}


class LiveRecognizer:
    def __init__(self, on_result: Callable[[int, LiveResult], None]) -> None:
        self._on_result = on_result
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._sent: dict[int, float] = {}  # stream → seconds of audio sent
        self._done: dict[int, float] = {}  # stream → seconds the worker decoded
        self._closing = False

    async def _worker(self) -> asyncio.subprocess.Process:
        if self._proc is None or self._proc.returncode is not None:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "callcenter.transcription.live_worker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            self._reader = asyncio.create_task(self._read(self._proc), name="live-recognizer")
            log.info("live recogniser started (pid %d)", self._proc.pid)
        return self._proc

    async def preload(self, model: Path) -> None:
        """Start the worker and have it load ``model`` now (stream 0 opened and closed),
        so the first call's stream does not wait seconds for it — and fall behind."""
        proc = await self._worker()
        self._write(proc, frame(0, OPEN, str(model).encode()) + frame(0, CLOSE))

    async def open(self, stream: int, model: Path) -> None:
        proc = await self._worker()
        self._sent[stream], self._done[stream] = 0.0, 0.0
        self._write(proc, frame(stream, OPEN, str(model).encode()))

    def feed(self, stream: int, pcm: bytes) -> None:
        proc = self._proc
        if proc is None or stream not in self._sent:
            return
        self._sent[stream] += len(pcm) / 2 / RATE
        self._write(proc, frame(stream, AUDIO, pcm))

    def behind(self, stream: int) -> float:
        """Seconds of this stream's audio sent but not decoded yet."""
        return self._sent.get(stream, 0.0) - self._done.get(stream, 0.0)

    def close(self, stream: int) -> None:
        if self._proc is not None and self._sent.pop(stream, None) is not None:
            self._write(self._proc, frame(stream, CLOSE))

    def _write(self, proc: asyncio.subprocess.Process, data: bytes) -> None:
        if proc.stdin is None or proc.stdin.is_closing():
            return
        proc.stdin.write(data)

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        try:
            while True:
                head = await proc.stdout.readexactly(HEADER.size)
                stream, op, size = HEADER.unpack(head)
                data = json.loads(await proc.stdout.readexactly(size)) if size else {}
                if "audio" in data:
                    self._done[stream] = float(data["audio"])
                if op == CLOSED:
                    self._done.pop(stream, None)
                result = LiveResult(
                    KINDS.get(op, "progress"),
                    str(data.get("text", "")),
                    float(data.get("start", 0.0)),
                    float(data.get("end", 0.0)),
                    str(data.get("error", "")),
                )
                self._on_result(stream, result)
        except asyncio.IncompleteReadError:
            if not self._closing:
                log.error("live recogniser exited (code %s)", await proc.wait())
        except Exception:
            log.exception("live recogniser output unreadable")
        for stream in list(self._sent):
            self._sent.pop(stream)
            self._on_result(stream, LiveResult("closed", error="the live recogniser stopped"))

    async def aclose(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self._closing = True
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
