"""Real calls land in the ticket store: a known caller's call on their open ticket."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import pytest

from callcenter.app import ticket_store
from callcenter.domain.calls import CallOutcome
from callcenter.domain.contacts import ContactKind, ContactPoint
from callcenter.domain.tickets import Interaction, InteractionKind, NewCustomer, NewTicket
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.ticket_store import SqlTicketStore
from tests.support.calls import ended_call
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp
from tests.support.until import until

pytestmark = pytest.mark.asterisk

_national = itertools.count(9161234500)


@pytest.fixture
def store(instance: Instance) -> Iterator[SqlTicketStore]:
    engine = make_engine(instance.config.database_url)
    yield ticket_store(instance.config, make_sessions(engine))
    engine.dispose()


def test_a_known_callers_call_lands_on_their_open_ticket_with_the_ivr_path(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, store: SqlTicketStore
) -> None:
    national = next(_national)
    phone = ContactPoint(ContactKind.PHONE, f"+7{national}")
    anna = asyncio.run(store.create_customer(NewCustomer("Anna", (phone,))))
    ticket = asyncio.run(store.create_ticket(NewTicket("Where is order 4567?", anna.id)))
    caller = f"8{national}"  # the caller id in Russian national format: still Anna

    # English, order status, 4567#: the read-back, then the known-caller branch.
    digits = [(1.5, "1"), (1.5, "3"), (1.5, "4"), (0.8, "5"), (0.8, "6"), (0.8, "7"), (0.8, "#")]
    sipp.call(
        instance.config.dialplan.virtual_number, caller, digits=digits, hangup_after=8
    ).assert_ok(60)
    record = ended_call(instance, caller)
    assert record.outcome is CallOutcome.QUEUE

    def on_ticket() -> Interaction | None:
        timeline = asyncio.run(store.get_ticket(ticket.number)).timeline
        return next((i for i in timeline if i.source_id == record.call_id), None)

    call = until(on_ticket, 15, what="the call on Anna's open ticket")
    assert call.kind is InteractionKind.CALL
    assert call.customer_id == anna.id
    assert call.linked_id == record.linked_id
    assert call.data["ivr_path"] == [dict(step) for step in record.ivr_path]
    nodes = [step["node"] for step in call.data["ivr_path"]]
    assert "support_priority" in nodes  # the IVR knew her from the ticket store
    assert {s["node"]: s["detail"] for s in call.data["ivr_path"]}["order_status"] == "order=4567"
    history = asyncio.run(store.lookup(phone=f"+7 {national}"))
    assert history.recent[0].source_id == record.call_id
