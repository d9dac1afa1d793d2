"""The transcription benchmark's live part: streams fed to the live recogniser in real time,
the delay from a line's last word to the line, against vosk alone on the same audio."""

from __future__ import annotations

import array
import asyncio
import json
import time
import wave
from pathlib import Path

from benchmarks.stats import percentile
from benchmarks.transcription_audio import MODEL, RATE
from callcenter.services.live_transcripts import LiveResult
from callcenter.transcription.live_recognizer import LiveRecognizer


async def live_latency(source: Path, streams: int, seconds: float) -> tuple[list[float], ...]:
    """(partial delays, final delays, max seconds behind) for ``streams`` paced streams."""
    with wave.open(str(source)) as w:
        stereo = array.array("h", w.readframes(w.getnframes()))
    channels = [stereo[0::2][: int(seconds * RATE)], stereo[1::2][: int(seconds * RATE)]]
    partial: list[float] = []
    final: list[float] = []
    behind: list[float] = []
    started: dict[int, float] = {}
    closed = {n: asyncio.Event() for n in range(1, streams + 1)}

    def got(stream: int, result: LiveResult) -> None:
        if result.kind == "closed":
            closed[stream].set()
        elif result.kind in ("partial", "final") and result.end:
            late = time.monotonic() - (started[stream] + result.end)
            (partial if result.kind == "partial" else final).append(late)

    recognizer = LiveRecognizer(got)
    try:
        for n in closed:
            await recognizer.open(n, MODEL)
        await asyncio.sleep(3.0)  # the model loaded before the clock starts
        t0 = time.monotonic()
        for n in closed:
            started[n] = t0
        frames = int(seconds * 50)
        for i in range(frames):
            for n in closed:
                chunk = channels[(n - 1) % 2][i * 160 : (i + 1) * 160]
                recognizer.feed(n, chunk.tobytes())
            behind.append(max(recognizer.behind(n) for n in closed))
            await asyncio.sleep(max(0.0, t0 + (i + 1) * 0.02 - time.monotonic()))
        for n in closed:
            recognizer.close(n)
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in closed.values())), 120)
    finally:
        await recognizer.aclose()
    return partial, final, [max(behind, default=0.0)]


def model_delays(source: Path, seconds: float) -> tuple[list[float], list[float]]:
    """The baseline: the same audio fed to vosk as fast as it decodes, the delay counted
    in audio — how much later than its last word a line exists at all (the model's own
    look-ahead; no pipeline can be quicker)."""

    import vosk  # type: ignore[import-untyped]

    vosk.SetLogLevel(-1)
    with wave.open(str(source)) as w:
        samples = array.array("h", w.readframes(w.getnframes()))[0::2]
    rec = vosk.KaldiRecognizer(vosk.Model(model_path=str(MODEL)), RATE)
    rec.SetWords(True)
    rec.SetPartialWords(True)
    partial: list[float] = []
    final: list[float] = []
    seen: set[tuple[int, str]] = set()
    for i in range(0, min(len(samples), int(seconds * RATE)), 160):
        fed = (i + 160) / RATE
        if rec.AcceptWaveform(samples[i : i + 160].tobytes()):
            words = json.loads(rec.Result()).get("result") or []
            if words:
                final.append(fed - words[-1]["end"])
        else:
            words = json.loads(rec.PartialResult()).get("partial_result") or []
            if words and (len(words), words[-1]["word"]) not in seen:
                seen.add((len(words), words[-1]["word"]))
                partial.append(fed - words[-1]["end"])
    return partial, final


def part_three(source: Path, max_streams: int, seconds: float) -> list[str]:
    base_partial, base_final = model_delays(source, seconds)
    lines = [
        f"live: streams fed in real time for {seconds:.0f} s each (one party each)",
        "streams  partial lines p50/p95 s  final lines p50/p95 s  max behind s",
        f"  model  {percentile(base_partial, 50):8.2f} / {percentile(base_partial, 95):5.2f}"
        f"  ({len(base_partial):>3})   {percentile(base_final, 50):6.2f} /"
        f" {percentile(base_final, 95):5.2f}  ({len(base_final):>3})   (baseline: vosk alone,"
        " as fast as it goes, delay in audio time)",
    ]
    n = 1
    while n <= max_streams:
        partial, final, behind = asyncio.run(live_latency(source, n, seconds))
        lines.append(
            f"{n:>7}  {percentile(partial, 50):8.2f} / {percentile(partial, 95):5.2f}"
            f"  ({len(partial):>3})   {percentile(final, 50):6.2f} / {percentile(final, 95):5.2f}"
            f"  ({len(final):>3})   {behind[0]:6.2f}"
        )
        n *= 2
    return lines
