"""Customers, contact points, caller identification and merging — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from callcenter.domain.contacts import ContactKind, ContactPoint, InvalidContact
from callcenter.domain.tickets import NewCustomer, NewTicket, NotFound, TicketRuleError
from callcenter.store.ticket_store import SqlTicketStore

PHONE = ContactPoint(ContactKind.PHONE, "+79123456789")


async def test_a_customer_keeps_phone_email_and_chat_handle(store: SqlTicketStore) -> None:
    new = NewCustomer(
        "Anna",
        (
            PHONE,
            ContactPoint(ContactKind.EMAIL, "anna@example.org"),
            ContactPoint(ContactKind.CHAT, "telegram:@anna"),
        ),
    )
    created = await store.create_customer(new)
    again = await store.get_customer(created.id)
    assert again == created
    assert {c.kind for c in again.contacts} == set(ContactKind)


@pytest.mark.parametrize("typed", ["+7 (912) 345-67-89", "89123456789", "+79123456789"])
async def test_caller_identification_across_formats(store: SqlTicketStore, typed: str) -> None:
    anna = await store.create_customer(NewCustomer("Anna", (PHONE,)))
    history = await store.lookup(phone=typed)
    assert history.phone == "+79123456789"
    assert history.customer is not None
    assert history.customer.id == anna.id
    assert not history.ambiguous


async def test_a_contact_point_belongs_to_one_customer(store: SqlTicketStore) -> None:
    await store.create_customer(NewCustomer("Anna", (PHONE,)))
    with pytest.raises(TicketRuleError, match=r"phone: \+79123456789 already belongs"):
        await store.create_customer(NewCustomer("Impostor", (PHONE,)))


async def test_an_unknown_caller_is_no_customer(store: SqlTicketStore) -> None:
    history = await store.lookup(phone="+79990001122")
    assert history.customer is None
    assert history.candidates == ()


async def test_an_invalid_number_is_refused_naming_the_field(store: SqlTicketStore) -> None:
    with pytest.raises(InvalidContact) as caught:
        await store.lookup(phone="12")
    assert caught.value.field == "phone"


async def test_same_national_number_in_two_countries_is_ambiguous(store: SqlTicketStore) -> None:
    # A caller id that arrives with the wrong country code (+49 here) matches no number
    # exactly; its national part is both a Russian and a US customer's: flagged, not guessed.
    ru = await store.create_customer(NewCustomer("Moscow", (PHONE,)))
    us = await store.create_customer(
        NewCustomer("Ohio", (ContactPoint(ContactKind.PHONE, "+19123456789"),))
    )
    history = await store.lookup(phone="+49 912 3456789")
    assert history.customer is None
    assert history.ambiguous
    assert set(history.candidates) == {ru.id, us.id}


async def test_a_number_with_a_lost_country_code_matches_its_only_owner(
    store: SqlTicketStore,
) -> None:
    ru = await store.create_customer(NewCustomer("Moscow", (PHONE,)))
    history = await store.lookup(phone="+49 912 3456789")
    assert history.customer is not None
    assert history.customer.id == ru.id


async def test_merge_keeps_both_histories(store: SqlTicketStore) -> None:
    anna = await store.create_customer(NewCustomer("Anna", (PHONE,)))
    email = ContactPoint(ContactKind.EMAIL, "anna@example.org")
    chat_anna = await store.create_customer(NewCustomer("anna (chat)", (email,)))
    t1 = await store.create_ticket(NewTicket("phone ticket", anna.id))
    t2 = await store.create_ticket(NewTicket("chat ticket", chat_anna.id))

    merged = await store.merge_customers(anna.id, chat_anna.id)

    assert set(merged.contacts) == {PHONE, email}
    mine = await store.list_tickets(50, customer_id=anna.id)
    assert {t.number for t in mine.items} == {t1.number, t2.number}
    gone = await store.get_customer(chat_anna.id)
    assert gone.merged_into == anna.id
    by_email = await store.lookup(email="anna@example.org")
    assert by_email.customer is not None
    assert by_email.customer.id == anna.id


async def test_merge_refuses_itself_and_merged_customers(store: SqlTicketStore) -> None:
    a = await store.create_customer(NewCustomer("A"))
    b = await store.create_customer(NewCustomer("B"))
    with pytest.raises(TicketRuleError, match="from: cannot merge a customer into itself"):
        await store.merge_customers(a.id, a.id)
    await store.merge_customers(a.id, b.id)
    with pytest.raises(TicketRuleError, match=f"into: customer {b.id} was merged into {a.id}"):
        await store.merge_customers(b.id, a.id)
    with pytest.raises(NotFound, match="no customer 999999"):
        await store.merge_customers(a.id, 999999)


async def test_search_pages_through_customers(store: SqlTicketStore) -> None:
    for n in range(5):
        await store.create_customer(NewCustomer(f"Person {n}"))
    await store.create_customer(NewCustomer("Anna", (PHONE,)))
    first = await store.search_customers("person", 2, None)
    second = await store.search_customers("person", 2, first.next_cursor)
    third = await store.search_customers("person", 2, second.next_cursor)
    names = [c.name for page in (first, second, third) for c in page.items]
    assert names == [f"Person {n}" for n in (4, 3, 2, 1, 0)]
    assert third.next_cursor is None
    by_phone = await store.search_customers("8 912 345 67 89", 10, None)
    assert [c.name for c in by_phone.items] == ["Anna"]
    with pytest.raises(TicketRuleError, match="cursor"):
        await store.search_customers("", 2, "forged!")
