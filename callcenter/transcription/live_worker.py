"""The live recogniser: a process of its own (``python -m
callcenter.transcription.live_worker``) that decodes many audio streams at once, one vosk
recogniser and one thread each (vosk releases the GIL while it decodes), the models loaded
once and shared.

Protocol (both ways): frames of ``!IBI`` (stream id, op, payload length) + payload.
In: OPEN (payload: the model directory, UTF-8), AUDIO (8 kHz signed 16-bit PCM, host
order), CLOSE. Out: PARTIAL / FINAL (JSON: ``text``, ``start``, ``end`` seconds into the
stream, ``audio`` seconds decoded so far), PROGRESS (JSON ``audio``: every second of
audio, said or silent, so the daemon can tell how far behind it is), CLOSED.
A stream that fails is closed with ``{"error": …}``; the process goes on.
"""

from __future__ import annotations

import json
import queue
import struct
import sys
import threading
from typing import IO, Any

HEADER = struct.Struct("!IBI")
OPEN, AUDIO, CLOSE = 1, 2, 3
PARTIAL, FINAL, PROGRESS, CLOSED = 11, 12, 13, 14
RATE = 8000
MAX_FRAME = 1 << 20
PARTIAL_EVERY = RATE // 5  # a partial line at most every 0.2 s of audio (each costs a search)


def frame(stream: int, op: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(stream, op, len(payload)) + payload


class _Out:
    def __init__(self, out: IO[bytes]) -> None:
        self._out, self._lock = out, threading.Lock()

    def send(self, stream: int, op: int, data: dict[str, Any]) -> None:
        with self._lock:
            self._out.write(frame(stream, op, json.dumps(data).encode()))
            self._out.flush()


class _Stream(threading.Thread):
    def __init__(self, stream: int, model: Any, out: _Out) -> None:
        super().__init__(name=f"live-{stream}", daemon=True)
        self.stream, self.model, self.out = stream, model, out
        self.inbox: queue.Queue[bytes | None] = queue.Queue()

    def run(self) -> None:
        from vosk import KaldiRecognizer  # type: ignore[import-untyped]

        try:
            rec = KaldiRecognizer(self.model, RATE)
            rec.SetWords(True)
            rec.SetPartialWords(True)  # a partial's end: how far behind the line is
            samples, reported, asked, partial = 0, 0, 0, ""
            while (chunk := self._batch()) is not None:
                samples += len(chunk) // 2
                if rec.AcceptWaveform(chunk):
                    self._final(json.loads(rec.Result()), samples)
                    partial = ""
                elif samples - asked >= PARTIAL_EVERY:
                    asked = samples
                    result = json.loads(rec.PartialResult())
                    text = result.get("partial", "")
                    if text and text != partial:
                        partial = text
                        words = result.get("partial_result") or [{}]
                        self.out.send(
                            self.stream,
                            PARTIAL,
                            {
                                "text": text,
                                "start": float(words[0].get("start", 0.0)),
                                "end": float(words[-1].get("end", 0.0)),
                                "audio": samples / RATE,
                            },
                        )
                if samples - reported >= RATE:
                    reported = samples
                    self.out.send(self.stream, PROGRESS, {"audio": samples / RATE})
            self._final(json.loads(rec.FinalResult()), samples)
            self.out.send(self.stream, CLOSED, {"audio": samples / RATE})
        except Exception as exc:  # one stream's failure is its own
            self.out.send(self.stream, CLOSED, {"error": f"{type(exc).__name__}: {exc}"})

    def _batch(self) -> bytes | None:
        """What has arrived, at least one packet (None: the stream is closed). Fed as
        one: when the worker falls behind, it catches up in bigger steps."""
        first = self.inbox.get()
        if first is None:
            return None
        chunks = [first]
        while True:
            try:
                more = self.inbox.get_nowait()
            except queue.Empty:
                return b"".join(chunks)
            if more is None:
                self.inbox.put(None)  # the close, after this batch
                return b"".join(chunks)
            chunks.append(more)

    def _final(self, result: dict[str, Any], samples: int) -> None:
        words = result.get("result") or []
        if not words:
            return
        self.out.send(
            self.stream,
            FINAL,
            {
                "text": str(result.get("text", "")),
                "start": float(words[0]["start"]),
                "end": float(words[-1]["end"]),
                "audio": samples / RATE,
            },
        )


def serve(inp: IO[bytes], out: IO[bytes]) -> None:
    from vosk import Model, SetLogLevel

    SetLogLevel(-1)
    models: dict[str, Any] = {}
    streams: dict[int, _Stream] = {}
    sink = _Out(out)
    while head := inp.read(HEADER.size):
        if len(head) < HEADER.size:
            break
        stream, op, size = HEADER.unpack(head)
        if size > MAX_FRAME:
            raise SystemExit(f"live worker: a frame of {size} bytes (stream {stream})")
        payload = inp.read(size) if size else b""
        if op == OPEN and stream not in streams:
            path = payload.decode()
            try:
                model = models.get(path) or models.setdefault(path, Model(path))
            except Exception as exc:
                sink.send(stream, CLOSED, {"error": f"model {path}: {exc}"})
                continue
            streams[stream] = _Stream(stream, model, sink)
            streams[stream].start()
        elif op == AUDIO and stream in streams:
            streams[stream].inbox.put(payload)
        elif op == CLOSE and stream in streams:
            streams.pop(stream).inbox.put(None)
    for s in streams.values():
        s.inbox.put(None)
    for s in streams.values():
        s.join(timeout=5)


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
