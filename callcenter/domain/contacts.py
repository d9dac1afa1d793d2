"""Contact points — phone numbers, emails, chat handles — in the one form we store.

Phone numbers are parsed with ``phonenumbers`` and kept as E.164; a number that does not
parse or is not a valid number for its region raises :class:`InvalidContact` naming the
field, so a malformed number never reaches a lookup, a ticket or a dial string.
"""

from __future__ import annotations

import dataclasses
import enum
import re

import phonenumbers


class ContactKind(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"


class InvalidContact(ValueError):
    """A contact point that cannot be used; ``field`` names where it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


@dataclasses.dataclass(frozen=True, order=True)
class ContactPoint:
    kind: ContactKind
    value: str  # E.164 for phones, lower-case email, "network:handle" for chat

    @property
    def national(self) -> str:
        """For phones, the national significant number (matching callers whose network
        sent no country code); empty for the other kinds."""
        if self.kind is not ContactKind.PHONE:
            return ""
        return str(phonenumbers.parse(self.value).national_number)


_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,63}$")
_CHAT = re.compile(r"^[a-z][a-z0-9_-]{0,31}:[^\s]{1,200}$")


def normalise_phone(raw: str, region: str, field: str = "phone") -> str:
    """``raw`` as E.164 (``+79123456789``), read in ``region`` when it has no country code."""
    text = raw.strip()
    if not text:
        raise InvalidContact(field, "empty phone number")
    if len(text) > 40:
        raise InvalidContact(field, "phone number longer than 40 characters")
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidContact(field, f"{raw!r} is not a phone number ({exc})") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidContact(field, f"{raw!r} is not a valid phone number (region {region})")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str, field: str = "email") -> str:
    text = raw.strip()
    if not _EMAIL.match(text) or len(text) > 254:
        raise InvalidContact(field, f"{raw!r} is not an email address")
    # Strictly the local part is case-sensitive; no mail system treats it so, and a
    # customer typing Anna@ once and anna@ later is one person.
    return text.lower()


def normalise_chat(raw: str, field: str = "chat_handle") -> str:
    """Chat handles are ``network:handle`` (``telegram:@anna``, ``web:visitor-42``)."""
    text = raw.strip()
    network, sep, handle = text.partition(":")
    value = f"{network.lower()}{sep}{handle}"
    if not _CHAT.match(value):
        raise InvalidContact(field, f"{raw!r} is not a chat handle (network:handle)")
    return value


def contact(kind: ContactKind, raw: str, region: str, field: str) -> ContactPoint:
    if kind is ContactKind.PHONE:
        return ContactPoint(kind, normalise_phone(raw, region, field))
    if kind is ContactKind.EMAIL:
        return ContactPoint(kind, normalise_email(raw, field))
    return ContactPoint(kind, normalise_chat(raw, field))


def caller_number(raw: str, region: str) -> str | None:
    """A caller id as E.164, or None when it is withheld or not a phone number
    (``anonymous``, an extension, garbage): such callers are never matched."""
    try:
        return normalise_phone(raw, region, "caller_id")
    except InvalidContact:
        return None
