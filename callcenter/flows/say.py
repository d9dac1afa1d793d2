"""Prompts as ARI media: sounds, uploaded prompts, and variables said as digits, a number,
a date or an amount of money — with Asterisk's own say files, nothing recorded by us.

A variable that is not set, or does not read as what it is to be said as (a lookup's
"soon" said as a date), says nothing rather than something wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from callcenter.flows.model import Prompt

_MONEY = re.compile(r"(\d{1,9})(?:[.,](\d{1,2}))?")
_NUMBER = re.compile(r"-?\d{1,9}")


def media(
    prompts: tuple[Prompt, ...], variables: Mapping[str, str], language: str
) -> tuple[str, ...]:
    out: list[str] = []
    for p in prompts:
        if p.kind == "sound":
            out.append(f"sound:{p.value}")
        elif p.kind == "prompt":
            out.append(f"sound:callcenter/{p.value}")
        elif p.kind == "digits":
            out.append(f"digits:{p.value}")
        elif p.kind == "number":
            out.append(f"number:{p.value}")
        else:
            out += said(p.kind, variables.get(p.value, "").strip(), language)
    return tuple(out)


def said(kind: str, value: str, language: str) -> list[str]:
    if not value:
        return []
    if kind == "say_var":  # the digits the caller entered, read back
        digits = re.sub(r"[^0-9*#]", "", value)
        return [f"digits:{digits}"] if digits else []
    if kind == "say_number":
        return [f"number:{value}"] if _NUMBER.fullmatch(value) else []
    if kind == "say_date":
        return say_date(value)
    if kind == "say_money":
        return say_money(value, language)
    return []


def say_date(value: str) -> list[str]:
    """``2026-12-09`` → "Wednesday, December 9" (day-0 is Sunday, mon-0 January)."""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return []
    return [
        f"sound:digits/day-{(day.weekday() + 1) % 7}",
        f"sound:digits/mon-{day.month - 1}",
        f"number:{day.day}",
    ]


def say_money(value: str, language: str) -> list[str]:
    """``12.50`` → "12 dollars 50" in English; the numbers alone in other languages (the
    currency's words are the flow's own prompts there)."""
    match = _MONEY.fullmatch(value)
    if match is None:
        return []
    major, minor = int(match.group(1)), int((match.group(2) or "0").ljust(2, "0"))
    out = [f"number:{major}"]
    if language == "en":
        out.append("sound:digits/dollars")
    if minor:
        out.append(f"number:{minor}")
    return out
