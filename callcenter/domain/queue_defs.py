"""Queues as admins describe them in ``queues.yaml``: app_queue's parameters and what
happens at the limits. Parse, then validate every issue with its path; pure (no I/O).

    spec_version: 1
    queues:
      sales:
        strategy: rrmemory        # app_queue strategy
        ring_timeout: 15          # seconds an agent's phone rings
        wrap_up: 10               # seconds an agent rests after a call
        max_length: 10            # callers waiting; 0 = no limit
        max_wait: 300             # seconds, when the flow's queue node sets no timeout
        skills: {sales: 0, billing: 2}   # who answers: agents with these skills, by penalty
        overflow: support         # full or waited too long: on to this queue…
        overflow_node: demo.leave_message   # …or back to this flow node (voicemail, callback)
        music: default
        announce_position: 60     # tell callers their position every N s; 0 = never
        announce_wait: true       # on entry, tell callers our estimate of their wait…
        announce_wait_every: 60   # …and every N s their position and wait (0 = on entry only)
        record: true              # calls are recorded from entering the queue (default true)
        retention_days: 365       # recordings kept this long; 0 = recordings.retention_days
        callback_digit: "1"       # waiting callers press it to be called back in their place
        calendar: main.office     # business hours of promises (FLOW.CALENDAR); none: 24/7
        mailbox: "100"            # this queue answers mailbox 100's messages (a callback
                                  # each); callers at its limits leave one there when the
                                  # daemon is down
        staffing:                 # agents serving it, by day and local time (the roster):
          mon-fri: {"09:00-13:00": 3, "14:00-20:00": 2}   # promises count on them
          sat: {"10:00-16:00": 1}
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping

STRATEGIES = frozenset(
    {
        "ringall",
        "leastrecent",
        "fewestcalls",
        "random",
        "rrmemory",
        "rrordered",
        "linear",
        "wrandom",
    }
)
_INT_FIELDS = {
    "ring_timeout": (1, 600),
    "wrap_up": (0, 3600),
    "max_length": (0, 10000),
    "max_wait": (0, 86400),
    "announce_position": (0, 3600),
    "announce_wait_every": (0, 3600),
    "retention_days": (0, 36500),
}
_BOOL_FIELDS = {"announce_wait", "record"}
_KNOWN = {
    "strategy",
    "overflow",
    "overflow_node",
    "music",
    "skills",
    "callback_digit",
    "calendar",
    "staffing",
    "mailbox",
    *_INT_FIELDS,
    *_BOOL_FIELDS,
}
SKILL = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")  # agents' skills too
_NODE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")  # FLOW.NODE, FLOW.CALENDAR
MAX_PENALTY = 100
MIN_ANNOUNCE_EVERY = 15


class QueueDefError(ValueError):
    """Every problem at once, each as ``source: path: message``."""

    def __init__(self, issues: list[str]) -> None:
        super().__init__("\n".join(issues))
        self.issues = issues


@dataclasses.dataclass(frozen=True)
class QueueDef:
    name: str
    strategy: str = "rrmemory"
    ring_timeout: int = 15
    wrap_up: int = 0
    max_length: int = 0
    max_wait: int = 0
    overflow: str = ""
    overflow_node: str = ""  # FLOW.NODE
    music: str = "default"
    announce_position: int = 0
    announce_wait: bool = False
    announce_wait_every: int = 0  # s; our periodic position + wait replaces app_queue's
    record: bool = True
    retention_days: int = 0  # 0: the recordings.retention_days default
    callback_digit: str = ""  # "": waiting callers are not offered a callback
    calendar: str = ""  # FLOW.CALENDAR: business hours of this queue's promises; "": 24/7
    mailbox: str = ""  # the voicemail box whose messages this queue answers
    # The roster: (days 0=mon…6=sun, start minute, end minute, agents), local time of the
    # calendar's zone. Empty: promises count on the agents serving at the moment only.
    staffing: tuple[tuple[frozenset[int], int, int, int], ...] = ()
    # skill → penalty; empty: every agent, penalty 0
    skills: Mapping[str, int] = dataclasses.field(default_factory=dict)

    @property
    def overflow_target(self) -> tuple[str, str] | None:
        """(flow, node) callers go back to at the limits, if set."""
        if not self.overflow_node:
            return None
        flow, node = self.overflow_node.split(".", 1)
        return flow, node


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
        values: dict[str, object] = {}
        for key, value in spec.items():
            if key not in _KNOWN:
                bad(f"{path}.{key}", "unknown key")
            elif key == "skills":
                skills = _skills(value, f"{path}.skills", bad)
                if skills is not None:
                    values[key] = skills
            elif key == "staffing":
                staffing = _staffing(value, f"{path}.staffing", bad)
                if staffing is not None:
                    values[key] = staffing
            elif key == "mailbox":
                text = (
                    str(value)
                    if isinstance(value, int | str) and not isinstance(value, bool)
                    else ""
                )
                if not re.fullmatch(r"[0-9]{2,10}", text):
                    bad(f"{path}.{key}", f"{value!r} is not a mailbox (2-10 digits, quoted)")
                elif mailboxes is not None and text not in set(mailboxes):
                    bad(f"{path}.{key}", f"no mailbox {text!r} (dialplan.mailboxes)")
                else:
                    values[key] = text
            elif key == "callback_digit":
                if re.fullmatch(r"[0-9]", str(value)) and not isinstance(value, bool):
                    values[key] = str(value)
                else:
                    bad(f"{path}.{key}", f"{value!r} is not one digit 0-9")
            elif key in _BOOL_FIELDS:
                if isinstance(value, bool):
                    values[key] = value
                else:
                    bad(f"{path}.{key}", "must be true or false")
            elif key in _INT_FIELDS:
                low, high = _INT_FIELDS[key]
                if not _whole(value, low, high):
                    bad(f"{path}.{key}", f"must be a whole number {low}-{high}")
                else:
                    values[key] = value
            elif not isinstance(value, str) or not value:
                bad(f"{path}.{key}", "must be a name")
            elif key == "strategy" and value not in STRATEGIES:
                bad(f"{path}.{key}", f"{value!r} is not one of {', '.join(sorted(STRATEGIES))}")
            elif key == "overflow_node" and not _NODE.match(value):
                bad(f"{path}.{key}", f"{value!r} is not FLOW.NODE (e.g. demo.leave_message)")
            elif key == "calendar" and not _NODE.match(value):
                bad(f"{path}.{key}", f"{value!r} is not FLOW.CALENDAR (e.g. main.office)")

            else:
                values[key] = value
        defs[name] = dataclasses.replace(defs[name], **values)  # type: ignore[arg-type]
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
    issues += _cycles(defs, source)
    if issues:
        raise QueueDefError(issues)
    return defs


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


def staffed(queue: QueueDef, weekday: int, minute: int) -> int | None:
    """Agents the roster puts on ``queue`` at local ``weekday`` (0 = Monday) and minute of
    the day; None when the queue has no roster."""
    if not queue.staffing:
        return None
    return sum(n for days, a, b, n in queue.staffing if weekday in days and a <= minute < b)


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
