"""The IVR flow model (spec_version 1): typed, immutable, built only from validated data."""

from __future__ import annotations

import dataclasses
from typing import Any

from callcenter.domain.business_hours import Calendar


@dataclasses.dataclass(frozen=True)
class Prompt:
    """One thing to say: ``kind`` is sound, prompt (uploaded), digits, number or say_var."""

    kind: str
    value: str


@dataclasses.dataclass(frozen=True)
class Condition:
    kind: str  # open, caller_known, caller_matches, var_equals, var_set
    arg: Any
    value: str = ""


@dataclasses.dataclass(frozen=True)
class Node:
    """A node of any type; the fields a type does not use keep their defaults."""

    id: str
    type: str
    prompts: tuple[Prompt, ...] = ()
    next: str = ""
    barge_in: bool = False
    options: dict[str, str] = dataclasses.field(default_factory=dict)
    timeout: float = 5.0
    retries: int = 2
    invalid_prompts: tuple[Prompt, ...] = ()
    no_input_prompts: tuple[Prompt, ...] = ()
    on_failure: str = ""
    var: str = ""
    min_length: int = 1
    max_length: int = 16
    terminator: str | None = "#"
    pattern: str = ""
    cases: tuple[tuple[Condition, str], ...] = ()
    else_: str = ""
    vars: dict[str, str] = dataclasses.field(default_factory=dict)
    language: str = ""
    queue: str = ""
    priority: int = 0
    on_timeout: str = ""
    announce_recording: bool = False  # queue: "this call may be recorded" before joining
    survey: bool = False  # queue: a post-call survey ([surveys]) even if the queue asks none
    mailbox: str = ""
    ask_time: tuple[Prompt, ...] = ()  # callback: "… or key in the time to call you"
    to: str = ""
    flow: str = ""
    node: str = ""
    # lookup: the [[lookups]] endpoint, its query {param: variable}, the answer's fields
    # into variables {variable: dotted path}; on_failure on error, timeout or misfit.
    endpoint: str = ""
    params: dict[str, str] = dataclasses.field(default_factory=dict)
    mapping: dict[str, str] = dataclasses.field(default_factory=dict)

    def targets(self) -> list[tuple[str, str]]:
        """(field, node id) for every node this one can go to within its flow."""
        out = [
            ("next", self.next),
            ("on_failure", self.on_failure),
            ("on_timeout", self.on_timeout),
            ("else", self.else_),
        ]
        out += [(f"options.{d}", t) for d, t in self.options.items()]
        out += [(f"cases.{i}.goto", t) for i, (_, t) in enumerate(self.cases)]
        return [(f, t) for f, t in out if t]


WAITS_FOR_INPUT = frozenset({"menu", "collect"})
ENDS_CALL = frozenset({"queue", "voicemail", "callback", "transfer", "hangup", "goto"})


@dataclasses.dataclass(frozen=True)
class Flow:
    name: str
    entry: str
    nodes: dict[str, Node]
    calendars: dict[str, Calendar]
    language: str = "en"
    source: str = ""
    version: str = ""  # content hash: calls keep the version they started with


def _prompts(raw: Any) -> tuple[Prompt, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(Prompt("sound", item))
        else:
            ((kind, value),) = item.items()
            out.append(Prompt(kind, str(value)))
    return tuple(out)


def _calendar(raw: dict[str, Any]) -> Calendar:
    def minutes(hhmm: str) -> int:
        h, m = hhmm.split(":")
        return int(h) * 60 + int(m)

    weekly = {
        day: tuple((minutes(r.split("-")[0]), minutes(r.split("-")[1])) for r in ranges)
        for day, ranges in raw.get("weekly", {}).items()
    }
    return Calendar(raw["timezone"], weekly, frozenset(raw.get("holidays", ())))


def _condition(raw: dict[str, Any]) -> Condition:
    ((kind, arg),) = raw.items()
    if kind == "var_equals":
        return Condition(kind, arg["var"], str(arg["value"]))
    return Condition(kind, arg)


def build_flow(data: dict[str, Any], source: str = "", version: str = "") -> Flow:
    """Build a :class:`Flow` from data that passed the JSON Schema."""
    nodes = {}
    simple = {
        "next",
        "barge_in",
        "timeout",
        "retries",
        "on_failure",
        "var",
        "min_length",
        "max_length",
        "terminator",
        "pattern",
        "language",
        "queue",
        "priority",
        "on_timeout",
        "announce_recording",
        "survey",
        "mailbox",
        "to",
        "flow",
        "node",
    }
    for node_id, raw in data["nodes"].items():
        kwargs: dict[str, Any] = {k: v for k, v in raw.items() if k in simple}
        if raw["type"] in ("queue", "lookup"):
            # A queue waits without limit unless told; a lookup, as its endpoint allows.
            kwargs.setdefault("timeout", 0.0)
        if "timeout" in kwargs:
            kwargs["timeout"] = float(kwargs["timeout"])
        nodes[node_id] = Node(
            id=node_id,
            type=raw["type"],
            prompts=_prompts(raw.get("prompts")),
            options={str(k): v for k, v in raw.get("options", {}).items()},
            invalid_prompts=_prompts(raw.get("invalid_prompts")),
            no_input_prompts=_prompts(raw.get("no_input_prompts")),
            ask_time=_prompts(raw.get("ask_time")),
            cases=tuple((_condition(c["when"]), c["goto"]) for c in raw.get("cases", ())),
            else_=raw.get("else", ""),
            vars=dict(raw.get("vars", {})),
            endpoint=raw.get("endpoint", ""),
            params={str(k): str(v) for k, v in raw.get("params", {}).items()},
            mapping={str(k): str(v) for k, v in raw.get("map", {}).items()},
            **kwargs,
        )
    calendars = {name: _calendar(c) for name, c in data.get("calendars", {}).items()}
    return Flow(
        data["name"], data["entry"], nodes, calendars, data.get("language", "en"), source, version
    )
