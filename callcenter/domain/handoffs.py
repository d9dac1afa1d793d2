"""Handoffs and the handoff between them: what an agent leaves to their team when they go,
and what whoever comes on shift reads before taking calls (seed 000).

    logout ──► each open ticket assigned to the agent is *handed* to their team, with the
               latest handoff note if it is newer than the ticket's last activity, else
               *flagged* (the desk asks for a note; a note written later clears the flag)
    login  ──► the team's items handed since the agent's previous shift began, not yet
               read by them (what came while they were away, or on but busy); in a
               team that requires reading, the agent is logged in *held* (paused,
               ``handoff-reading``) until every item is acknowledged

Logging out is never refused for a missing note: a call center cannot hold an agent
hostage; the supervisor sees the flag instead. Pure data and rules; times are UTC.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from callcenter.domain.promises import Promise, PromiseState
from callcenter.domain.tickets import Interaction, Ticket

# The pause reason of an agent held until they have read their handoffs (app_queue shows
# it; it is not one of the reasons an agent may pick, so only reading lifts it).
HANDOFF_PAUSE = "handoff-reading"


class ShiftError(ValueError):
    """A request the shift rules refuse; the message names the agent and why."""


@dataclasses.dataclass(frozen=True)
class ShiftPolicy:
    reading_required: frozenset[str] = frozenset()
    shift: timedelta = timedelta(hours=8)
    lookback: timedelta = timedelta(hours=24)

    def must_read(self, team: str) -> bool:
        """Must this team's agents acknowledge their handoffs before taking calls?"""
        return bool(team) and team in self.reading_required

    def read_since(self, previous_start: datetime | None, now: datetime) -> datetime:
        """Handoffs from this time on are the incoming agent's to read (those they have not
        read yet): since their previous shift began — what was handed while they were
        away, and what came during that shift unread — or ``lookback`` for a first shift."""
        return previous_start if previous_start is not None else now - self.lookback


@dataclasses.dataclass(frozen=True)
class Shift:
    id: int
    agent: str
    team: str
    started_at: datetime
    ended_at: datetime | None = None
    ready_at: datetime | None = None  # when they became available for calls


@dataclasses.dataclass(frozen=True)
class HandoffRead:
    agent: str
    read_at: datetime


@dataclasses.dataclass(frozen=True)
class HandedTicket:
    """One open ticket an outgoing agent left to their team."""

    id: int
    ticket: Ticket
    team: str
    from_agent: str
    handed_at: datetime
    note: Interaction | None = None  # the handoff note that covers it (None: flagged)
    reads: tuple[HandoffRead, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.note is None

    def read_by(self, agent: str) -> bool:
        return any(r.agent == agent for r in self.reads)

    @property
    def first_read(self) -> datetime | None:
        return min((r.read_at for r in self.reads), default=None)


@dataclasses.dataclass(frozen=True)
class DeskTicket:
    """A ticket on an agent's desk: its latest interaction and its latest handoff note."""

    ticket: Ticket
    latest: Interaction | None = None
    handoff_note: Interaction | None = None


@dataclasses.dataclass(frozen=True)
class Workspace:
    """An agent's desk between calls."""

    agent: str
    team: str
    shift: Shift | None
    mine: tuple[DeskTicket, ...]
    team_tickets: tuple[DeskTicket, ...]
    due: tuple[Promise, ...]  # at risk first, then soonest
    to_read: tuple[HandedTicket, ...]  # handed to the team, not yet read by this agent
    to_note: tuple[HandedTicket, ...]  # what this agent's last logout left without a note
    must_read: bool
    held: bool  # logged in but paused until to_read is acknowledged


@dataclasses.dataclass(frozen=True)
class TeamHandoffs:
    """The board's figures for one team: open tickets that crossed a shift change."""

    team: str
    crossing: int
    noted: int
    flagged: int
    acknowledged: int
    unread_noted: int  # not acknowledged yet, with a note
    unread_flagged: int  # not acknowledged yet, without one
    # Seconds from the handover to its first acknowledgement (acknowledged items only).
    ack_median: float | None
    ack_max: float | None


def needs_note(last_activity: datetime, last_note: datetime | None) -> bool:
    """A ticket needs a handoff note when none was written since its last activity."""
    return last_note is None or last_note < last_activity


def due_in_shift(promises: Iterable[Promise], until: datetime) -> tuple[Promise, ...]:
    """The open promises due by ``until``, at risk first, then the soonest due."""
    due = [p for p in promises if p.due_at <= until and p.closed_at is None]
    return tuple(sorted(due, key=lambda p: (p.state is not PromiseState.AT_RISK, p.due_at, p.id)))


def team_figures(items: Sequence[HandedTicket]) -> list[TeamHandoffs]:
    """Per team (sorted by name): items handed, noted, flagged, acknowledged, and how long
    the acknowledged ones waited for their first reader."""
    out = []
    for team in sorted({i.team for i in items}):
        mine = [i for i in items if i.team == team]
        waits = [
            (first - i.handed_at).total_seconds()
            for i in mine
            if (first := i.first_read) is not None
        ]
        out.append(
            TeamHandoffs(
                team=team,
                crossing=len(mine),
                noted=sum(1 for i in mine if not i.flagged),
                flagged=sum(1 for i in mine if i.flagged),
                acknowledged=len(waits),
                unread_noted=sum(1 for i in mine if i.first_read is None and not i.flagged),
                unread_flagged=sum(1 for i in mine if i.first_read is None and i.flagged),
                ack_median=statistics.median(waits) if waits else None,
                ack_max=max(waits) if waits else None,
            )
        )
    return out
