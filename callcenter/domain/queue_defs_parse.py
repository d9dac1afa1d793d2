"""Reading ``queues.yaml`` into :class:`~callcenter.domain.queue_defs.QueueDef` s: every
key checked, every issue collected with its path (one QueueDefError lists them all)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping

from callcenter.domain.queue_defs import (
    BOOL_FIELDS,
    INT_FIELDS,
    KNOWN_KEYS,
    MAX_PENALTY,
    MIN_ANNOUNCE_EVERY,
    NODE,
    SKILL,
    STRATEGIES,
    QueueDef,
    QueueDefError,
)


def parse_queue_defs(
    data: object, source: str, queues: Iterable[str], mailboxes: Iterable[str] | None = None
) -> dict[str, QueueDef]:
    """Definitions for every queue in ``queues`` (defaults where the file says nothing);
    ``mailboxes``: the voicemail boxes that exist (None: not checked). Raises
    QueueDefError listing every issue."""
    known = list(queues)
    issues: list[str] = []

    def bad(path: str, message: str) -> None:
        issues.append(f"{source}: {path}: {message}")

    if data is None:
        data = {"spec_version": 1, "queues": {}}
    if not isinstance(data, Mapping):
        raise QueueDefError([f"{source}: the file must be a mapping"])
    if data.get("spec_version") != 1:
        bad("spec_version", "must be 1")
    for key in set(data) - {"spec_version", "queues"}:
        bad(str(key), "unknown key")
    raw = data.get("queues") or {}
    if not isinstance(raw, Mapping):
        raise QueueDefError([*issues, f"{source}: queues: must be a mapping"])
    defs = {name: QueueDef(name) for name in known}
    for name, spec in raw.items():
        path = f"queues.{name}"
        if name not in defs:
            bad(path, f"no such queue (dialplan.queues has {', '.join(known)})")
            continue
        if not isinstance(spec, Mapping):
            bad(path, "must be a mapping")
            continue
        values = _queue_values(spec, path, mailboxes, bad)
        defs[name] = dataclasses.replace(defs[name], **values)  # type: ignore[arg-type]
    _check_links(defs, bad)
    issues += _cycles(defs, source)
    if issues:
        raise QueueDefError(issues)
    return defs


TEXT_FIELDS = ("mailbox", "caller_id", "callback_digit")


def _text(
    key: str,
    value: object,
    where: str,
    mailboxes: Iterable[str] | None,
    bad: Callable[[str, str], None],
) -> str | None:
    """A mailbox, caller id or callback digit, checked (None: ``bad`` was told why)."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if key == "mailbox":
        if not re.fullmatch(r"[0-9]{2,10}", text):
            bad(where, f"{value!r} is not a mailbox (2-10 digits, quoted)")
        elif mailboxes is not None and text not in set(mailboxes):
            bad(where, f"no mailbox {text!r} (dialplan.mailboxes)")
        else:
            return text
    elif key == "caller_id":
        if isinstance(value, str) and re.fullmatch(r"\+?[0-9]{2,15}", value):
            return value
        bad(where, f'{value!r} is not a phone number (quoted, e.g. "+74951234567")')
    elif re.fullmatch(r"[0-9]", text):
        return text
    else:
        bad(where, f"{value!r} is not one digit 0-9")
    return None


def _queue_values(
    spec: Mapping[str, object],
    path: str,
    mailboxes: Iterable[str] | None,
    bad: Callable[[str, str], None],
) -> dict[str, object]:
    """The fields one queue's entry sets, each checked (``bad`` told of each issue)."""
    values: dict[str, object] = {}
    for key, value in spec.items():
        if key not in KNOWN_KEYS:
            bad(f"{path}.{key}", "unknown key")
        elif key == "skills":
            skills = _skills(value, f"{path}.skills", bad)
            if skills is not None:
                values[key] = skills
        elif key == "staffing":
            staffing = _staffing(value, f"{path}.staffing", bad)
            if staffing is not None:
                values[key] = staffing
        elif key in TEXT_FIELDS:
            text = _text(key, value, f"{path}.{key}", mailboxes, bad)
            if text is not None:
                values[key] = text
        elif key in BOOL_FIELDS:
            if isinstance(value, bool):
                values[key] = value
            else:
                bad(f"{path}.{key}", "must be true or false")
        elif key in INT_FIELDS:
            low, high = INT_FIELDS[key]
            if not _whole(value, low, high):
                bad(f"{path}.{key}", f"must be a whole number {low}-{high}")
            else:
                values[key] = value
        elif not isinstance(value, str) or not value:
            bad(f"{path}.{key}", "must be a name")
        elif key == "strategy" and value not in STRATEGIES:
            bad(f"{path}.{key}", f"{value!r} is not one of {', '.join(sorted(STRATEGIES))}")
        elif key == "overflow_node" and not NODE.match(value):
            bad(f"{path}.{key}", f"{value!r} is not FLOW.NODE (e.g. demo.leave_message)")
        elif key == "calendar" and not NODE.match(value):
            bad(f"{path}.{key}", f"{value!r} is not FLOW.CALENDAR (e.g. main.office)")

        else:
            values[key] = value
    return values


def _check_links(defs: Mapping[str, QueueDef], bad: Callable[[str, str], None]) -> None:
    """What a queue says of others: overflow targets, announcements, shared mailboxes."""
    for name, d in defs.items():
        if d.overflow and d.overflow not in defs:
            bad(f"queues.{name}.overflow", f"no such queue {d.overflow!r}")
        elif d.overflow == name:
            bad(f"queues.{name}.overflow", "a queue cannot overflow into itself")
        if 0 < d.announce_wait_every < MIN_ANNOUNCE_EVERY:
            bad(
                f"queues.{name}.announce_wait_every",
                f"0 (on entry only) or at least {MIN_ANNOUNCE_EVERY} s: an announcement takes"
                " about 10 s and must not talk over the one before",
            )
        if d.announce_wait_every and not d.announce_wait:
            bad(f"queues.{name}.announce_wait_every", "needs announce_wait: true")
        if d.overflow and d.overflow_node:
            bad(f"queues.{name}", "overflow and overflow_node: choose one")
    owners: dict[str, str] = {}
    for name, d in defs.items():
        if d.mailbox and d.mailbox in owners:
            bad(
                f"queues.{name}.mailbox",
                f"mailbox {d.mailbox!r} is answered by {owners[d.mailbox]} already",
            )
        owners.setdefault(d.mailbox, name)


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")


def _days(text: str) -> frozenset[int] | None:
    """``mon``, ``mon-fri``, ``sat,sun`` → weekday numbers (0 = Monday)."""
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            return None
        a, b = _DAYS.index(first), _DAYS.index(last or first)
        if b < a:
            return None
        days.update(range(a, b + 1))
    return frozenset(days)


def _staffing(
    value: object, path: str, bad: Callable[[str, str], None]
) -> tuple[tuple[frozenset[int], int, int, int], ...] | None:
    if not isinstance(value, Mapping) or not value:
        bad(path, 'must map days to {"HH:MM-HH:MM": agents}, e.g. mon-fri: {"09:00-18:00": 3}')
        return None
    rows = []
    for day_text, ranges in value.items():
        days = _days(str(day_text))
        if days is None:
            bad(f"{path}.{day_text}", "days are mon…sun, a range (mon-fri) or a list (sat,sun)")
            continue
        if not isinstance(ranges, Mapping) or not ranges:
            bad(f"{path}.{day_text}", 'must map "HH:MM-HH:MM" to a number of agents')
            continue
        for span, agents in ranges.items():
            m = _RANGE.match(str(span))
            start = int(m[1]) * 60 + int(m[2]) if m else 0
            end = int(m[3]) * 60 + int(m[4]) if m else 0
            if m is None or end <= start or end > 1440:
                bad(f"{path}.{day_text}.{span}", "not a time range HH:MM-HH:MM within a day")
            elif not _whole(agents, 0, 10000):
                bad(f"{path}.{day_text}.{span}", "agents must be a whole number 0-10000")
            else:
                rows.append((days, start, end, agents))
    return tuple(rows)


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _skills(value: object, path: str, bad: Callable[[str, str], None]) -> dict[str, int] | None:
    if not isinstance(value, Mapping) or not value:
        bad(path, "must map skills to penalties, e.g. {billing: 0, sales: 2}")
        return None
    skills: dict[str, int] = {}
    for skill, penalty in value.items():
        if not isinstance(skill, str) or not SKILL.match(skill):
            bad(f"{path}.{skill}", "a skill starts with a-z, then up to 31 of a-z, 0-9, _ and -")
        elif not _whole(penalty, 0, MAX_PENALTY):
            bad(f"{path}.{skill}", f"penalty must be a whole number 0-{MAX_PENALTY}")
        else:
            skills[skill] = penalty
    return skills


def _cycles(defs: Mapping[str, QueueDef], source: str) -> list[str]:
    found = []
    for start in defs:
        seen, current = [start], defs[start].overflow
        while current and current in defs and current not in seen:
            seen.append(current)
            current = defs[current].overflow
        if current == start and len(seen) > 1:
            found.append(
                f"{source}: queues.{start}.overflow: loops back ({' → '.join([*seen, start])})"
            )
    return found[:1]
