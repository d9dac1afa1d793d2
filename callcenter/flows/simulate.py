"""Run a flow without Asterisk: scripted digits in, every command and the outcome out.

Each entry of ``digit_groups`` answers one wait for input (``["1", "1234#"]``); when the
script runs out, waits time out. Prompts are taken as played to the end. A lookup gets its
endpoint's stub from ``stubs``: a JSON object (the answer) or a text (the failure, e.g.
"timeout"); an endpoint without a stub fails ("no stub"), as a real one that is down would.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from callcenter.flows import engine
from callcenter.flows import session as flow_session
from callcenter.flows.model import Flow

MAX_EVENTS = 500


def simulate(
    flows: Mapping[str, Flow],
    flow_name: str,
    digit_groups: list[str],
    at: datetime,
    caller: str = "",
    caller_known: bool = False,
    stubs: Mapping[str, Mapping[str, Any] | str] | None = None,
) -> tuple[flow_session.Session, list[str]]:
    lines: list[str] = []
    groups = list(digit_groups)
    session, commands = engine.start(flows, flow_name, flow_session.Start(at, caller, caller_known))
    for _ in range(MAX_EVENTS):
        lines += [f"  {_describe(c)}" for c in commands]
        if session.phase == "done":
            break
        asked = [c for c in commands if isinstance(c, flow_session.Lookup)]
        if session.phase == "looking" and asked:
            done = _stubbed(asked[-1], (stubs or {}).get(asked[-1].endpoint), at)
            lines.append(f"endpoint answers {done.error or dict(done.answer or {})}")
            session, commands = engine.step(flows, session, done)
            continue
        if session.phase == "waiting":
            if groups:
                group = groups.pop(0)
                lines.append(f"caller presses {group}")
                commands = []
                for digit in group:
                    session, more = engine.step(flows, session, flow_session.Digit(at, digit))
                    commands += more
                continue
            lines.append("caller presses nothing (timeout)")
            session, commands = engine.step(flows, session, flow_session.Timeout(at))
            continue
        session, commands = engine.step(flows, session, flow_session.PlaybackDone(at))
    return session, lines


def _stubbed(
    asked: flow_session.Lookup, stub: Mapping[str, Any] | str | None, at: datetime
) -> flow_session.LookupDone:
    if stub is None:
        return flow_session.LookupDone(at, error=f"no stub for {asked.endpoint!r}")
    if isinstance(stub, str):
        return flow_session.LookupDone(at, error=stub or "failed")
    return flow_session.LookupDone(at, answer=stub)


def _describe(command: flow_session.Command) -> str:
    if isinstance(command, flow_session.Play):
        return f"play [{command.language}] " + " ".join(command.media)
    if isinstance(command, flow_session.WaitForInput):
        return f"wait for input {command.seconds:g}s"
    if isinstance(command, flow_session.SetLanguage):
        return f"language {command.language}"
    if isinstance(command, flow_session.StopPlayback):
        return "stop prompt (barge-in)"
    if isinstance(command, flow_session.Lookup):
        query = "&".join(f"{k}={v}" for k, v in command.params.items())
        return f"lookup {command.endpoint}?{query}"
    target = f" {command.target}" if command.target else ""
    extra = f" priority {command.priority}" if command.priority else ""
    reason = f" ({command.reason})" if command.reason else ""
    return f"outcome: {command.outcome}{target}{extra}{reason}"
