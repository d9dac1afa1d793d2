"""The callbacks service's ports and values: the store, the placeholders in Asterisk,
the wait estimate, the tickets; the policy, a request and its answer."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from callcenter.domain.callbacks import Callback, CallbackState, NewCallback, NumberPolicy
from callcenter.domain.promises import Promise, PromiseFilter, PromiseKind, PromisePolicy
from callcenter.domain.queue_view import QueueSnapshot
from callcenter.domain.tickets import NewInteraction, Page
from callcenter.domain.webhooks import Announce

DEFAULT_HANDLE = 300.0  # seconds per call ahead when the queue has no measured handle time


class CallbackStore(Protocol):
    """``announce``: the events of a change, written with it in one transaction (the
    webhooks outbox); called only when something changed."""

    async def request(
        self, new: NewCallback, announce: Announce[tuple[Callback, Promise]] | None = None
    ) -> tuple[Callback, Promise, bool]: ...
    async def get(self, callback_id: int) -> Callback | None: ...
    async def change(
        self,
        callback_id: int,
        expect: Sequence[CallbackState],
        attempt: int | None,
        changes: dict[str, Any],
        announce: Announce[Callback] | None = None,
    ) -> Callback: ...
    async def claim_due(self, now: datetime, limit: int = 20) -> list[Callback]: ...
    async def in_states(
        self, states: Sequence[CallbackState], mine_only: bool = False
    ) -> list[Callback]: ...
    async def take(self, callback_id: int, attempt: int, agent: str) -> Callback: ...
    async def reclaim(self, now: datetime, limit: int = 50) -> list[Callback]: ...
    async def promise_for(self, kind: PromiseKind, subject_id: int) -> Promise | None: ...
    async def update_promise(
        self, promise_id: int, changes: dict[str, Any], announce: Announce[Promise] | None = None
    ) -> Promise: ...
    async def open_promises(self) -> list[Promise]: ...
    async def repromise(
        self,
        promise_id: int,
        due_at: datetime,
        earliest_at: datetime | None,
        at: datetime,
        announce: Announce[Promise] | None = None,
    ) -> Promise: ...
    async def search(
        self, state: CallbackState | None, queue: str, limit: int, before: int | None
    ) -> Page[Callback]: ...
    async def promises(
        self, where: PromiseFilter, limit: int, before: int | None
    ) -> Page[Promise]: ...
    async def promise_counts(self, since: datetime, until: datetime) -> list[Promise]: ...


class PlaceholderDialer(Protocol):
    async def place(self, callback: Callback, position: int) -> None:
        """Originate the callback's placeholder into its queue at ``position``."""
        ...

    async def withdraw(self, callback: Callback) -> None:
        """The placeholder (if any) can no longer dial: its token is taken back."""
        ...

    async def alive(self, callback: Callback) -> bool:
        """Whether the attempt's placeholder channel still exists."""
        ...

    async def status(self, queue: str = "") -> list[QueueSnapshot]: ...


class WorkEstimator(Protocol):
    async def for_position(self, queue: str, snapshot: QueueSnapshot, position: int) -> float:
        """Seconds until the caller at ``position`` is answered (never raises)."""
        ...


class CallbackTickets(Protocol):
    async def call_ticket(self, call_id: str) -> int | None: ...

    async def append_interaction(self, number: int, new: NewInteraction) -> Any: ...


@dataclasses.dataclass(frozen=True)
class CallbackPolicy:
    numbers: NumberPolicy = dataclasses.field(default_factory=NumberPolicy)
    promise: PromisePolicy = dataclasses.field(default_factory=PromisePolicy)
    max_attempts: int = 3
    retry: timedelta = timedelta(minutes=2)
    queues: frozenset[str] = frozenset()
    # The queue's roster (agents serving it at a time), if it has one: promises then
    # count on the agents scheduled from now on, not only the ones serving now.
    roster: Callable[[str], Callable[[datetime], float] | None] = lambda _queue: None


@dataclasses.dataclass(frozen=True)
class CallbackRequest:
    queue: str
    number: str  # as given: the caller id, digits keyed in, an API's field
    call_id: str = ""
    joined_at: datetime | None = None  # the caller's place (None: now, the back)
    priority: int = 0
    ticket_number: int | None = None
    reason: str = ""
    source: str = "queue"
    field: str = "number"  # named in errors (e.g. the API's field)
    at: datetime | None = None  # scheduled: "call me at 15:00" (inside business hours)
    lost_call: str = ""  # the call a failed node lost (recorded lost with the request)


@dataclasses.dataclass(frozen=True)
class CallbackAnswer:
    callback: Callback
    promise: Promise
    created: bool  # False: the number already had an open request (merged)
