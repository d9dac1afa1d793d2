"""Callbacks that keep the caller's place. Pure rules (no I/O).

A caller waiting in a queue (or at a flow's ``callback`` node) asks to be called back and
hangs up. A *placeholder* — a Local channel the daemon originates — waits in the queue in
their place: at their priority, ahead of everyone who joined after them and behind
everyone who joined before. When an agent takes the placeholder, the agent hears a short
whisper and the customer is dialled (agent first). Busy or no answer: another attempt
after a backoff, inside the queue's business hours, up to a limit; then the promise is
broken.

States (every transition is logged by the service):

    waiting ──agent took it──▶ dialing ──answered──▶ completed
       ▲                          │
       └──── retry (backoff) ◀────┤ busy / no answer / failed
                                  └── attempts exhausted ──▶ failed
    waiting | retry ──▶ cancelled

A callback is *claimed* (waiting, with the placeholder's id and the attempt number) in the
same transaction that decides to place it; the placeholder dials the customer only when
an agent answers it, so concurrent dials never exceed the agents who answered.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import zoneinfo
from datetime import datetime, timedelta

import phonenumbers
from phonenumbers import PhoneNumberType

from callcenter.domain.business_hours import Calendar, business_time_after


class CallbackState(enum.StrEnum):
    WAITING = "waiting"  # a placeholder holds the caller's place in the queue
    DIALING = "dialing"  # an agent took it; the customer's phone is ringing
    RETRY = "retry"  # the last attempt failed; the next one is due at next_attempt_at
    COMPLETED = "completed"  # the customer answered and talked to the agent
    FAILED = "failed"  # attempts exhausted
    CANCELLED = "cancelled"


OPEN_STATES = frozenset({CallbackState.WAITING, CallbackState.DIALING, CallbackState.RETRY})
TRANSITIONS: dict[CallbackState, frozenset[CallbackState]] = {
    CallbackState.WAITING: frozenset(
        {CallbackState.DIALING, CallbackState.RETRY, CallbackState.CANCELLED}
    ),
    CallbackState.DIALING: frozenset(
        {CallbackState.COMPLETED, CallbackState.RETRY, CallbackState.FAILED}
    ),
    CallbackState.RETRY: frozenset({CallbackState.WAITING, CallbackState.CANCELLED}),
    CallbackState.COMPLETED: frozenset(),
    CallbackState.FAILED: frozenset(),
    CallbackState.CANCELLED: frozenset(),
}
# Dial() outcomes (DIALSTATUS) after which the customer is tried again.
RETRY_ON = frozenset({"BUSY", "NOANSWER", "CONGESTION", "CHANUNAVAIL", "CANCEL"})
PLACEHOLDER = re.compile(r"^cb(\d{1,12})-(\d{1,3})$")  # cb<callback id>-<attempt>


class CallbackError(ValueError):
    """A request or a transition that is not allowed; the message names the culprit."""


@dataclasses.dataclass(frozen=True)
class Callback:
    id: int
    queue: str
    number: str  # E.164, checked by dialable()
    state: CallbackState
    requested_at: datetime
    joined_at: datetime  # the caller's place: when they entered the queue
    priority: int = 0
    call_id: str = ""  # the call that asked (its Uniqueid), if any
    ticket_number: int | None = None
    customer_id: int | None = None
    attempts: int = 0  # placeholders placed so far
    max_attempts: int = 3
    next_attempt_at: datetime | None = None
    agent: str = ""
    outcome: str = ""  # the last DIALSTATUS, or why it was cancelled
    reason: str = ""  # why they asked (the IVR's words, an API caller's note)
    source: str = "queue"  # queue, ivr, api, capacity (admission), spool
    owner_node: str = ""  # the node whose placeholder holds the current attempt
    fence: int = 0  # that node's epoch when it claimed it

    @property
    def placeholder(self) -> str:
        """The current attempt's placeholder id (the Local channel's name and ids)."""
        return f"cb{self.id}-{self.attempts}"


@dataclasses.dataclass(frozen=True)
class NewCallback:
    queue: str
    number: str
    requested_at: datetime
    joined_at: datetime
    due_at: datetime  # the promise told to the caller
    expected_at: datetime | None = None  # the prediction behind it
    earliest_at: datetime | None = None  # told as a range: from this time
    basis: str = ""  # what the range was measured on ("measured", "roster")
    priority: int = 0
    call_id: str = ""
    ticket_number: int | None = None
    customer_id: int | None = None
    max_attempts: int = 3
    reason: str = ""
    source: str = "queue"
    # A scheduled callback ("call me at 15:00"): no placeholder until then; it waits as
    # a retry due at this time, attempt 0.
    first_attempt_at: datetime | None = None
    # The call whose node failed: recorded lost in the request's transaction, once.
    lost_call: str = ""


class StaleCallback(RuntimeError):
    """The callback is no longer in the state (or attempt) the change expected."""


class CallAlreadyClosed(RuntimeError):
    """The lost call a callback was offered for hung up, or was recorded lost, already."""


def parse_placeholder(name: str) -> tuple[int, int] | None:
    """(callback id, attempt) from a placeholder id, or None."""
    m = PLACEHOLDER.match(name)
    return (int(m.group(1)), int(m.group(2))) if m else None


def transition(callback: Callback, to: CallbackState, **changes: object) -> Callback:
    """The callback in state ``to``; raises CallbackError for a transition the diagram
    above does not have."""
    if to not in TRANSITIONS[callback.state]:
        raise CallbackError(f"callback {callback.id}: cannot go from {callback.state} to {to}")
    return dataclasses.replace(callback, state=to, **changes)  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class NumberPolicy:
    """Which numbers a callback may dial: the toll-fraud guard for numbers from callers."""

    region: str = "RU"  # how numbers without a country code are read
    countries: frozenset[str] = frozenset({"RU"})  # regions a callback may dial
    deny: frozenset[str] = frozenset()  # E.164 prefixes (or whole numbers) never dialled


ALLOWED_TYPES = frozenset(
    {PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def dialable(raw: str, policy: NumberPolicy, field: str = "number") -> str:
    """``raw`` as E.164 if a callback may dial it; else CallbackError naming ``field`` and
    the rule that refused it (invalid, country, type — premium rate, shared cost, VoIP,
    personal, unknown… — or the deny list)."""
    text = raw.strip()
    if not text or len(text) > 32 or not re.fullmatch(r"\+?[0-9 ()-]+", text):
        raise CallbackError(f"{field}: {raw!r} is not a phone number")
    try:
        parsed = phonenumbers.parse(text, policy.region)
    except phonenumbers.NumberParseException as exc:
        raise CallbackError(f"{field}: {raw!r} is not a phone number ({exc})") from None
    if not phonenumbers.is_valid_number(parsed):
        raise CallbackError(f"{field}: {raw!r} is not a valid number")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    country = phonenumbers.region_code_for_number(parsed)
    if country not in policy.countries:
        raise CallbackError(
            f"{field}: {e164} is in {country or 'no country'}; callbacks dial only"
            f" {', '.join(sorted(policy.countries))}"
        )
    kind = phonenumbers.number_type(parsed)
    if kind not in ALLOWED_TYPES:
        name = next((k for k, v in vars(PhoneNumberType).items() if v == kind), str(kind))
        raise CallbackError(
            f"{field}: {e164} is a {name.lower()} number; callbacks dial only"
            " fixed lines and mobiles"
        )
    denied = next((p for p in sorted(policy.deny) if e164.startswith(p)), None)
    if denied is not None:
        raise CallbackError(f"{field}: {e164} is on the deny list ({denied})")
    return e164


def next_attempt(
    callback: Callback, now: datetime, retry: timedelta, calendar: Calendar
) -> datetime:
    """When the next attempt is due: ``retry`` doubled per failed attempt (2, 4, 8 min…),
    moved to the next open instant of the queue's calendar."""
    backoff = retry * (2 ** max(0, callback.attempts - 1))
    return business_time_after(calendar, now + backoff, 0)


def check_slot(
    calendar: Calendar, now: datetime, at: datetime, horizon: timedelta = timedelta(days=14)
) -> datetime:
    """``at`` (aware) if a callback may be scheduled then: in the future, within
    ``horizon``, and while the queue's calendar is open; else CallbackError naming
    ``at`` and, when closed, the next open slot."""
    if at.tzinfo is None:
        raise CallbackError("at: needs a time zone (e.g. 2026-12-07T15:00:00+03:00)")
    if at <= now:
        raise CallbackError(f"at: {at.isoformat()} is in the past")
    if at > now + horizon:
        raise CallbackError(f"at: {at.isoformat()} is more than {horizon.days} days ahead")
    opens = business_time_after(calendar, at, 0)
    if opens != at.astimezone(opens.tzinfo):
        local = opens.astimezone(zoneinfo.ZoneInfo(calendar.timezone))
        raise CallbackError(
            f"at: {at.isoformat()} is outside business hours; the next open slot is"
            f" {local.isoformat(timespec='minutes')}"
        )
    return at


def time_of_day(digits: str, now: datetime, timezone: str) -> datetime | None:
    """The time a caller keyed in ("1500", "930": HHMM or HMM, 24-hour clock) as the next
    such moment in ``timezone`` — today if it is still ahead, else tomorrow (DST-correct:
    the wall clock time of that day); None when the digits are no time of day."""
    if not re.fullmatch(r"[0-9]{3,4}", digits):
        return None
    hour, minute = int(digits[:-2]), int(digits[-2:])
    if hour > 23 or minute > 59:
        return None
    zone = zoneinfo.ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    today = local_now.date()
    at = datetime(today.year, today.month, today.day, hour, minute, tzinfo=zone)
    if at <= local_now:
        tomorrow = today + timedelta(days=1)
        at = datetime(tomorrow.year, tomorrow.month, tomorrow.day, hour, minute, tzinfo=zone)
    return at


def position_for(waited: float, priority: int, waiting: list[tuple[float, int]]) -> int:
    """Where a placeholder enters the queue (Queue()'s position argument, 1 = next):
    behind every caller at the same or a higher priority who has waited longer than the
    caller it stands for (``waited`` seconds, from their original entry), ahead of the
    rest. ``waiting`` is (seconds waited, priority) for each caller in the queue now.
    app_queue never puts it ahead of a higher priority whatever the position says."""
    ahead = sum(1 for w, p in waiting if p > priority or (p == priority and w >= waited))
    return ahead + 1
