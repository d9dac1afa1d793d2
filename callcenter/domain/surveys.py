"""Post-call surveys: what a caller's answer is, how the dialplan's marker is read, the
rules of a link survey's token, and CSAT. Pure rules (no I/O).

A queue with ``survey: true`` (queues.yaml) tells its callers before an agent answers that
a survey follows; when the agent hangs up, the caller stays in the dialplan (Queue option
``c``: the agent cannot keep them from it) and is asked one or two questions (a digit
1-5, in the call's language) and, if configured, for a short spoken comment. Whatever
happens — answered, hung up at the first question, the daemon down — the dialplan's hangup
handler leaves a *marker* in the survey spool that the daemon imports: nothing is lost,
and a caller who hangs up before a score counts as ``no_answer``, never as a score.

A web callback or a chat-side call gets the same survey by a link: a signed token, good
once, until it expires.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import hashlib
import hmac
import re
import statistics
from collections.abc import Iterable, Mapping
from datetime import datetime

SCALE = (1, 5)
MAX_QUESTIONS = 2
SATISFIED = 4  # CSAT: the share of answers at 4 or 5 (the customary definition)
CALL_ID = re.compile(r"^(?:[a-z0-9-]{1,32}-)?\d{1,20}\.\d{1,10}$")
QUEUE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
COMMENT = re.compile(r"^\d{4}/\d{2}/\d{2}/sv-(?:[a-z0-9-]{1,32}-)?\d{1,20}\.\d{1,10}\.wav$")
MARKER_KEYS = frozenset({"queue", "agent", "s1", "s2", "comment", "at"})


class SurveyError(ValueError):
    """A survey answer, marker or link that breaks the rules; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class Outcome(enum.StrEnum):
    ANSWERED = "answered"  # at least the first question scored
    NO_ANSWER = "no_answer"  # asked, hung up (or said nothing) before a score
    PENDING = "pending"  # a link sent, not answered yet


class Channel(enum.StrEnum):
    PHONE = "phone"  # after the call, in the dialplan
    LINK = "link"  # a signed link (web callback, chat-side call)


@dataclasses.dataclass(frozen=True)
class Survey:
    id: int
    call_id: str  # the caller's channel Uniqueid (the call's interaction)
    channel: Channel
    outcome: Outcome
    queue: str = ""
    agent: str = ""
    scores: tuple[int, ...] = ()  # question 1, question 2
    comment_path: str = ""  # the spoken comment (recordings dir), if one was left
    comment_text: str = ""  # its transcript, once decoded
    created_at: datetime | None = None
    answered_at: datetime | None = None
    reviewed_at: datetime | None = None  # a supervisor saw it: the agent may now
    reviewed_by: str = ""
    ticket_number: int | None = None

    @property
    def score(self) -> int | None:
        return self.scores[0] if self.scores else None


def check_score(value: object, field: str = "score") -> int:
    """A score on the scale, or :class:`SurveyError` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int) or not (SCALE[0] <= value <= SCALE[1]):
        raise SurveyError(field, f"{value!r} is not a whole number from {SCALE[0]} to {SCALE[1]}")
    return value


def check_scores(values: Iterable[object]) -> tuple[int, ...]:
    scores = tuple(check_score(v, f"scores[{i}]") for i, v in enumerate(values))
    if not 1 <= len(scores) <= MAX_QUESTIONS:
        raise SurveyError("scores", f"one or {MAX_QUESTIONS} answers, not {len(scores)}")
    return scores


@dataclasses.dataclass(frozen=True)
class Marker:
    """What the dialplan's hangup handler wrote: ``<call id>.done`` holding
    ``queue=… agent=… s1=… s2=… comment=… at=<epoch>``."""

    call_id: str
    queue: str
    agent: str
    scores: tuple[int, ...]
    comment: str
    at: float

    @property
    def outcome(self) -> Outcome:
        return Outcome.ANSWERED if self.scores else Outcome.NO_ANSWER


def parse_marker(call_id: str, text: str) -> Marker:
    """A marker's content, checked field by field (an empty score: not given)."""
    if not CALL_ID.fullmatch(call_id):
        raise SurveyError("call_id", f"{call_id!r} is not an Asterisk Uniqueid")
    fields: dict[str, str] = {}
    for part in text.split():
        key, sep, value = part.partition("=")
        if not sep or key not in MARKER_KEYS:
            raise SurveyError("marker", f"{part!r} is not one of {sorted(MARKER_KEYS)}=…")
        fields[key] = value
    queue, agent = fields.get("queue", ""), fields.get("agent", "")
    if not QUEUE.fullmatch(queue):
        raise SurveyError("queue", f"{queue!r} is not a queue name")
    if agent and not agent.isdigit():
        raise SurveyError("agent", f"{agent!r} is not an extension")
    scores: list[int] = []
    for key in ("s1", "s2"):
        raw = fields.get(key, "")
        if raw:
            if not raw.isdigit():
                raise SurveyError(key, f"{raw!r} is not a digit")
            scores.append(check_score(int(raw), key))
    comment = fields.get("comment", "")
    if comment and not COMMENT.fullmatch(comment):
        raise SurveyError("comment", f"{comment!r} is not a survey comment's path")
    try:
        at = float(fields.get("at", ""))
    except ValueError:
        raise SurveyError("at", f"{fields.get('at')!r} is not an epoch") from None
    return Marker(call_id, queue, agent, tuple(scores), comment if scores else "", at)


def shown(data: Mapping[str, object]) -> dict[str, object]:
    """A call interaction's data as the API shows it: a caller's survey (scores, comment)
    only once a supervisor has reviewed it — until then its id alone, so no agent learns
    which caller gave which score first."""
    survey = data.get("survey")
    if not isinstance(survey, Mapping) or survey.get("reviewed"):
        return dict(data)
    out = {k: v for k, v in data.items() if k not in ("survey", "survey_comment")}
    out["survey"] = {"id": survey.get("id"), "reviewed": False}
    return out


# -- link surveys ----------------------------------------------------------------------


def _signed(key: bytes, survey_id: int, expires: int) -> str:
    body = f"{survey_id}.{expires}"
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()[:18]
    return f"{body}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def sign_link(key: bytes, survey_id: int, expires: datetime) -> str:
    """The token of survey ``survey_id``'s link: its id, expiry and an HMAC over both."""
    return _signed(key, survey_id, int(expires.timestamp()))


def read_link(key: bytes, token: str, now: datetime) -> int:
    """The survey id a token is for; :class:`SurveyError` (field ``token``) when it was not
    signed by us or has expired. Used-once is the store's to check."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise SurveyError("token", "not a survey link")
    survey_id, expires = int(parts[0]), int(parts[1])  # any size: compared, never a date
    if not hmac.compare_digest(_signed(key, survey_id, expires), token):
        raise SurveyError("token", "not a survey link of ours")
    if expires <= now.timestamp():
        raise SurveyError("token", "this survey link has expired")
    return survey_id


def token_digest(token: str) -> str:
    """What the store keeps of a token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


# -- CSAT ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Csat:
    answered: int
    no_answer: int
    satisfied: int  # scored 4 or 5
    mean: float | None

    @property
    def csat(self) -> float | None:
        """The share of answers at 4 or 5, in percent (None: no answer yet)."""
        return round(100.0 * self.satisfied / self.answered, 1) if self.answered else None

    @property
    def response_rate(self) -> float | None:
        asked = self.answered + self.no_answer
        return round(100.0 * self.answered / asked, 1) if asked else None


def csat(scores: Iterable[int | None]) -> Csat:
    """CSAT of first-question scores; None is a caller asked who gave none."""
    given = [s for s in scores]
    answered = [s for s in given if s is not None]
    return Csat(
        answered=len(answered),
        no_answer=len(given) - len(answered),
        satisfied=sum(1 for s in answered if s >= SATISFIED),
        mean=round(statistics.fmean(answered), 2) if answered else None,
    )


def csat_by(rows: Iterable[tuple[str, int | None]]) -> Mapping[str, Csat]:
    """CSAT per key (a queue, an agent, an hour…), keys sorted."""
    groups: dict[str, list[int | None]] = {}
    for key, score in rows:
        groups.setdefault(key, []).append(score)
    return {key: csat(groups[key]) for key in sorted(groups)}
