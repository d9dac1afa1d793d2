"""Canned answers, one service for the desk, the ticket page and the chat side.

Contract: :meth:`Answers.find` returns what matches a query for a team and language (the
same list whoever asks: the pages and ``GET /api/v1/answers`` for the chat product);
:meth:`Answers.define` checks an answer (AnswerError naming the field) and keeps it;
:meth:`Answers.fill` fills one from a ticket — its customer's name and phone, its number
and subject, the open promise's due time — and the agent's name, and counts the use."""

from __future__ import annotations

import dataclasses
import zoneinfo
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from callcenter.domain.answers import CannedAnswer, Filled, check_answer, fill, rank
from callcenter.domain.contacts import ContactKind
from callcenter.domain.promises import Promise
from callcenter.domain.tickets import Agent, Customer, TicketView
from callcenter.services.ports import Clock

MAX_FOUND = 50


class AnswerStore(Protocol):
    async def all(self) -> list[CannedAnswer]: ...
    async def get(self, answer_id: int) -> CannedAnswer | None: ...
    async def save(self, answer: CannedAnswer, now: datetime) -> CannedAnswer: ...
    async def remove(self, answer_id: int) -> bool: ...
    async def used(self, answer_id: int) -> CannedAnswer | None: ...


class TicketReader(Protocol):
    async def get_ticket(self, number: int) -> TicketView: ...
    async def get_customer(self, customer_id: int) -> Customer: ...
    async def list_agents(self) -> list[Agent]: ...


class Answers:
    def __init__(
        self,
        store: AnswerStore,
        tickets: TicketReader,
        open_promises: Callable[[], Awaitable[list[Promise]]],
        clock: Clock,
        timezone: str = "",
    ) -> None:
        self._store = store
        self._tickets = tickets
        self._open_promises = open_promises
        self._clock = clock
        self._zone = zoneinfo.ZoneInfo(timezone) if timezone else UTC

    async def find(
        self, query: str = "", language: str = "", team: str = "", limit: int = MAX_FOUND
    ) -> list[CannedAnswer]:
        return rank(await self._store.all(), query, language, team)[:limit]

    async def team_of(self, extension: str) -> str:
        """An agent's team ("" for none): what their desk's answers are narrowed to."""
        agent = next(
            (a for a in await self._tickets.list_agents() if a.extension == extension), None
        )
        return agent.team if agent is not None else ""

    async def get(self, answer_id: int) -> CannedAnswer:
        answer = await self._store.get(answer_id)
        if answer is None:
            raise LookupError(f"canned answer {answer_id}: no such answer")
        return answer

    async def define(self, answer: CannedAnswer, by: str) -> CannedAnswer:
        checked = check_answer(dataclasses.replace(answer, updated_by=by))
        return await self._store.save(checked, self._clock.now())

    async def remove(self, answer_id: int) -> bool:
        return await self._store.remove(answer_id)

    async def fill(self, answer_id: int, ticket_number: int | None, agent_name: str) -> Filled:
        """The answer filled for ``ticket_number`` (None: only what needs no ticket), one
        use counted; LookupError for an answer or a ticket that does not exist."""
        answer = await self._store.used(answer_id)
        if answer is None:
            raise LookupError(f"canned answer {answer_id}: no such answer")
        values = {"agent.name": agent_name}
        if ticket_number is not None:
            values |= await self._ticket_values(ticket_number)
        return fill(answer, values)

    async def _ticket_values(self, number: int) -> dict[str, str]:
        view = await self._tickets.get_ticket(number)  # LookupError when there is none
        ticket = view.ticket
        values = {"ticket.number": str(ticket.number), "ticket.subject": ticket.subject}
        if ticket.customer_id is not None:
            customer = await self._tickets.get_customer(ticket.customer_id)
            phones = [c.value for c in customer.contacts if c.kind is ContactKind.PHONE]
            values |= {
                "customer.name": customer.name,
                "customer.phone": phones[0] if phones else "",
            }
        due = [p.due_at for p in await self._open_promises() if p.ticket_number == number]
        if due:
            values["promise.due"] = min(due).astimezone(self._zone).strftime("%Y-%m-%d %H:%M")
        return values
