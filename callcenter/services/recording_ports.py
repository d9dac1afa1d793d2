"""What the recordings' service needs from its edges (the store, the files, the mute of
a live call, the calls' interactions), its errors and its policy."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from callcenter.domain.recordings import (
    Listen,
    Marker,
    Recording,
    RecordingFilter,
    RecordingState,
)
from callcenter.domain.tickets import Interaction, Page

log = logging.getLogger(__name__)


# How long after its end a recording waits for its call to reach a ticket.


class RecordingNotFound(LookupError):
    """No such recording (or none for that call)."""


class RecordingRefused(PermissionError):
    """The principal may not do this to that recording; the message says why."""


class RecordingFilesPort(Protocol):
    async def markers(self) -> list[Marker]: ...
    async def drop_marker(self, marker: Marker) -> None: ...
    async def finish(self, raw_path: str) -> Any: ...  # FileFacts
    async def raw_facts(self, raw_path: str) -> Any: ...  # RawFacts | None
    async def exists(self, relative: str) -> bool: ...
    async def raw_files(self, days: int) -> list[tuple[str, Any]]: ...
    async def delete(self, relative: str) -> bool: ...
    def absolute(self, relative: str) -> Path: ...


class RecordingMute(Protocol):
    async def mute(self, call_id: str, muted: bool) -> None: ...


class CallInteractions(Protocol):
    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Interaction | None: ...


class RecordingStorePort(Protocol):
    async def started(self, call_id: str, path: str, at: datetime, queue: str) -> Recording: ...
    async def update(self, call_id: str, changes: dict[str, Any]) -> Recording | None: ...
    async def get(self, recording_id: int) -> Recording | None: ...
    async def by_call(self, call_id: str) -> Recording | None: ...
    async def in_state(self, state: RecordingState, limit: int = 1000) -> list[Recording]: ...
    async def due(self, now: datetime, limit: int = 500) -> list[Recording]: ...
    async def unlinked(self, ended_since: datetime, limit: int = 100) -> list[Recording]: ...
    async def audit(self, recording_id: int, listen: Listen) -> None: ...
    async def listens(self, recording_id: int, limit: int = 200) -> list[Listen]: ...
    async def search(
        self, where: RecordingFilter, limit: int, before: int | None
    ) -> Page[Recording]: ...
    async def hold(self, ticket_number: int, reason: str, by: str, at: datetime) -> bool: ...
    async def release(self, ticket_number: int) -> bool: ...


@dataclasses.dataclass(frozen=True)
class RecordingPolicy:
    retention_days: Callable[[str], int]  # queue → days (0: for ever)
    slack: float = 3.0
    stale: float = 120.0


def retention_lookup(days: dict[str, int], default: int) -> Callable[[str], int]:
    """Days a queue's recordings are kept: the queue's own, else the default."""
    return lambda queue: days.get(queue) or default
