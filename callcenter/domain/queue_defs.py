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
        survey: true              # callers are asked how it went after the agent hangs up
        retention_days: 365       # recordings kept this long; 0 = recordings.retention_days
        service_level_seconds: 20 # reports: answered within this counts (0 = agents' default)
        service_level_target: 80  # % of calls answered within it (0 = reports' default)
        short_abandon: 5          # s: a caller who hangs up sooner is a short abandon
        alert_waiting: 10         # alerts: more callers waiting at once than this…
        alert_wait: 120           # …a caller waiting longer (s)…
        alert_abandon_rate: 10    # …more of today's calls abandoned (%); 0 = no alert
        callback_digit: "1"       # waiting callers press it to be called back in their place
        caller_id: "+74951234567" # shown on its callbacks ("": the trunk's, or the centre's)
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
from collections.abc import Mapping

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
INT_FIELDS = {
    "ring_timeout": (1, 600),
    "wrap_up": (0, 3600),
    "max_length": (0, 10000),
    "max_wait": (0, 86400),
    "announce_position": (0, 3600),
    "announce_wait_every": (0, 3600),
    "retention_days": (0, 36500),
    "service_level_seconds": (0, 3600),  # 0: agents.service_level_seconds
    "service_level_target": (0, 100),  # %; 0: reports.service_level_target
    "short_abandon": (0, 300),  # s; 0: reports.short_abandon_seconds
    "alert_waiting": (0, 10000),  # callers waiting at once; 0: no alert
    "alert_wait": (0, 86400),  # s of the longest wait; 0: no alert
    "alert_abandon_rate": (0, 100),  # % of today's calls abandoned; 0: no alert
}
BOOL_FIELDS = {"announce_wait", "record", "survey"}
KNOWN_KEYS = {
    "strategy",
    "overflow",
    "overflow_node",
    "music",
    "skills",
    "callback_digit",
    "caller_id",
    "calendar",
    "staffing",
    "mailbox",
    *INT_FIELDS,
    *BOOL_FIELDS,
}
SKILL = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")  # agents' skills too
NODE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")  # FLOW.NODE, FLOW.CALENDAR
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
    survey: bool = False  # a post-call survey ([surveys]) after the agent hangs up
    retention_days: int = 0  # 0: the recordings.retention_days default
    callback_digit: str = ""  # "": waiting callers are not offered a callback
    caller_id: str = ""  # what its callbacks show ("": the trunk's, or the centre's number)
    calendar: str = ""  # FLOW.CALENDAR: business hours of this queue's promises; "": 24/7
    mailbox: str = ""  # the voicemail box whose messages this queue answers
    # The roster: (days 0=mon…6=sun, start minute, end minute, agents), local time of the
    # calendar's zone. Empty: promises count on the agents serving at the moment only.
    staffing: tuple[tuple[frozenset[int], int, int, int], ...] = ()
    # Reports' targets and alert limits (0: the [reports] default, or no alert).
    service_level_seconds: int = 0
    service_level_target: int = 0
    short_abandon: int = 0
    alert_waiting: int = 0
    alert_wait: int = 0
    alert_abandon_rate: int = 0
    # skill → penalty; empty: every agent, penalty 0
    skills: Mapping[str, int] = dataclasses.field(default_factory=dict)

    @property
    def overflow_target(self) -> tuple[str, str] | None:
        """(flow, node) callers go back to at the limits, if set."""
        if not self.overflow_node:
            return None
        flow, node = self.overflow_node.split(".", 1)
        return flow, node


def staffed(queue: QueueDef, weekday: int, minute: int) -> int | None:
    """Agents the roster puts on ``queue`` at local ``weekday`` (0 = Monday) and minute of
    the day; None when the queue has no roster."""
    if not queue.staffing:
        return None
    return sum(n for days, a, b, n in queue.staffing if weekday in days and a <= minute < b)
