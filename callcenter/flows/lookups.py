"""The lookup node, pure: the request it makes and what its answer does to the session.

A lookup asks a configured endpoint with the caller's digits or number as its query and
maps fields of the JSON answer into variables. Every mapped field must be there and be a
plain value (text, number, true/false): an answer that does not fit is a failure like an
error or a timeout, and the call goes to the node's ``on_failure`` — never on with half
its variables."""

from __future__ import annotations

from collections.abc import Mapping

from callcenter.flows.model import Node
from callcenter.flows.session import Lookup, LookupDone, Session

CALLER = "caller"  # a param naming this variable sends the caller's number
MAX_VALUE = 200  # characters of one mapped value


def request(node: Node, session: Session) -> Lookup:
    values = {CALLER: session.caller, **session.vars}
    params = {name: values.get(var, "") for name, var in node.params.items()}
    return Lookup(node.endpoint, params, node.timeout)


def answer_vars(node: Node, done: LookupDone) -> tuple[dict[str, str] | None, str]:
    """The variables the answer sets, or None and why it does not fit (or failed)."""
    if done.error:
        return None, done.error
    if done.answer is None:
        return None, "no answer"
    values: dict[str, str] = {}
    for var, path in node.mapping.items():
        value = dig(done.answer, path)
        if value is None:
            return None, f"the answer has no {path}"
        text = plain(value)
        if text is None:
            return None, f"the answer's {path} is not a plain value"
        values[var] = text[:MAX_VALUE]
    return values, ""


def dig(answer: Mapping[str, object], path: str) -> object | None:
    value: object = answer
    for key in path.split("."):
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def plain(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value == value else None  # NaN
    if isinstance(value, str):
        return value
    return None
