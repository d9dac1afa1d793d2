"""Tickets, timelines, handoff notes and calls on tickets — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from callcenter.domain.contacts import ContactKind, ContactPoint
from callcenter.domain.tickets import (
    CallSummary,
    Direction,
    InteractionKind,
    NewCustomer,
    NewInteraction,
    NewTicket,
    TicketChanges,
    TicketRuleError,
    TicketStatus,
)
from callcenter.store.ticket_store import SqlTicketStore
from tests.integration.store.conftest import Clock

PHONE = ContactPoint(ContactKind.PHONE, "+79123456789")
PATH = ({"node": "main_menu", "digits": "2"}, {"node": "support", "queue": "support"})


def call(uid: str, caller: str = "89123456789", outcome: str = "queue") -> CallSummary:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    return CallSummary(
        call_id=uid,
        linked_id=uid,
        caller=caller,
        dialed="7000",
        started_at=start,
        ended_at=start + timedelta(seconds=42),
        outcome=outcome,
        queue="support" if outcome == "queue" else "",
        detail="support",
        ivr_path=PATH,
        flow="main@abc",
    )


async def test_ticket_lifecycle_with_tags_assignee_and_times(
    store: SqlTicketStore, clock: Clock
) -> None:
    await store.ensure_agents(["1001"])
    anna = await store.create_customer(NewCustomer("Anna", (PHONE,)))
    t = await store.create_ticket(NewTicket("Order late", anna.id, tags=("Delivery", "vip")))
    assert t.status is TicketStatus.NEW
    assert t.tags == ("delivery", "vip")

    clock.advance(minutes=5)
    await store.append_interaction(
        t.number, NewInteraction(InteractionKind.CHAT_MESSAGE, Direction.OUTBOUND, "On it")
    )
    clock.advance(minutes=30)
    solved = await store.update_ticket(
        t.number, TicketChanges(status=TicketStatus.SOLVED, assignee="1001", tags=("delivery",))
    )
    assert solved.assignee == "1001"
    assert solved.tags == ("delivery",)
    assert solved.first_response_at == datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    assert solved.resolved_at == datetime(2026, 11, 23, 9, 35, tzinfo=UTC)

    # The customer writes again: a solved ticket reopens.
    await store.append_interaction(t.number, NewInteraction(InteractionKind.CHAT_MESSAGE))
    view = await store.get_ticket(t.number)
    assert view.ticket.status is TicketStatus.OPEN
    assert view.ticket.resolved_at is None
    assert [i.kind for i in view.timeline] == [InteractionKind.CHAT_MESSAGE] * 2


async def test_closed_tickets_never_reopen(store: SqlTicketStore) -> None:
    t = await store.create_ticket(NewTicket("x"))
    await store.update_ticket(t.number, TicketChanges(status=TicketStatus.CLOSED))
    with pytest.raises(TicketRuleError, match="status: ticket is closed"):
        await store.update_ticket(t.number, TicketChanges(status=TicketStatus.OPEN))
    with pytest.raises(TicketRuleError, match=f"ticket: ticket {t.number} is closed"):
        await store.append_interaction(t.number, NewInteraction(InteractionKind.NOTE))


async def test_unknown_assignee_and_bad_tag_name_the_field(store: SqlTicketStore) -> None:
    t = await store.create_ticket(NewTicket("x"))
    with pytest.raises(TicketRuleError, match="assignee: no agent with extension '4242'"):
        await store.update_ticket(t.number, TicketChanges(assignee="4242"))
    with pytest.raises(TicketRuleError, match="tags: 'no spaces' is not a tag"):
        await store.update_ticket(t.number, TicketChanges(tags=("no spaces",)))
    with pytest.raises(TicketRuleError, match="tags: '-dash' is not a tag"):
        await store.update_ticket(t.number, TicketChanges(tags=("-dash",)))
    # Tags in the centre's languages: Russian lower-cased, Chinese as written.
    tagged = await store.update_ticket(t.number, TicketChanges(tags=("Доставка", "退款", "vip")))
    assert set(tagged.tags) == {"доставка", "退款", "vip"}


async def test_importing_the_same_event_twice_changes_nothing(store: SqlTicketStore) -> None:
    t = await store.create_ticket(NewTicket("chat"))
    msg = NewInteraction(
        InteractionKind.CHAT_MESSAGE, body="hello", source="chat", source_id="conv-1/msg-7"
    )
    first, created = await store.append_interaction(t.number, msg)
    again, created_again = await store.append_interaction(t.number, msg)
    assert created
    assert not created_again
    assert again.id == first.id
    assert len((await store.get_ticket(t.number)).timeline) == 1


async def test_list_filters_and_pages(store: SqlTicketStore) -> None:
    await store.ensure_agents(["1001"])
    for n in range(5):
        await store.create_ticket(NewTicket(f"t{n}", queue="sales" if n % 2 else "support"))
    await store.create_ticket(NewTicket("mine", assignee="1001", tags=("vip",)))
    sales = await store.list_tickets(50, queue="sales")
    assert [t.subject for t in sales.items] == ["t3", "t1"]
    assert [t.subject for t in (await store.list_tickets(50, assignee="1001")).items] == ["mine"]
    assert [t.subject for t in (await store.list_tickets(50, tag="vip")).items] == ["mine"]
    page1 = await store.list_tickets(4, status=[TicketStatus.NEW])
    page2 = await store.list_tickets(4, page1.next_cursor, status=[TicketStatus.NEW])
    assert len(page1.items) == 4
    assert len(page2.items) == 2
    assert page2.next_cursor is None


async def test_handoff_list_shows_open_tickets_with_their_latest_note(
    store: SqlTicketStore, clock: Clock
) -> None:
    a = await store.create_ticket(NewTicket("a"))
    b = await store.create_ticket(NewTicket("b"))
    done = await store.create_ticket(NewTicket("done"))
    await store.update_ticket(done.number, TicketChanges(status=TicketStatus.SOLVED))
    for body in ("called twice, waiting for courier", "courier confirmed 18:00"):
        clock.advance(minutes=10)
        await store.append_interaction(
            a.number,
            NewInteraction(InteractionKind.HANDOFF_NOTE, Direction.INTERNAL, body, author="olga"),
        )
    page = await store.handoffs(50)
    notes = {h.ticket.number: (h.note.body if h.note else None) for h in page.items}
    assert notes == {a.number: "courier confirmed 18:00", b.number: None}


async def test_a_call_from_a_known_number_lands_on_the_open_ticket(store: SqlTicketStore) -> None:
    anna = await store.create_customer(NewCustomer("Anna", (PHONE,)))
    ticket = await store.create_ticket(NewTicket("Order late", anna.id))
    interaction = await store.record_call(call("1700000000.1"))
    assert interaction.ticket_number == ticket.number
    assert interaction.customer_id == anna.id
    assert interaction.data["ivr_path"] == [dict(step) for step in PATH]
    assert interaction.data["queue"] == "support"
    assert await store.is_known("+7 912 345-67-89")


async def test_an_unknown_caller_becomes_a_customer_with_a_new_ticket(
    store: SqlTicketStore,
) -> None:
    assert not await store.is_known("89123456789")
    interaction = await store.record_call(call("1700000000.2", outcome="abandoned"))
    history = await store.lookup(phone="+79123456789")
    assert history.customer is not None
    assert [t.number for t in history.open_tickets] == [interaction.ticket_number]
    assert history.open_tickets[0].subject.startswith("Abandoned call from")
    assert [i.id for i in history.recent] == [interaction.id]


async def test_a_call_after_the_window_opens_a_new_ticket(
    store: SqlTicketStore, clock: Clock
) -> None:
    first = await store.record_call(call("1700000000.3"))
    clock.advance(hours=71)
    second = await store.record_call(call("1700000000.4"))
    clock.advance(hours=73)
    third = await store.record_call(call("1700000000.5"))
    assert first.ticket_number == second.ticket_number != third.ticket_number


async def test_a_replayed_call_is_one_interaction(store: SqlTicketStore) -> None:
    first = await store.record_call(call("1700000000.6"))
    again = await store.record_call(call("1700000000.6"))
    assert again.id == first.id
    assert len((await store.get_ticket(first.ticket_number)).timeline) == 1


async def test_concurrent_first_calls_from_one_number_make_one_customer(
    store: SqlTicketStore, db_engine: Engine
) -> None:
    await asyncio.gather(*(store.record_call(call(f"1700000001.{n}")) for n in range(8)))
    with db_engine.connect() as conn:
        customers = conn.execute(text("SELECT count(*) FROM customers")).scalar_one()
        interactions = conn.execute(text("SELECT count(*) FROM interactions")).scalar_one()
    assert (customers, interactions) == (1, 8)


async def test_a_withheld_caller_gets_a_ticket_without_a_customer(store: SqlTicketStore) -> None:
    interaction = await store.record_call(call("1700000000.7", caller="anonymous"))
    assert interaction.customer_id is None
    view = await store.get_ticket(interaction.ticket_number)
    assert view.ticket.customer_id is None
    assert not view.ticket.caller_ambiguous


async def test_an_ambiguous_caller_is_flagged_until_someone_decides(store: SqlTicketStore) -> None:
    ru = await store.create_customer(NewCustomer("Moscow", (PHONE,)))
    await store.create_customer(
        NewCustomer("Ohio", (ContactPoint(ContactKind.PHONE, "+19123456789"),))
    )
    interaction = await store.record_call(call("1700000000.8", caller="+499123456789"))
    assert interaction.customer_id is None
    assert len(interaction.data["candidates"]) == 2
    ticket = (await store.get_ticket(interaction.ticket_number)).ticket
    assert ticket.caller_ambiguous
    decided = await store.update_ticket(ticket.number, TicketChanges(customer_id=ru.id))
    assert not decided.caller_ambiguous
    assert decided.customer_id == ru.id
    timeline = (await store.get_ticket(ticket.number)).timeline
    assert timeline[0].customer_id == ru.id


async def test_queue_figures_land_on_the_calls_interaction(store: SqlTicketStore) -> None:
    first = await store.record_call(call("1700000002.1"))
    assert await store.update_call("nope", {"agent": "1001"}) is None
    updated = await store.update_call("1700000002.1", {"agent": "1001", "wait": 12.0, "talk": 95.0})
    assert updated is not None
    assert (updated.id, updated.data["agent"], updated.data["talk"]) == (first.id, "1001", 95.0)
    assert updated.data["ivr_path"] == first.data["ivr_path"]  # merged, not replaced
    ticket = (await store.get_ticket(first.ticket_number)).ticket
    assert ticket.first_response_at is not None


async def test_concurrent_updates_of_one_call_lose_nothing_and_keep_their_order(
    store: SqlTicketStore,
) -> None:
    await store.record_call(call("1700000002.2"))
    # As the daemon does: one task per AMI event, all at once.
    updates = [
        store.update_call("1700000002.2", {"queue_outcome": "abandoned", f"key{n}": n})
        for n in range(10)
    ] + [store.update_call("1700000002.2", {"queue_outcome": "timeout", "left_queue": "sales"})]
    await asyncio.gather(*(asyncio.create_task(u) for u in updates))
    final = await store.update_call("1700000002.2", {})
    assert final is not None
    assert all(final.data[f"key{n}"] == n for n in range(10))
    assert (final.data["queue_outcome"], final.data["left_queue"]) == ("timeout", "sales")


async def test_todays_queue_calls_for_the_board(store: SqlTicketStore) -> None:
    await store.record_call(call("1700000003.1"))
    await store.record_call(call("1700000003.2"))
    await store.record_call(call("1700000003.3"))  # still in the queue: not counted
    await store.update_call(
        "1700000003.1", {"queue": "support", "queue_outcome": "answered", "wait": 8.0, "talk": 60.0}
    )
    await store.update_call(
        "1700000003.2", {"queue": "support", "queue_outcome": "abandoned", "wait": 30.0}
    )
    await store.record_call(call("1700000003.4"))
    await store.update_call(
        "1700000003.4", {"queue": "sales", "queue_outcome": "timeout", "wait": 300.0}
    )
    calls = await store.queue_calls_since(datetime(2026, 11, 23, tzinfo=UTC))
    assert sorted((c.answered, c.wait) for c in calls["support"]) == [(False, 30.0), (True, 8.0)]
    assert [(c.answered, c.left) for c in calls["sales"]] == [(False, "timeout")]
    assert await store.queue_calls_since(datetime(2026, 11, 24, tzinfo=UTC)) == {}
