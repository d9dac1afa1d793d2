"""The live recogniser process with the real vosk (the Korean model from PyPI): two
streams at once, fed as RTP would bring them (20 ms at a time), each giving its own lines
and a close; a model that is not there ends its stream with the reason."""

from __future__ import annotations

import asyncio
from pathlib import Path

from callcenter.services.live_transcripts import LiveResult
from callcenter.transcription.live_recognizer import LiveRecognizer
from tests.integration.transcription.test_transcripts import MODEL, speech
from tests.support.rtp_audio import to_8khz


async def test_two_streams_are_decoded_at_once_into_their_own_lines(tmp_path: Path) -> None:
    results: dict[int, list[LiveResult]] = {1: [], 2: [], 3: []}
    closed = {1: asyncio.Event(), 2: asyncio.Event(), 3: asyncio.Event()}

    def got(stream: int, result: LiveResult) -> None:
        results[stream].append(result)
        if result.kind == "closed":
            closed[stream].set()

    recognizer = LiveRecognizer(got)
    try:
        one = to_8khz(speech("안녕하세요 택배가 안 왔어요", tmp_path / "a.wav"), 22050)
        two = to_8khz(speech("네 확인해 드리겠습니다", tmp_path / "b.wav"), 22050)
        await recognizer.open(1, MODEL)
        await recognizer.open(2, MODEL)
        await recognizer.open(3, tmp_path / "no-model")
        for stream, samples in ((1, one), (2, two)):
            pcm = b"".join(s.to_bytes(2, "little", signed=True) for s in [*samples, *[0] * 8000])
            for start in range(0, len(pcm), 320):
                recognizer.feed(stream, pcm[start : start + 320])
        assert recognizer.behind(1) > 0  # sent, not yet decoded
        recognizer.close(1)
        recognizer.close(2)
        recognizer.close(3)
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in closed.values())), timeout=60)
    finally:
        await recognizer.aclose()
    for stream in (1, 2):
        said = [r for r in results[stream] if r.kind in ("partial", "final") and r.text]
        assert said, results[stream]
        finals = [r for r in said if r.kind == "final"]
        assert finals, said
        assert 0 <= finals[0].start < finals[0].end
        assert results[stream][-1].kind == "closed"
        assert not results[stream][-1].error
    assert "no-model" in results[3][-1].error
