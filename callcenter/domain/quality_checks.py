"""Checks of a call that need no person, from its transcript (per speaker, timed): the
agent greeted and said their name, asked the closing question, the share of the call in
silence, and talk-over (both speaking at once); and from its hold events (AMI Hold /
Unhold, in the event log), the share of the call on hold. Each is offered to the reviewer as a
pre-filled answer (``True``: the call passed) with what it found; the reviewer confirms or
changes it. Pure rules (no I/O)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

GREETINGS = (
    "hello", "good morning", "good afternoon", "good evening", "thank you for calling",
    "здравствуйте", "добрый день", "доброе утро", "добрый вечер", "спасибо за звонок",
    "您好", "你好", "안녕하세요",
)  # fmt: skip
CLOSINGS = (
    "anything else", "something else", "help you with", "чем ещё", "чем еще", "что-нибудь ещё",
    "что-то ещё", "ещё вопросы", "还有什么", "还有其他", "다른 문의", "더 필요",
)  # fmt: skip
GREETING_WINDOW = 20.0  # s: a greeting is in the agent's first words
CLOSING_WINDOW = 45.0  # s: the closing question is in the agent's last words
MAX_SILENCE = 0.30  # share of the call nobody speaks, at most
MAX_TALK_OVER = 0.05  # share of the call both speak, at most
MAX_HOLD = 0.20  # share of the call the caller spends on hold, at most


@dataclasses.dataclass(frozen=True)
class HoldChanged:
    """A channel of a call put on hold or taken off it (AMI Hold / Unhold): ``call_id`` is
    the conversation's (Linkedid)."""

    call_id: str
    held: bool


@dataclasses.dataclass(frozen=True)
class Check:
    passed: bool
    found: str  # what the check saw, for the reviewer


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower())


def _said(utterances: Sequence[Mapping[str, Any]], speaker: str) -> list[Mapping[str, Any]]:
    return [u for u in utterances if u.get("speaker") == speaker and str(u.get("text", "")).strip()]


def _union(intervals: Sequence[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def greeting(utterances: Sequence[Mapping[str, Any]], agent_name: str) -> Check:
    agent = _said(utterances, "agent")
    first = agent[0]["start"] if agent else 0.0
    opening = " ".join(
        _words(str(u["text"])) for u in agent if u["start"] <= first + GREETING_WINDOW
    )
    greeted = next((g for g in GREETINGS if g in opening), "")
    name = agent_name.split()[0].lower() if agent_name.strip() else ""
    named = not name or name in opening
    said = f'"{opening[:80]}"' if opening else "the agent said nothing"
    return Check(bool(greeted) and named, f"{said}; greeting: {greeted or 'none'}; name: "
                 f"{'said' if name and named else 'not said' if name else 'unknown'}")  # fmt: skip


def closing(utterances: Sequence[Mapping[str, Any]]) -> Check:
    agent = _said(utterances, "agent")
    last = agent[-1]["end"] if agent else 0.0
    words = " ".join(_words(str(u["text"])) for u in agent if u["end"] >= last - CLOSING_WINDOW)
    asked = next((c for c in CLOSINGS if c in words), "")
    return Check(bool(asked), f'closing question: "{asked}"' if asked else "no closing question")


def silence(utterances: Sequence[Mapping[str, Any]], duration: float) -> Check:
    spoken = _union([(float(u["start"]), float(u["end"])) for u in utterances])
    share = max(0.0, 1.0 - spoken / duration) if duration > 0 else 0.0
    return Check(
        share <= MAX_SILENCE, f"silence {share:.0%} of the call (at most {MAX_SILENCE:.0%})"
    )


def talk_over(utterances: Sequence[Mapping[str, Any]], duration: float) -> Check:
    caller = [(float(u["start"]), float(u["end"])) for u in _said(utterances, "caller")]
    agent = [(float(u["start"]), float(u["end"])) for u in _said(utterances, "agent")]
    both = _union(
        [
            (max(a0, c0), min(a1, c1))
            for a0, a1 in agent
            for c0, c1 in caller
            if min(a1, c1) > max(a0, c0)
        ]
    )
    share = both / duration if duration > 0 else 0.0
    return Check(
        share <= MAX_TALK_OVER,
        f"both speaking {share:.0%} of the call (at most {MAX_TALK_OVER:.0%})",
    )


def held_seconds(changes: Sequence[tuple[datetime, bool]], start: datetime, end: datetime) -> float:
    """Seconds on hold within [start, end] from the call's hold changes (in time order;
    a hold never taken off ends at ``end``)."""
    total, since = 0.0, None
    for at, held in sorted(changes):
        at = min(max(at, start), end)
        if held and since is None:
            since = at
        elif not held and since is not None:
            total, since = total + (at - since).total_seconds(), None
    if since is not None:
        total += (end - since).total_seconds()
    return total


def hold(seconds_held: float, duration: float) -> Check:
    share = seconds_held / duration if duration > 0 else 0.0
    return Check(share <= MAX_HOLD, f"on hold {share:.0%} of the call (at most {MAX_HOLD:.0%})")


def run_checks(
    utterances: Sequence[Mapping[str, Any]], duration: float, agent_name: str, held: float = 0.0
) -> dict[str, Check]:
    """Every check on one call, by name (the criteria's ``auto``): the transcript's, and
    the share on hold (``held`` seconds, from the call's hold events)."""
    return {
        "hold": hold(held, duration),
        "greeting": greeting(utterances, agent_name),
        "closing": closing(utterances),
        "silence": silence(utterances, duration),
        "talk_over": talk_over(utterances, duration),
    }
