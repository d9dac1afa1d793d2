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
# A channel is silent about half of a call (the other party talks): after KEEP_SILENCE of
# quiet — enough for vosk's endpointer to close the utterance — quiet chunks are not fed
# at all, and decoding resumes with a new recognizer at the next sound (its word times
# shifted back to the recording's). RMS below SILENCE_RMS (about -55 dBFS) is quiet.
SILENCE_RMS = 60.0
KEEP_SILENCE = 0.6

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
    samples = array.array("h", frames)
    return [
        _decode_channel(vosk, model, samples if channels == 1 else samples[c::2], rate)
        for c in range(channels)
    ]


def _decode_channel(vosk: Any, model: Any, pcm: array.array[int], rate: int) -> list[Any]:
    """One channel (host-order samples, as vosk reads them; WAV is little-endian): the
    sounds fed, the long silences skipped, each result's times the recording's."""
    step = int(rate * CHUNK_SECONDS)
    results: list[dict[str, Any]] = []
    recognizer = vosk.KaldiRecognizer(model, rate)  # one: creating one costs ~0.2 s
    recognizer.SetWords(True)
    # vosk's word times count the samples fed; skipped ones are added back per segment.
    fed, offset, quiet_for, open_ = 0, 0.0, 0.0, False
    for i in range(0, len(pcm), step):
        chunk = pcm[i : i + step]
        quiet = _rms(chunk) < SILENCE_RMS
        quiet_for = quiet_for + CHUNK_SECONDS if quiet else 0.0
        if quiet and quiet_for > KEEP_SILENCE:
            if open_:  # the utterance is over: flush it, skip the rest of the quiet
                results.append(_shifted(json.loads(recognizer.FinalResult()), offset))
                open_ = False
            continue
        if not open_:
            offset, open_ = i / rate - fed / rate, True
        fed += len(chunk)
        if recognizer.AcceptWaveform(chunk.tobytes()):
            results.append(_shifted(json.loads(recognizer.Result()), offset))
    if open_:
        results.append(_shifted(json.loads(recognizer.FinalResult()), offset))
    return results


def _rms(chunk: array.array[int]) -> float:
    return (sum(x * x for x in chunk) / len(chunk)) ** 0.5 if chunk else 0.0


def _shifted(result: dict[str, Any], offset: float) -> dict[str, Any]:
    """A result with ``offset`` seconds added to its word times."""
    for word in result.get("result") or ():
        word["start"] = round(float(word["start"]) + offset, 3)
        word["end"] = round(float(word["end"]) + offset, 3)
    return result


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
