"""The TicketStore port on SQLAlchemy: one transaction per use case, run in a worker
thread so the event loop never waits on the database."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.contacts import (
    ContactKind,
    ContactPoint,
    caller_number,
    normalise_email,
    normalise_phone,
)
from callcenter.domain.queue_events import LEFT_QUEUE
from callcenter.domain.queue_stats import QueueCall
from callcenter.domain.tickets import (
    Agent,
    CallerHistory,
    CallSummary,
    Customer,
    Handoff,
    Interaction,
    InteractionKind,
    NewCustomer,
    NewInteraction,
    NewTicket,
    Page,
    Ticket,
    TicketChanges,
    TicketStatus,
    TicketView,
    VoicemailSummary,
)
from callcenter.services.lanes import Lanes
from callcenter.store import ticket_mapping as m
from callcenter.store.customer_repo import CustomerRepo
from callcenter.store.db_threads import DbThreads
from callcenter.store.history_query import caller_history
from callcenter.store.models import AgentRow, InteractionRow
from callcenter.store.outbox import Announce
from callcenter.store.ticket_calls import CallTickets
from callcenter.store.ticket_repo import TicketRepo

log = logging.getLogger(__name__)

_QUEUE_OUTCOMES = frozenset({"answered", "abandoned", *LEFT_QUEUE.values()})
T = TypeVar("T")
RECENT_LIMIT = 10


class SqlTicketStore:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        region: str,
        join_window: timedelta = timedelta(hours=72),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        threads: DbThreads | None = None,
    ) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(2)
        self.region = region
        self._window = join_window
        self._now = now
        self._call_lanes = Lanes()
        self._calls = CallTickets(region, join_window, now)

    # -- plumbing ------------------------------------------------------------------

    def transaction(self, use_case: Callable[[CustomerRepo, TicketRepo], T]) -> T:
        """Run ``use_case`` in one transaction (synchronously; callers in the event loop
        go through :meth:`_run`)."""
        with self._sessions.begin() as s:
            customers = CustomerRepo(s, self.region)
            return use_case(customers, TicketRepo(s, customers))

    async def _run(
        self, use_case: Callable[[CustomerRepo, TicketRepo], T], op: str = "transaction"
    ) -> T:
        return await self._threads.run(f"tickets.{op}", self.transaction, use_case)

    # -- customers -----------------------------------------------------------------

    async def create_customer(self, new: NewCustomer) -> Customer:
        return await self._run(lambda c, _t: c.create(new, self._now()))

    async def get_customer(self, customer_id: int) -> Customer:
        return await self._run(lambda c, _t: c.get(customer_id))

    async def search_customers(self, q: str, limit: int, cursor: str | None) -> Page[Customer]:
        return await self._run(lambda c, _t: c.search(q, limit, cursor))

    async def merge_customers(self, into_id: int, from_id: int) -> Customer:
        return await self._run(lambda c, _t: c.merge(into_id, from_id))

    async def lookup(self, phone: str = "", email: str = "") -> CallerHistory:
        """Caller history by phone (any common format) or email; raises InvalidContact."""
        if phone:
            point = ContactPoint(ContactKind.PHONE, normalise_phone(phone, self.region, "phone"))
        else:
            point = ContactPoint(ContactKind.EMAIL, normalise_email(email, "email"))
        return await self._threads.run("tickets.history", self._history, point)

    def history_sync(self, phone: str) -> CallerHistory:
        """The same lookup without the thread hop (benchmarks and the CLI)."""
        return self._history(
            ContactPoint(ContactKind.PHONE, normalise_phone(phone, self.region, "phone"))
        )

    def _history(self, point: ContactPoint) -> CallerHistory:
        with self._sessions() as s:  # read only: rolled back on close
            return caller_history(s.connection(), point.kind, point.value, RECENT_LIMIT)

    async def call_ticket(self, call_id: str) -> int | None:
        """The ticket a call's interaction is on (None until the call is written)."""
        found = await self._run(lambda _c, t: t.by_source("asterisk", call_id), "call_ticket")
        return None if found is None else found.ticket_number

    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Interaction | None:
        """Add what the queue learnt (agent, wait, talk, abandoned) to the call's
        interaction; None when the call is not on a ticket (yet). Updates of one call are
        applied one after the other, in the order they were asked for: each reads and
        merges the data the one before wrote (concurrent merges would lose one)."""
        update = self._run(
            lambda _c, t: t.update_call(call_id, changes, self._now()), "update_call"
        )
        return await self._call_lanes.run(call_id, update)

    async def update_voicemail(self, key: str, changes: dict[str, Any]) -> Interaction | None:
        """Add to a voicemail interaction's data (its transcript); None when the message
        is not on a ticket (yet)."""
        return await self._run(
            lambda _c, t: t.update_data("voicemail", key, changes, self._now()),
            "update_voicemail",
        )

    async def queue_calls_since(self, since: datetime) -> dict[str, list[QueueCall]]:
        """Queue calls that ended since ``since`` (answered, abandoned, or left unanswered
        to the overflow), per queue."""

        def query(c: CustomerRepo, _t: TicketRepo) -> dict[str, list[QueueCall]]:
            rows = c.s.scalars(
                select(InteractionRow.data).where(
                    InteractionRow.kind == InteractionKind.CALL.value,
                    InteractionRow.occurred_at >= since,
                )
            )
            out: dict[str, list[QueueCall]] = {}
            for data in rows:
                outcome = (data or {}).get("queue_outcome")
                if outcome not in _QUEUE_OUTCOMES:
                    continue
                out.setdefault(str(data.get("queue", "")), []).append(
                    QueueCall(
                        wait=float(data.get("wait") or 0),
                        answered=outcome == "answered",
                        talk=float(data.get("talk") or 0),
                        left=outcome if outcome in LEFT_QUEUE.values() else "",
                    )
                )
            return out

        return await self._run(query, "queue_calls_since")

    async def is_known(self, caller: str) -> bool:
        number = caller_number(caller, self.region)
        if number is None:
            return False
        return await self._run(lambda c, _t: bool(c.match_phone(number)), "is_known")

    # -- tickets -------------------------------------------------------------------

    async def create_ticket(self, new: NewTicket) -> Ticket:
        return await self._run(lambda _c, t: m.ticket(t.create(new, self._now())))

    async def update_ticket(self, number: int, changes: TicketChanges) -> Ticket:
        return await self._run(lambda _c, t: t.update(number, changes, self._now()))

    async def get_ticket(self, number: int) -> TicketView:
        return await self._run(lambda _c, t: t.view(number))

    async def list_tickets(
        self,
        limit: int,
        cursor: str | None = None,
        status: Sequence[TicketStatus] = (),
        customer_id: int | None = None,
        assignee: str | None = None,
        tag: str | None = None,
        queue: str | None = None,
    ) -> Page[Ticket]:
        return await self._run(
            lambda _c, t: t.list_page(limit, cursor, status, customer_id, assignee, tag, queue)
        )

    async def append_interaction(
        self, number: int, new: NewInteraction
    ) -> tuple[Interaction, bool]:
        return await self._retrying(lambda _c, t: t.append(number, new, self._now()))

    async def handoffs(self, limit: int, cursor: str | None = None) -> Page[Handoff]:
        return await self._run(lambda _c, t: t.handoffs(limit, cursor))

    # -- agents --------------------------------------------------------------------

    async def ensure_agents(self, extensions: Sequence[str]) -> list[Agent]:
        """Make sure an agent row exists for each extension (names are kept if set); the
        embedded defaults' agents start logged in, so the demo answers calls at once."""

        def ensure(c: CustomerRepo, _t: TicketRepo) -> list[Agent]:
            agents = []
            for ext in extensions:
                row = c.s.scalar(select(AgentRow).where(AgentRow.extension == ext))
                if row is None:
                    row = AgentRow(
                        name=f"Agent {ext}", extension=ext, skills=[], team="", logged_in=True
                    )
                    c.s.add(row)
                    c.s.flush()
                agents.append(m.agent(row))
            return agents

        return await self._retrying(ensure)

    async def list_agents(self) -> list[Agent]:
        return await self._run(
            lambda c, _t: [
                m.agent(r) for r in c.s.scalars(select(AgentRow).order_by(AgentRow.extension))
            ]
        )

    async def save_agent(self, agent: Agent) -> Agent:
        """Create the agent, or update name, skills and team of the same extension."""

        def save(c: CustomerRepo, _t: TicketRepo) -> Agent:
            row = c.s.scalar(select(AgentRow).where(AgentRow.extension == agent.extension))
            if row is None:
                row = AgentRow(extension=agent.extension)
                c.s.add(row)
            row.name, row.skills, row.team = agent.name, list(agent.skills), agent.team
            c.s.flush()
            return m.agent(row)

        return await self._retrying(save)

    async def set_agent_login(self, extension: str, logged_in: bool) -> Agent | None:
        """Record whether the agent wants calls; None if there is no such agent."""

        def save(c: CustomerRepo, _t: TicketRepo) -> Agent | None:
            row = c.s.scalar(select(AgentRow).where(AgentRow.extension == extension))
            if row is None:
                return None
            row.logged_in = logged_in
            c.s.flush()
            return m.agent(row)

        return await self._retrying(save)

    # -- calls ---------------------------------------------------------------------

    async def record_call(
        self, call: CallSummary, announce: Announce[Interaction] | None = None
    ) -> Interaction:
        """The call as an interaction on the caller's ticket: the caller is matched to a
        customer (a new one if unknown, none if ambiguous or withheld); the call joins
        their open ticket active within the window, else opens one. Idempotent on the
        call's Uniqueid (``announce``: its events, written with it the first time)."""
        return await self._retrying(
            lambda c, t: self._calls.record_call(c, t, call, announce), "record_call"
        )

    async def record_voicemail(self, message: VoicemailSummary) -> Interaction:
        """A caller's message as a voicemail interaction on their ticket (matched like a
        call: the open ticket of the caller's customer within the window, else a new one).
        Idempotent on the message's key."""
        return await self._retrying(
            lambda c, t: self._calls.record_voicemail(c, t, message), "record_voicemail"
        )

    async def _retrying(
        self, use_case: Callable[[CustomerRepo, TicketRepo], T], op: str = "transaction"
    ) -> T:
        """Run once more when a concurrent transaction inserted the same unique row
        (the same call's interaction, the same new caller): the retry finds it."""
        try:
            return await self._run(use_case, op)
        except IntegrityError:
            log.info("concurrent insert of the same row; retrying once")
            return await self._run(use_case, op)
