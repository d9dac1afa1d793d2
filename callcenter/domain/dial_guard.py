"""The toll-fraud guard: which outbound dials asked from the web, the API or a number keyed
in at the IVR may happen. Pure rules (no I/O); the clock is an argument.

Every request is decided by one call, :func:`decide`, in this order (the first rule that
refuses names itself in the refusal):

1. ``breaker`` — the global hourly budget was used up: every guarded dial is refused
   until the breaker closes again (``breaker_minutes`` later).
2. ``number`` — E.164, an allowed country and type, not on the deny list (prefixes):
   :func:`~callcenter.domain.callbacks.dialable` says why a number is refused.
3. ``per_number`` — a destination gets ``per_number_day`` dials in 24 hours.
4. ``per_client`` — an address gets ``per_client`` requests in ``client_window_seconds``
   (counted whether they pass or not: a burst is what this rule stops).
5. ``per_widget`` — a widget (or API token, or the IVR) gets ``per_widget_hour``.
6. ``budget`` — all sources together get ``budget_hour`` dials an hour; the request that
   finds it used up trips the breaker (and the service alerts).

The token, origin and pending-callback rules are checked by the service before this
(they need the store or the signing key); they refuse with the same :class:`Refusal`.
"""

from __future__ import annotations

import collections
import dataclasses
import enum
import math
from datetime import datetime

from callcenter.domain.callbacks import CallbackError, NumberPolicy, dialable


class Rule(enum.StrEnum):
    TOKEN = "token"  # noqa: S105 (a rule's name) — missing, forged, expired, replayed, another widget's
    ORIGIN = "origin"  # the page's Origin is not one of the widget's
    BREAKER = "breaker"
    NUMBER = "number"
    PENDING = "pending"  # the number already waits for a callback (another queue)
    PER_NUMBER = "per_number"
    PER_CLIENT = "per_client"
    PER_WIDGET = "per_widget"
    BUDGET = "budget"


# What each refusal answers over HTTP: 403 for who asks, 422 for what they asked, 429
# (with Retry-After) for how often.
STATUS: dict[Rule, int] = {
    Rule.TOKEN: 403,
    Rule.ORIGIN: 403,
    Rule.BREAKER: 429,
    Rule.NUMBER: 422,
    Rule.PENDING: 409,
    Rule.PER_NUMBER: 429,
    Rule.PER_CLIENT: 429,
    Rule.PER_WIDGET: 429,
    Rule.BUDGET: 429,
}


@dataclasses.dataclass(frozen=True)
class Refusal(Exception):
    """A guarded dial refused: ``rule`` names the rule, ``message`` says why in words a
    caller of the API can act on; ``retry_after`` (seconds) when waiting would help."""

    rule: Rule
    message: str
    retry_after: float | None = None

    def __str__(self) -> str:
        return f"{self.rule.value}: {self.message}"

    @property
    def status(self) -> int:
        return STATUS[self.rule]


@dataclasses.dataclass(frozen=True)
class GuardLimits:
    per_number_day: int = 3
    per_client: int = 5
    client_window_seconds: float = 600.0
    per_widget_hour: int = 60
    budget_hour: int = 200
    breaker_minutes: float = 30.0


@dataclasses.dataclass(frozen=True)
class DialAttempt:
    """One request for an outbound dial, as the guard sees it."""

    source: str  # web (a widget), api (a token), ticket (a chat ticket's call), ivr
    number: str  # as given
    client: str = ""  # the address it came from ("" for the IVR: the caller's channel)
    widget: str = ""  # the widget id, the API token's name, the IVR flow
    field: str = "number"  # named in a refusal of the number


WEB_CALL = "webcall"  # the source of a widget's "call now"
DAY = 86400.0
HOUR = 3600.0


class Windows:
    """Sliding-window counters: per key, the times (seconds, monotonic) of what was
    counted. Bounded: a key keeps at most ``cap`` times, and only those inside the window
    it is asked about are kept."""

    def __init__(self, cap: int = 10000) -> None:
        self._times: dict[str, collections.deque[float]] = {}
        self._cap = cap

    def count(self, key: str, now: float, window: float) -> int:
        times = self._times.get(key)
        if times is None:
            return 0
        while times and times[0] <= now - window:
            times.popleft()
        if not times:
            del self._times[key]
            return 0
        return len(times)

    def add(self, key: str, now: float) -> None:
        times = self._times.setdefault(key, collections.deque(maxlen=self._cap))
        times.append(now)

    def retry_after(self, key: str, now: float, window: float) -> float:
        """Seconds until the oldest counted time leaves the window (at least 1)."""
        times = self._times.get(key)
        if not times:
            return 1.0
        return max(1.0, math.ceil(times[0] + window - now))

    def take_back(self, key: str) -> None:
        """Un-count the latest time of ``key``."""
        times = self._times.get(key)
        if times:
            times.pop()

    def __len__(self) -> int:
        return len(self._times)


@dataclasses.dataclass
class GuardState:
    """What the guard remembers between requests (one daemon's; see docs/architecture)."""

    numbers: Windows = dataclasses.field(default_factory=Windows)
    clients: Windows = dataclasses.field(default_factory=Windows)
    widgets: Windows = dataclasses.field(default_factory=Windows)
    budget: Windows = dataclasses.field(default_factory=Windows)
    breaker_until: float = 0.0  # monotonic seconds; 0: closed


def _count_client(client_key: str, limits: GuardLimits, state: GuardState, now: float) -> None:
    """Every request counts against its client, refused or not."""
    if client_key:
        used = state.clients.count(client_key, now, limits.client_window_seconds)
        state.clients.add(client_key, now)
        if used >= limits.per_client:
            raise Refusal(
                Rule.PER_CLIENT,
                f"{client_key} made {used} requests in the last"
                f" {limits.client_window_seconds:.0f} s (at most {limits.per_client})",
                state.clients.retry_after(client_key, now, limits.client_window_seconds),
            )


def decide(
    attempt: DialAttempt,
    numbers: NumberPolicy,
    limits: GuardLimits,
    state: GuardState,
    now: float,
) -> str:
    """The E.164 number ``attempt`` may dial, counted in ``state``; else :class:`Refusal`
    naming the rule. A request refused for its number or a limit still counts against its
    client (a burst of bad numbers is a burst); only accepted ones count against the
    number, the widget and the budget."""
    if state.breaker_until > now:
        raise Refusal(
            Rule.BREAKER,
            "the hourly budget of web and API calls is used up; calls resume later",
            math.ceil(state.breaker_until - now),
        )
    _count_client(attempt.client, limits, state, now)
    number = ""
    if attempt.source != WEB_CALL:  # a web call dials no number: the browser is the phone
        try:
            number = dialable(attempt.number, numbers, attempt.field)
        except CallbackError as exc:
            raise Refusal(Rule.NUMBER, str(exc)) from None
    if number and state.numbers.count(number, now, DAY) >= limits.per_number_day:
        raise Refusal(
            Rule.PER_NUMBER,
            f"{number} was called back {limits.per_number_day} times in the last 24 hours",
            state.numbers.retry_after(number, now, DAY),
        )
    widget_key = f"{attempt.source}:{attempt.widget}"
    if state.widgets.count(widget_key, now, HOUR) >= limits.per_widget_hour:
        raise Refusal(
            Rule.PER_WIDGET,
            f"{attempt.source} {attempt.widget or '-'} asked {limits.per_widget_hour}"
            " calls in the last hour",
            state.widgets.retry_after(widget_key, now, HOUR),
        )
    if state.budget.count("all", now, HOUR) >= limits.budget_hour:
        state.breaker_until = now + limits.breaker_minutes * 60
        raise Refusal(
            Rule.BUDGET,
            f"{limits.budget_hour} web and API calls in the last hour: the breaker is open"
            f" for {limits.breaker_minutes:.0f} minutes",
            limits.breaker_minutes * 60,
        )
    if number:
        state.numbers.add(number, now)
    state.widgets.add(widget_key, now)
    state.budget.add("all", now)
    return number


def give_back(number: str, attempt: DialAttempt, state: GuardState) -> None:
    """A request accepted by :func:`decide` that dialled nothing after all (merged into
    an open callback, refused by the callbacks service): its counts against the number,
    the widget and the budget are taken back (the client's stays)."""
    state.numbers.take_back(number)
    state.widgets.take_back(f"{attempt.source}:{attempt.widget}")
    state.budget.take_back("all")


@dataclasses.dataclass(frozen=True)
class DialRecord:
    """One decision of the guard, as audited (``rule`` None: accepted)."""

    at: datetime
    source: str
    number: str  # E.164 when it parsed, else what was given (cut to 40 characters)
    rule: Rule | None = None
    message: str = ""
    widget: str = ""
    client: str = ""
    origin: str = ""
    user_agent: str = ""
    callback_id: int | None = None
    id: int = 0
