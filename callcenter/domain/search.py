"""Search across phone and chat: which lines of an interaction can be found, and what a
query is. Pure rules (no I/O).

Every interaction gives *lines*: a call's or a voicemail's transcript one per utterance
(with its speaker and its second in the recording), a chat message, an email or a note
one. A query is up to :data:`MAX_TERMS` words (letters and digits of any script), all of
which a line must hold; a word ending in ``*`` matches as a prefix. Both databases get
the same words (SQLite FTS5, PostgreSQL ``to_tsquery('simple', …)``), never the raw text,
so no query syntax of either can be injected.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

MAX_QUERY = 200
MAX_TERMS = 8
MAX_LINE = 4000  # a long chat message is found by its first few thousand characters
_WORD = re.compile(r"(\w+)(\*?)")
TRANSCRIBED = ("call", "voicemail")


class SearchError(ValueError):
    """A query that cannot be searched; the message names ``q`` and says why."""

    field = "q"


@dataclasses.dataclass(frozen=True)
class Term:
    word: str
    prefix: bool = False


@dataclasses.dataclass(frozen=True)
class Line:
    kind: str  # the interaction's kind: call, voicemail, chat_message, note...
    speaker: str  # caller / agent (a transcript), customer / staff (a message)
    text: str
    start: float | None = None  # seconds into the recording
    recording_id: int | None = None


@dataclasses.dataclass(frozen=True)
class SearchHit:
    """A line found: of an interaction (its ticket), or of an article (``article_id``,
    kind ``article``, no ticket)."""

    ticket_number: int | None
    interaction_id: int | None
    kind: str
    speaker: str
    text: str
    occurred_at: datetime
    start: float | None = None
    recording_id: int | None = None
    article_id: int | None = None


def parse_query(q: str) -> tuple[Term, ...]:
    """The words of ``q`` (lower-cased, each once); SearchError when there are none or
    too many, or ``q`` is too long."""
    if len(q) > MAX_QUERY:
        raise SearchError(f"q: at most {MAX_QUERY} characters")
    terms: dict[str, Term] = {}
    for word, star in _WORD.findall(q.lower()):
        word = word.strip("_")
        if word:
            terms.setdefault(word, Term(word, bool(star)))
    if not terms:
        raise SearchError("q: no word to search for (letters or digits)")
    if len(terms) > MAX_TERMS:
        raise SearchError(f"q: at most {MAX_TERMS} words")
    return tuple(terms.values())


def fts5_query(terms: tuple[Term, ...]) -> str:
    """The FTS5 MATCH expression: every term, each a quoted string (no operator inside)."""
    return " ".join(f'"{t.word}"' + ("*" if t.prefix else "") for t in terms)


def tsquery(terms: tuple[Term, ...]) -> str:
    """The ``to_tsquery('simple', …)`` text: every term (``&``), prefixes as ``:*``."""
    return " & ".join(t.word + (":*" if t.prefix else "") for t in terms)


def lines_of(kind: str, direction: str, body: str, data: Mapping[str, Any]) -> list[Line]:
    """What of an interaction is searched: a transcript's utterances (calls, voicemail),
    else its body (a chat message, an email, a note) as one line."""
    if kind in TRANSCRIBED:
        transcript = data.get("transcript")
        if not isinstance(transcript, Mapping):
            return []
        recording = transcript.get("recording_id")
        recording_id = recording if isinstance(recording, int) else None
        out = []
        for u in transcript.get("utterances") or ():
            if not isinstance(u, Mapping) or not str(u.get("text", "")).strip():
                continue
            start = u.get("start")
            out.append(
                Line(
                    kind,
                    str(u.get("speaker", "")),
                    str(u["text"])[:MAX_LINE],
                    float(start) if isinstance(start, int | float) else None,
                    recording_id,
                )
            )
        return out
    if not body.strip():
        return []
    speaker = "customer" if direction == "inbound" else "staff"
    return [Line(kind, speaker, body[:MAX_LINE])]
