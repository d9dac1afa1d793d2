"""Canned answers: short texts with placeholders, per team and language, found by their
shortcut or words, filled from the ticket at hand — so agents on the phone, in the desk
and on the chat side give the same right answer fast. Pure.

Placeholders are ``{customer.name}``, ``{customer.phone}``, ``{ticket.number}``,
``{ticket.subject}``, ``{agent.name}`` and ``{promise.due}``; any other ``{…}`` is refused
when the answer is saved, naming it. A placeholder with no value for the ticket at hand is
left out of the filled text and named in ``missing`` (the composer shows it to the agent:
nothing is sent with a hole nobody saw)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import datetime

PLACEHOLDERS = (
    "customer.name",
    "customer.phone",
    "ticket.number",
    "ticket.subject",
    "agent.name",
    "promise.due",
)
SHORTCUT = re.compile(r"[a-z0-9][a-z0-9_-]{1,31}")
LANGUAGE = re.compile(r"[a-z]{2}")
TEAM = re.compile(r"[A-Za-z0-9 _.-]{0,40}")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_TITLE = 120
MAX_BODY = 4000


class AnswerError(ValueError):
    """A canned answer that cannot be kept; the message starts with the culprit field."""


@dataclasses.dataclass(frozen=True)
class CannedAnswer:
    id: int
    shortcut: str  # typed as /shortcut in a composer
    title: str
    body: str
    language: str = "en"
    team: str = ""  # "": every team's
    uses: int = 0  # times inserted (filled) since it was written
    updated_at: datetime | None = None
    updated_by: str = ""


@dataclasses.dataclass(frozen=True)
class Filled:
    answer: CannedAnswer
    text: str
    missing: tuple[str, ...]  # placeholders with no value here


def check_answer(answer: CannedAnswer) -> CannedAnswer:
    """``answer`` with its text trimmed; AnswerError naming the first bad field."""
    answer = dataclasses.replace(
        answer, title=answer.title.strip(), body=answer.body.strip(), team=answer.team.strip()
    )
    if not SHORTCUT.fullmatch(answer.shortcut):
        raise AnswerError(
            f"shortcut: {answer.shortcut!r} must be 2-32 of a-z, 0-9, '_' or '-' (from a "
            "letter or digit)"
        )
    if not answer.title or len(answer.title) > MAX_TITLE:
        raise AnswerError(f"title: 1-{MAX_TITLE} characters")
    if not answer.body or len(answer.body) > MAX_BODY:
        raise AnswerError(f"body: 1-{MAX_BODY} characters")
    if not LANGUAGE.fullmatch(answer.language):
        raise AnswerError(f"language: {answer.language!r} is not a two-letter language code")
    if not TEAM.fullmatch(answer.team):
        raise AnswerError(f"team: {answer.team!r} is not a team name")
    for name in _PLACEHOLDER.findall(answer.body):
        if name not in PLACEHOLDERS:
            raise AnswerError(
                f"body: unknown placeholder {{{name}}} (known: "
                + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                + ")"
            )
    return answer


def fill(answer: CannedAnswer, values: Mapping[str, str]) -> Filled:
    """The body with each placeholder replaced by its value ("" and named when missing)."""
    missing: list[str] = []

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        text = values.get(name, "").strip()
        if not text and name not in missing:
            missing.append(name)
        return text

    text = _PLACEHOLDER.sub(value, answer.body)
    return Filled(answer, re.sub(r"[ \t]{2,}", " ", text), tuple(missing))


def matches(answer: CannedAnswer, query: str) -> bool:
    """Every word of ``query`` in the shortcut, title or body (case-insensitive); a query
    starting with / matches shortcuts only, by their start."""
    query = query.strip().lower()
    if query.startswith("/"):
        return answer.shortcut.startswith(query[1:])
    haystack = f"{answer.shortcut} {answer.title} {answer.body}".lower()
    return all(word in haystack for word in query.split())


def rank(answers: list[CannedAnswer], query: str, language: str, team: str) -> list[CannedAnswer]:
    """Those that match, for ``team`` (its own and everyone's) in ``language`` (when none
    is in it: in any) — the team's own before everyone's, then the most used."""
    chosen = [
        a
        for a in answers
        if matches(a, query)
        and (not team or a.team in ("", team))
        and (not language or a.language == language)
    ]
    if language and not chosen:  # none in that language: every language's, not nothing
        return rank(answers, query, "", team)
    return sorted(chosen, key=lambda a: (bool(team) and a.team != team, -a.uses, a.shortcut))
