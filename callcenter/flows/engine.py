"""The flow engine: pure. ``step(flows, session, event) -> (session, commands)``.

It never plays audio or touches a channel: it returns commands (play, stop, wait for
input, set language, finish with an outcome) that the runner carries out, and it is fed
events (start, digit, playback done, timeout). Sessions are immutable; every step returns
a new one. A step runs nodes until one must wait (for a prompt or for the caller) or the
flow finishes; at most ``MAX_HOPS`` nodes per step, so even a flow that slipped past the
validator cannot spin.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import datetime

from callcenter.domain.business_hours import is_open
from callcenter.flows import lookups, say
from callcenter.flows.model import Condition, Flow, Node, Prompt
from callcenter.flows.session import (
    Command,
    Digit,
    Event,
    Finish,
    LookupDone,
    Play,
    PlaybackDone,
    Session,
    SetLanguage,
    Start,
    Step,
    StopPlayback,
    WaitForInput,
)

MAX_HOPS = 64


def start(flows: Mapping[str, Flow], flow_name: str, event: Start) -> tuple[Session, list[Command]]:
    flow = flows[flow_name]
    session = Session(
        flow=flow_name,
        node=event.node or flow.entry,
        language=flow.language,
        caller=event.caller,
        caller_known=event.caller_known,
    )
    return _run(flows, session, event.at, [])


def step(
    flows: Mapping[str, Flow], session: Session, event: Event
) -> tuple[Session, list[Command]]:
    if session.phase == "done":
        return session, []
    if isinstance(event, Start):
        return start(flows, session.flow, event)
    node = flows[session.flow].nodes[session.node]
    if isinstance(event, PlaybackDone):
        if session.phase != "playing":
            return session, []
        if node.type in ("menu", "collect"):
            return dataclasses.replace(session, phase="waiting"), [WaitForInput(_wait(node))]
        return _advance(flows, session, node.next, event.at, [])
    if isinstance(event, LookupDone):
        return _looked_up(flows, session, node, event)
    if session.phase == "looking":  # digits wait for the next input node
        if isinstance(event, Digit):
            return dataclasses.replace(session, typeahead=session.typeahead + event.digit), []
        return session, []
    if isinstance(event, Digit):
        return _digit(flows, session, node, event)
    return _timeout(flows, session, node, event.at)


def _wait(node: Node) -> float:
    return node.timeout


# -- running nodes until one waits -----------------------------------------------------


def _advance(
    flows: Mapping[str, Flow], session: Session, target: str, at: datetime, out: list[Command]
) -> tuple[Session, list[Command]]:
    session = dataclasses.replace(session, node=target, phase="new", retries=0, digits="")
    return _run(flows, session, at, out)


def _run(
    flows: Mapping[str, Flow], session: Session, at: datetime, out: list[Command]
) -> tuple[Session, list[Command]]:
    for _ in range(MAX_HOPS):
        flow = flows[session.flow]
        node = flow.nodes[session.node]
        kind = node.type
        if kind in ("play", "menu", "collect"):
            session = _visit(session, node)
            out.append(Play(_media(node.prompts, session), session.language))
            session = dataclasses.replace(session, phase="playing")
            if kind != "play" and session.typeahead:
                # Digits typed over an earlier prompt answer this node at once.
                digit, rest = session.typeahead[0], session.typeahead[1:]
                session = dataclasses.replace(session, typeahead=rest)
                out.append(StopPlayback())
                return _digit(flows, session, node, Digit(at, digit), out, stopped=True)
            return session, out
        if kind == "branch":
            target = next((t for c, t in node.cases if _holds(c, session, flow, at)), node.else_)
            session = _visit(session, node, f"-> {target}")
            session = dataclasses.replace(session, node=target)
        elif kind == "set":
            session = _visit(session, node, ",".join(f"{k}={v}" for k, v in node.vars.items()))
            session = dataclasses.replace(
                session, vars={**session.vars, **node.vars}, node=node.next
            )
        elif kind == "language":
            session = _visit(session, node, node.language)
            out.append(SetLanguage(node.language))
            session = dataclasses.replace(session, language=node.language, node=node.next)
        elif kind == "lookup":
            session = _visit(session, node, node.endpoint)
            out.append(lookups.request(node, session))
            return dataclasses.replace(session, phase="looking"), out
        elif kind == "goto":
            target_flow = flows[node.flow]
            session = _visit(session, node, f"{node.flow}.{node.node or target_flow.entry}")
            session = dataclasses.replace(
                session, flow=node.flow, node=node.node or target_flow.entry
            )
        else:
            return _finish(session, node, out)
    return _finish(session, None, out, reason=f"more than {MAX_HOPS} nodes without waiting")


def _looked_up(
    flows: Mapping[str, Flow], session: Session, node: Node, event: LookupDone
) -> tuple[Session, list[Command]]:
    if session.phase != "looking":
        return session, []
    values, why = lookups.answer_vars(node, event)
    if values is None:
        return _advance(flows, _note(session, f"failed: {why}"), node.on_failure, event.at, [])
    session = dataclasses.replace(session, vars={**session.vars, **values})
    return _advance(flows, _note(session, "ok"), node.next, event.at, [])


def _finish(
    session: Session, node: Node | None, out: list[Command], reason: str = ""
) -> tuple[Session, list[Command]]:
    if node is None:
        finish = Finish("hangup", reason=reason)
    elif node.type == "hangup":
        if node.prompts:
            out.append(Play(_media(node.prompts, session), session.language))
        finish = Finish("hangup", reason=reason or "flow ended")
    elif node.type == "queue":
        finish = Finish(
            "queue", node.queue, node.priority, node.timeout, node.on_timeout,
            announce_recording=node.announce_recording, survey=node.survey,
        )  # fmt: skip
    elif node.type == "voicemail":
        finish = Finish("voicemail", node.mailbox)
    elif node.type == "callback":
        finish = Finish("callback", node.queue, ask_time=_media(node.ask_time, session))
    else:
        finish = Finish("transfer", node.to)
    if node is not None:
        session = _visit(session, node, finish.target)
    out.append(finish)
    return dataclasses.replace(session, phase="done", outcome=finish), out


def _visit(session: Session, node: Node, detail: str = "") -> Session:
    return dataclasses.replace(
        session, path=(*session.path, Step(session.flow, node.id, node.type, detail))
    )


def _note(session: Session, detail: str) -> Session:
    """Add detail to the last path entry (what the caller did at this node)."""
    *head, last = session.path
    detail = f"{last.detail} {detail}".strip()
    return dataclasses.replace(session, path=(*head, dataclasses.replace(last, detail=detail)))


# -- input -----------------------------------------------------------------------------


def _digit(
    flows: Mapping[str, Flow],
    session: Session,
    node: Node,
    event: Digit,
    out: list[Command] | None = None,
    stopped: bool = False,
) -> tuple[Session, list[Command]]:
    out = out if out is not None else []
    playing = session.phase == "playing" and not stopped
    if node.type == "play":
        if not (node.barge_in and playing):
            return session, out
        out.append(StopPlayback())
        session = dataclasses.replace(session, typeahead=session.typeahead + event.digit)
        return _advance(flows, session, node.next, event.at, out)
    if playing:
        out.append(StopPlayback())
    if node.type == "menu":
        target = node.options.get(event.digit)
        if target is None:
            return _retry(
                flows,
                _note(session, f"invalid:{event.digit}"),
                node,
                event.at,
                out,
                node.invalid_prompts,
            )
        session = _note(session, f"pressed:{event.digit}")
        return _advance(flows, session, target, event.at, out)
    # collect
    if node.terminator and event.digit == node.terminator:
        return _collected(flows, session, node, event.at, out)
    session = dataclasses.replace(session, digits=session.digits + event.digit, phase="waiting")
    if len(session.digits) >= node.max_length:
        return _collected(flows, session, node, event.at, out)
    out.append(WaitForInput(node.timeout))
    return session, out


def _collected(
    flows: Mapping[str, Flow], session: Session, node: Node, at: datetime, out: list[Command]
) -> tuple[Session, list[Command]]:
    value = session.digits
    valid = len(value) >= node.min_length and (
        not node.pattern or re.fullmatch(node.pattern, value) is not None
    )
    if not valid:
        session = _note(session, f"invalid:{value or '-'}")
        return _retry(
            flows, dataclasses.replace(session, digits=""), node, at, out, node.invalid_prompts
        )
    session = _note(session, f"{node.var}={value}")
    session = dataclasses.replace(session, vars={**session.vars, node.var: value})
    return _advance(flows, session, node.next, at, out)


def _timeout(
    flows: Mapping[str, Flow], session: Session, node: Node, at: datetime
) -> tuple[Session, list[Command]]:
    if session.phase != "waiting":
        return session, []
    if node.type == "collect" and session.digits:
        return _collected(flows, session, node, at, [])
    session = _note(session, "no-input")
    return _retry(flows, session, node, at, [], node.no_input_prompts or node.invalid_prompts)


def _retry(
    flows: Mapping[str, Flow],
    session: Session,
    node: Node,
    at: datetime,
    out: list[Command],
    sorry: tuple[Prompt, ...],
) -> tuple[Session, list[Command]]:
    if session.retries >= node.retries:
        if node.on_failure:
            return _advance(flows, _note(session, "failed"), node.on_failure, at, out)
        return _finish(session, None, out, reason=f"no valid input at {node.id}")
    session = dataclasses.replace(
        session, retries=session.retries + 1, phase="playing", digits="", typeahead=""
    )
    out.append(Play(_media(sorry + node.prompts, session), session.language))
    return session, out


# -- conditions and prompts ------------------------------------------------------------


def _holds(cond: Condition, session: Session, flow: Flow, at: datetime) -> bool:
    kind, arg, value = cond.kind, cond.arg, cond.value
    if kind == "open":
        return is_open(flow.calendars[arg], at)
    if kind == "caller_known":
        return session.caller_known is bool(arg)
    if kind == "caller_matches":
        return re.search(str(arg), session.caller) is not None
    if kind == "var_equals":
        return session.vars.get(arg) == value
    return bool(session.vars.get(arg))  # var_set


def _media(prompts: tuple[Prompt, ...], session: Session) -> tuple[str, ...]:
    return say.media(prompts, session.vars, session.language)
