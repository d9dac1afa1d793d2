"""Run a flow without Asterisk: scripted digits in, every command and the outcome out.

Each entry of ``digit_groups`` answers one wait for input (``["1", "1234#"]``); when the
script runs out, waits time out. Prompts are taken as played to the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

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
) -> tuple[flow_session.Session, list[str]]:
    lines: list[str] = []
    groups = list(digit_groups)
    session, commands = engine.start(flows, flow_name, flow_session.Start(at, caller, caller_known))
    for _ in range(MAX_EVENTS):
        lines += [f"  {_describe(c)}" for c in commands]
        if session.phase == "done":
            break
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


def _describe(command: flow_session.Command) -> str:
    if isinstance(command, flow_session.Play):
        return f"play [{command.language}] " + " ".join(command.media)
    if isinstance(command, flow_session.WaitForInput):
        return f"wait for input {command.seconds:g}s"
    if isinstance(command, flow_session.SetLanguage):
        return f"language {command.language}"
    if isinstance(command, flow_session.StopPlayback):
        return "stop prompt (barge-in)"
    target = f" {command.target}" if command.target else ""
    extra = f" priority {command.priority}" if command.priority else ""
    reason = f" ({command.reason})" if command.reason else ""
    return f"outcome: {command.outcome}{target}{extra}{reason}"
