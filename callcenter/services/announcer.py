"""The events of one use case: built inside the store's transaction from what the change
made (so they reach the webhooks outbox with it, or not at all), then told to the daemon's
own listeners once it committed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from callcenter.domain.webhooks import Event

T = TypeVar("T")


class Announcer(Generic[T]):
    def __init__(self, build: Callable[[T], Sequence[Event]]) -> None:
        self._build = build
        self.events: list[Event] = []

    def __call__(self, made: T) -> Sequence[Event]:
        """Called by the store, in its transaction (only when something changed)."""
        self.events = list(self._build(made))
        return self.events

    def tell(self, listeners: Callable[[str, Mapping[str, Any]], None]) -> None:
        """After the commit: the same events to the in-process listeners."""
        for event in self.events:
            listeners(event.kind, event.data)
