"""Transcripts: what was said on a recording, per speaker, redacted. Pure rules (no I/O).

A call's recording has two channels (left: the caller, right: the agent); a voicemail one
(the caller). Each channel is decoded on its own (vosk, in worker processes); its results
become *utterances* (speaker, start, end, text, confidence, words with times), and the
channels are merged into one timeline. Before anything is stored, card-number-like digit
runs — keyed or spoken — and the configured patterns become ``[redacted]``: the raw text
is never written.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

REDACTED = "[redacted]"
# 13-19 digits, maybe split by spaces or dashes: a payment card number (PAN) or alike.
_CARD = re.compile(r"(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])")
# Spoken digits (English and Russian number words, or digits the recogniser wrote as
# figures), 13 or more in a row.
_DIGIT_WORDS = (
    "zero|oh|one|two|three|four|five|six|seven|eight|nine|"
    "ноль|один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять"
)
_SPOKEN = re.compile(
    rf"(?<!\w)(?:(?:{_DIGIT_WORDS}|[0-9])\s+){{12,}}(?:{_DIGIT_WORDS}|[0-9])(?!\w)", re.I
)
SPEAKERS = ("caller", "agent")  # by channel: left, right


class JobState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"  # claimed by a worker (until its claim expires)
    DONE = "done"
    FAILED = "failed"  # the reason says why (the file cannot be decoded, attempts used)


class TranscriptError(ValueError):
    """A decoder's output or a job that is not what it must be; the message says which."""


@dataclasses.dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float
    conf: float


@dataclasses.dataclass(frozen=True)
class Utterance:
    speaker: str  # caller | agent
    start: float  # seconds from the recording's start
    end: float
    text: str
    confidence: float
    words: tuple[Word, ...] = ()


@dataclasses.dataclass(frozen=True)
class TranscriptJob:
    id: int
    recording_id: int
    state: JobState
    language: str
    attempts: int = 0
    next_attempt_at: datetime | None = None
    error: str = ""
    audio_seconds: float = 0.0
    utterances: tuple[Utterance, ...] = ()
    finished_at: datetime | None = None

    @property
    def text(self) -> str:
        return "\n".join(f"{u.speaker.capitalize()}: {u.text}" for u in self.utterances)


def redact(text: str, patterns: Sequence[re.Pattern[str]] = ()) -> str:
    """``text`` with card-like digit runs (keyed or spoken) and ``patterns`` redacted."""
    for pattern in (_CARD, _SPOKEN, *patterns):
        text = pattern.sub(REDACTED, text)
    return text


def utterances(
    results: Iterable[Mapping[str, Any]], speaker: str, patterns: Sequence[re.Pattern[str]] = ()
) -> list[Utterance]:
    """One channel's decoder results (vosk's final results with words) as utterances,
    redacted: a word inside a redacted run is dropped from the words as well."""
    out: list[Utterance] = []
    for result in results:
        raw_words = result.get("result") or []
        if not isinstance(raw_words, list) or not raw_words:
            continue
        try:
            words = tuple(
                Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w.get("conf", 1)))
                for w in raw_words
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TranscriptError(f"decoder result without word times: {exc!r}") from exc
        text = redact(" ".join(w.word for w in words), patterns)
        if REDACTED in text:
            words = ()  # the times of the words would tell what was said
        out.append(
            Utterance(
                speaker=speaker,
                start=float(raw_words[0]["start"]),
                end=float(raw_words[-1]["end"]),
                text=text,
                confidence=round(
                    sum(float(w.get("conf", 1)) for w in raw_words) / len(raw_words), 3
                ),
                words=words,
            )
        )
    return out


def merge(*channels: Sequence[Utterance]) -> tuple[Utterance, ...]:
    """The speakers' utterances as one timeline (by start; the caller first on a tie)."""
    order = {s: i for i, s in enumerate(SPEAKERS)}
    every = [u for channel in channels for u in channel]
    return tuple(sorted(every, key=lambda u: (u.start, order.get(u.speaker, 9))))


def retry_at(now: datetime, attempts: int, base: float) -> datetime:
    """When a failed decode is tried again: ``base`` seconds, doubled each attempt (≤ 1 h)."""
    return now + timedelta(seconds=min(3600.0, base * 2 ** max(0, attempts - 1)))


def as_json(u: Utterance) -> dict[str, Any]:
    return {
        "speaker": u.speaker,
        "start": u.start,
        "end": u.end,
        "text": u.text,
        "confidence": u.confidence,
        "words": [
            {"word": w.word, "start": w.start, "end": w.end, "conf": w.conf} for w in u.words
        ],
    }


def from_json(raw: Mapping[str, Any]) -> Utterance:
    return Utterance(
        speaker=str(raw["speaker"]),
        start=float(raw["start"]),
        end=float(raw["end"]),
        text=str(raw["text"]),
        confidence=float(raw.get("confidence", 0)),
        words=tuple(
            Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w["conf"]))
            for w in raw.get("words", ())
        ),
    )
