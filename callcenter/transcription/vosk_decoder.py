"""vosk, in worker processes: a recording's channels decoded one by one, off the daemon's
event loop (vosk is CPU-bound; it releases the GIL in its C calls, but the model's 0.5 GB
and the decode belong in their own process so the loop never waits on them).

Contract: :class:`VoskDecoder.decode` returns, per channel of the WAV, vosk's final
results with word times (``SetWords``); a file that is not a 16-bit PCM WAV, or a model
directory that is not a vosk model, raises DecodeError naming it. A worker loads each
model once (by path) and keeps it. Models are never downloaded: only ``Model(path)``.
"""

from __future__ import annotations

import array
import asyncio
import json
import multiprocessing
import wave
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from callcenter.services.transcripts import DecodeFailed

CHUNK_SECONDS = 0.2  # vosk decodes every 0.2 s of input anyway (recognizer.cc)

_models: dict[str, Any] = {}  # in each worker process: path → loaded vosk.Model


class DecodeError(DecodeFailed):
    """The audio or the model cannot be decoded; the message names which and why."""


def model_problem(directory: Path) -> str:
    """Why ``directory`` is not a usable vosk model ("" when it is): checked without
    loading it (a load takes seconds and half a gigabyte)."""
    if not directory.is_dir():
        return f"{directory}: not a directory"
    missing = [p for p in ("am/final.mdl", "conf/mfcc.conf") if not (directory / p).is_file()]
    if missing:
        return f"{directory}: not a vosk model (no {', '.join(missing)})"
    if not ((directory / "graph").is_dir() or (directory / "HCLG.fst").is_file()):
        return f"{directory}: not a vosk model (no graph)"
    return ""


def _model(path: str) -> Any:
    import vosk  # type: ignore[import-untyped]  # only in the worker, never the daemon's

    if path not in _models:
        vosk.SetLogLevel(-1)
        problem = model_problem(Path(path))
        if problem:
            raise DecodeError(problem)
        _models[path] = vosk.Model(model_path=path)
    return _models[path]


def decode_file(wav_path: str, model_path: str) -> list[list[dict[str, Any]]]:
    """Runs in a worker: every channel of ``wav_path`` through the model."""
    import vosk

    try:
        with wave.open(wav_path, "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (OSError, wave.Error, EOFError) as exc:
        raise DecodeError(f"{wav_path}: not a WAV file ({exc})") from exc
    if width != 2 or channels not in (1, 2):
        raise DecodeError(
            f"{wav_path}: {width * 8}-bit, {channels} channel(s); 16-bit mono/stereo only"
        )
    model = _model(model_path)
    step = int(rate * CHUNK_SECONDS) * 2
    out: list[list[dict[str, Any]]] = []
    for channel in range(channels):
        # One channel's samples (host order, as vosk reads them; WAV is little-endian).
        pcm = frames if channels == 1 else array.array("h", frames)[channel::2].tobytes()
        recognizer = vosk.KaldiRecognizer(model, rate)
        recognizer.SetWords(True)
        results = []
        for i in range(0, len(pcm), step):
            if recognizer.AcceptWaveform(pcm[i : i + step]):
                results.append(json.loads(recognizer.Result()))
        results.append(json.loads(recognizer.FinalResult()))
        out.append(results)
    return out


class VoskDecoder:
    def __init__(self, workers: int = 1) -> None:
        # spawn, not fork: the daemon has threads (the store's, aiohttp's); a forked child
        # could inherit a lock some thread held and hang.
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )

    async def decode(self, wav: Path, model: Path) -> list[list[dict[str, Any]]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, decode_file, str(wav), str(model))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
