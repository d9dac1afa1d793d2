from __future__ import annotations

import pytest

from callcenter.domain.contacts import (
    ContactKind,
    ContactPoint,
    InvalidContact,
    caller_number,
    normalise_chat,
    normalise_email,
    normalise_phone,
)


@pytest.mark.parametrize(
    "raw", ["+7 (912) 345-67-89", "89123456789", "+79123456789", "8 912 345 67 89"]
)
def test_russian_formats_are_one_e164_number(raw: str) -> None:
    assert normalise_phone(raw, "RU") == "+79123456789"


def test_the_region_reads_numbers_without_a_country_code() -> None:
    assert normalise_phone("(202) 555-0123", "US") == "+12025550123"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("12", "not a valid phone number"),
        ("call me", "not a phone number"),
        ("1" * 41, "longer than 40"),
    ],
)
def test_bad_numbers_name_the_field(raw: str, reason: str) -> None:
    with pytest.raises(InvalidContact, match=reason) as caught:
        normalise_phone(raw, "RU", field="phones[2]")
    assert caught.value.field == "phones[2]"
    assert str(caught.value).startswith("phones[2]: ")


def test_caller_ids_that_are_no_numbers_are_none() -> None:
    assert caller_number("anonymous", "RU") is None
    assert caller_number("1001", "RU") is None
    assert caller_number("89123456789", "RU") == "+79123456789"


def test_national_part_of_a_phone() -> None:
    assert ContactPoint(ContactKind.PHONE, "+79123456789").national == "9123456789"
    assert ContactPoint(ContactKind.EMAIL, "a@b.org").national == ""


def test_emails_and_chat_handles() -> None:
    assert normalise_email(" Anna@Example.ORG ") == "anna@example.org"
    assert normalise_chat("Telegram:@Anna") == "telegram:@Anna"
    with pytest.raises(InvalidContact, match="emails\\[0\\]: 'anna' is not an email"):
        normalise_email("anna", "emails[0]")
    with pytest.raises(InvalidContact, match="not a chat handle"):
        normalise_chat("no-network-here")
