"""Customers and their contact points inside one session (the caller owns the transaction)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from callcenter.domain.contacts import ContactKind, ContactPoint, caller_number
from callcenter.domain.tickets import Customer, NewCustomer, NotFound, Page, TicketRuleError
from callcenter.store import ticket_mapping as m
from callcenter.store.history_query import matching_customers
from callcenter.store.models import ContactPointRow, CustomerRow, InteractionRow, TicketRow


class CustomerRepo:
    def __init__(self, session: Session, region: str) -> None:
        self.s = session
        self.region = region

    def row(self, customer_id: int, field: str = "customer_id") -> CustomerRow:
        row = self.s.get(CustomerRow, customer_id)
        if row is None:
            raise NotFound(f"{field}: no customer {customer_id}")
        return row

    def live_row(self, customer_id: int, field: str = "customer_id") -> CustomerRow:
        """The customer, refusing one merged into another (the caller should use that one)."""
        row = self.row(customer_id, field)
        if row.merged_into_id is not None:
            raise TicketRuleError(
                field, f"customer {customer_id} was merged into {row.merged_into_id}"
            )
        return row

    def create(self, new: NewCustomer, now: datetime) -> Customer:
        for point in new.contacts:
            owner = self.owner(point)
            if owner is not None:
                raise TicketRuleError(
                    point.kind.value, f"{point.value} already belongs to customer {owner}"
                )
        row = CustomerRow(name=new.name, created_at=now)
        self.s.add(row)
        self.s.flush()
        points = [self.add_contact(row.id, p) for p in new.contacts]
        return m.customer(row, points)

    def add_contact(self, customer_id: int, point: ContactPoint) -> ContactPointRow:
        row = ContactPointRow(
            customer_id=customer_id,
            kind=point.kind.value,
            value=point.value,
            national=point.national,
        )
        self.s.add(row)
        self.s.flush()
        return row

    def owner(self, point: ContactPoint) -> int | None:
        return self.s.scalar(
            select(ContactPointRow.customer_id).where(
                ContactPointRow.kind == point.kind.value, ContactPointRow.value == point.value
            )
        )

    def get(self, customer_id: int) -> Customer:
        # One round trip (joined), not two: this is on the screen-pop path.
        row = (
            self.s.scalars(
                select(CustomerRow)
                .where(CustomerRow.id == customer_id)
                .options(joinedload(CustomerRow.contacts))
            )
            .unique()
            .one_or_none()
        )
        if row is None:
            raise NotFound(f"customer_id: no customer {customer_id}")
        return m.customer(row)

    def search(self, q: str, limit: int, cursor: str | None) -> Page[Customer]:
        query = select(CustomerRow).options(selectinload(CustomerRow.contacts))
        query = query.where(CustomerRow.merged_into_id.is_(None))
        if q:
            matches = [func.lower(CustomerRow.name).contains(q.lower(), autoescape=True)]
            phone = caller_number(q, self.region) if any(c.isdigit() for c in q) else None
            values = [v for v in (phone, q.strip().lower()) if v]
            owners = select(ContactPointRow.customer_id).where(ContactPointRow.value.in_(values))
            matches.append(CustomerRow.id.in_(owners))
            query = query.where(or_(*matches))
        after = m.decode_cursor(cursor)
        if after is not None:
            query = query.where(CustomerRow.id < after)
        rows = list(self.s.scalars(query.order_by(CustomerRow.id.desc()).limit(limit + 1)))
        more = len(rows) > limit
        items = tuple(m.customer(r) for r in rows[:limit])
        return Page(items, m.encode_cursor(items[-1].id) if more else None)

    def match_phone(self, e164: str) -> list[int]:
        """Customers a phone number could be (see history_query.matching_customers)."""
        return matching_customers(self.s.connection(), ContactKind.PHONE, e164)

    def merge(self, into_id: int, from_id: int) -> Customer:
        """Move ``from``'s contact points, tickets and interactions to ``into``; ``from``
        stays, pointing at ``into``, so links to it still resolve."""
        if into_id == from_id:
            raise TicketRuleError("from", "cannot merge a customer into itself")
        into = self.live_row(into_id, "into")
        source = self.live_row(from_id, "from")
        for table in (ContactPointRow, TicketRow, InteractionRow):
            self.s.execute(
                update(table).where(table.customer_id == source.id).values(customer_id=into.id)
            )
        source.merged_into_id = into.id
        self.s.flush()
        self.s.expire_all()
        return self.get(into.id)
