"""Semantic validation of a set of flows: every issue at once, each with file, line and path.

Rules (codes), one broken-flow fixture each in ``tests/unit/flows/broken/``:
unknown-node, unreachable-node, silent-loop, unknown-queue, unknown-mailbox,
unknown-calendar, unknown-flow, bad-pattern, bad-timezone, missing-sound,
transfer-not-allowed, bad-length, unknown-endpoint, unset-variable (plus syntax,
unsafe-yaml, duplicate-key and schema from the loader).
"""

from __future__ import annotations

import dataclasses
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping

from callcenter.flows.loader import FlowIssue, _Positions
from callcenter.flows.lookups import CALLER
from callcenter.flows.model import ENDS_CALL, WAITS_FOR_INPUT, Flow, Node, Prompt


@dataclasses.dataclass(frozen=True)
class FlowContext:
    """What flows may refer to outside themselves."""

    queues: frozenset[str] = frozenset()
    mailboxes: frozenset[str] = frozenset()
    extensions: frozenset[str] = frozenset()
    external_allowlist: frozenset[str] = frozenset()  # E.164 numbers
    # (language, sound name) -> exists?; None skips the check (no Asterisk sounds here).
    sound_exists: Callable[[str, str], bool] | None = None
    prompt_exists: Callable[[str, str], bool] | None = None
    # (flow, node) calls enter from outside the flow, e.g. a queue's overflow_node: reachable.
    entry_points: frozenset[tuple[str, str]] = frozenset()
    # Where the configuration sends calls, {what sends them: flow}: each flow must exist.
    routed: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # The [[lookups]] endpoints a lookup node may name.
    lookups: frozenset[str] = frozenset()


def validate_flows(flows: Iterable[tuple[Flow, _Positions]], ctx: FlowContext) -> list[FlowIssue]:
    pairs = list(flows)
    names = {f.name for f, _ in pairs}
    # Variables carry over a goto: one set in any flow may be used in another.
    known = {CALLER} | {var for f, _ in pairs for var in variables_set(f)}
    issues: list[FlowIssue] = []
    for flow, pos in pairs:
        issues += _validate(flow, pos, ctx, names)
        issues += _variables(flow, pos, known)
    return issues


def variables_set(flow: Flow) -> set[str]:
    """What the flow's nodes put in variables: collect, set and lookup."""
    out: set[str] = set()
    for node in flow.nodes.values():
        out |= ({node.var} if node.type == "collect" else set()) | set(node.vars)
        out |= set(node.mapping)
    return out


def _variables(flow: Flow, pos: _Positions, known: set[str]) -> list[FlowIssue]:
    """Every variable said, branched on or sent must be one some node sets."""
    issues = []
    for node in flow.nodes.values():
        base: tuple[str | int, ...] = ("nodes", node.id)
        used: list[tuple[tuple[str | int, ...], str]] = []
        for field in ("prompts", "invalid_prompts", "no_input_prompts", "ask_time"):
            prompts = getattr(node, field)
            used += [
                ((*base, field, i) if len(prompts) > 1 else (*base, field), p.value)
                for i, p in enumerate(prompts)
                if p.kind.startswith("say_")
            ]
        used += [
            ((*base, "cases", i), str(c.arg))
            for i, (c, _) in enumerate(node.cases)
            if c.kind in ("var_equals", "var_set")
        ]
        used += [((*base, "params", name), var) for name, var in node.params.items()]
        for path, var in used:
            if var not in known:
                line, col = pos.at(path)
                issues.append(
                    FlowIssue(
                        flow.source,
                        line,
                        col,
                        ".".join(map(str, path)),
                        "unset-variable",
                        f"variable {var!r} is set by no node (collect var, set vars or a "
                        "lookup's map)",
                    )
                )
    return issues


def _validate(flow: Flow, pos: _Positions, ctx: FlowContext, names: set[str]) -> list[FlowIssue]:
    issues: list[FlowIssue] = []

    def issue(path: tuple[str | int, ...], code: str, message: str) -> None:
        line, col = pos.at(path)
        issues.append(FlowIssue(flow.source, line, col, ".".join(map(str, path)), code, message))

    if flow.entry not in flow.nodes:
        issue(("entry",), "unknown-node", f"entry node {flow.entry!r} does not exist")
    for name, cal in flow.calendars.items():
        try:
            zoneinfo.ZoneInfo(cal.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            issue(
                ("calendars", name, "timezone"),
                "bad-timezone",
                f"unknown time zone {cal.timezone!r}",
            )
    languages = {flow.language} | {n.language for n in flow.nodes.values() if n.language}
    for node in flow.nodes.values():
        base = ("nodes", node.id)
        for field, target in node.targets():
            if target not in flow.nodes:
                path = (*base, *field.split("."))
                issue(
                    path,
                    "unknown-node",
                    f"goes to {target!r}, which is not a node of flow {flow.name!r}",
                )
        _check_node(node, base, ctx, names, flow, languages, issue)
    _reachability(flow, issue, {n for f, n in ctx.entry_points if f == flow.name})
    return issues


def _check_node(
    node: Node,
    base: tuple[str, ...],
    ctx: FlowContext,
    names: set[str],
    flow: Flow,
    languages: set[str],
    issue: Callable[..., None],
) -> None:
    if node.type in ("queue", "callback") and node.queue not in ctx.queues:
        issue(
            (*base, "queue"),
            "unknown-queue",
            f"queue {node.queue!r} is not defined (known: {', '.join(sorted(ctx.queues))})",
        )
    if node.type == "voicemail" and node.mailbox not in ctx.mailboxes:
        issue((*base, "mailbox"), "unknown-mailbox", f"mailbox {node.mailbox!r} is not defined")
    if node.type == "goto" and node.flow not in names:
        issue((*base, "flow"), "unknown-flow", f"flow {node.flow!r} is not loaded")
    if node.type == "transfer" and node.to not in ctx.extensions | ctx.external_allowlist:
        issue(
            (*base, "to"),
            "transfer-not-allowed",
            f"{node.to!r} is neither an agent extension nor an allowlisted number",
        )
    if node.type == "lookup" and node.endpoint not in ctx.lookups:
        _unknown_endpoint(node, base, ctx, issue)
    if node.type == "collect":
        if node.pattern:
            try:
                re.compile(node.pattern)
            except re.error as exc:
                issue((*base, "pattern"), "bad-pattern", f"invalid regular expression: {exc}")
        if node.min_length > node.max_length:
            issue(
                (*base, "min_length"),
                "bad-length",
                f"min_length {node.min_length} is above max_length {node.max_length}",
            )
    for cond, _ in node.cases:
        if cond.kind == "open" and cond.arg not in flow.calendars:
            issue((*base, "cases"), "unknown-calendar", f"calendar {cond.arg!r} is not defined")
        if cond.kind == "caller_matches":
            try:
                re.compile(str(cond.arg))
            except re.error as exc:
                issue((*base, "cases"), "bad-pattern", f"invalid regular expression: {exc}")
    _check_prompts(node, base, ctx, languages, issue)


def _check_prompts(
    node: Node,
    base: tuple[str, ...],
    ctx: FlowContext,
    languages: set[str],
    issue: Callable[..., None],
) -> None:
    for field, prompts in (
        ("prompts", node.prompts),
        ("invalid_prompts", node.invalid_prompts),
        ("no_input_prompts", node.no_input_prompts),
        ("ask_time", node.ask_time),
    ):
        for i, prompt in enumerate(prompts):
            missing = _missing_in(prompt, languages, ctx)
            if missing:
                issue(
                    (*base, field, i) if len(prompts) > 1 else (*base, field),
                    "missing-sound",
                    f"{prompt.kind} {prompt.value!r} has no file for "
                    f"language(s) {', '.join(sorted(missing))}",
                )


def _unknown_endpoint(
    node: Node, base: tuple[str, ...], ctx: FlowContext, issue: Callable[..., None]
) -> None:
    known = ", ".join(sorted(ctx.lookups)) or "none: add [[lookups]] to the configuration"
    issue(
        (*base, "endpoint"),
        "unknown-endpoint",
        f"lookup endpoint {node.endpoint!r} is not configured (known: {known})",
    )


def _missing_in(prompt: Prompt, languages: set[str], ctx: FlowContext) -> set[str]:
    check = {"sound": ctx.sound_exists, "prompt": ctx.prompt_exists}.get(prompt.kind)
    if check is None:
        return set()
    return {lang for lang in languages if not check(lang, prompt.value)}


def _reachability(flow: Flow, issue: Callable[..., None], entries: set[str]) -> None:
    if flow.entry not in flow.nodes:
        return
    seen: set[str] = set()
    stack = [flow.entry, *sorted(entries)]
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id not in flow.nodes:
            continue
        seen.add(node_id)
        stack += [t for _, t in flow.nodes[node_id].targets()]
    for node_id in flow.nodes:
        if node_id not in seen:
            issue(
                ("nodes", node_id),
                "unreachable-node",
                f"node {node_id!r} cannot be reached from entry {flow.entry!r}",
            )
    # A cycle through nodes that never wait for the caller would spin forever.
    silent = {
        n.id
        for n in flow.nodes.values()
        if n.type not in WAITS_FOR_INPUT and n.type not in ENDS_CALL
    }
    reported: set[str] = set()
    for start in sorted(silent & seen):
        path = _silent_cycle(flow, start, silent)
        if path and not reported & set(path):
            reported |= set(path)
            issue(
                ("nodes", start),
                "silent-loop",
                "loop that never waits for input: " + " -> ".join([*path, path[0]]),
            )


def _silent_cycle(flow: Flow, start: str, silent: set[str]) -> list[str] | None:
    def walk(node_id: str, trail: list[str]) -> list[str] | None:
        for _, target in flow.nodes[node_id].targets():
            if target == start:
                return trail
            if target in silent and target not in trail:
                found = walk(target, [*trail, target])
                if found:
                    return found
        return None

    return walk(start, [start])
