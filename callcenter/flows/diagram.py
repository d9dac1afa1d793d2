"""A flow as a diagram: Mermaid (renders in GitHub and most editors) or Graphviz dot."""

from __future__ import annotations

from callcenter.flows.model import Flow, Node

_SHAPES = {"menu": ("{", "}"), "collect": ("{", "}"), "branch": ("{{", "}}")}


def _label(node: Node) -> str:
    extra = {
        "queue": node.queue,
        "voicemail": node.mailbox,
        "callback": node.queue,
        "transfer": node.to,
        "goto": node.flow,
        "language": node.language,
        "collect": node.var,
    }.get(node.type, "")
    return f"{node.id}<br/>{node.type}" + (f" {extra}" if extra else "")


def mermaid(flow: Flow) -> str:
    lines = ["flowchart TD", f"  start((call)) --> {flow.entry}"]
    for node in flow.nodes.values():
        left, right = _SHAPES.get(node.type, ("[", "]"))
        lines.append(f'  {node.id}{left}"{_label(node)}"{right}')
        for field, target in node.targets():
            edge = field.removeprefix("options.").removeprefix("cases.")
            lines.append(f"  {node.id} -->|{edge}| {target}")
    return "\n".join(lines) + "\n"


def dot(flow: Flow) -> str:
    lines = [
        f'digraph "{flow.name}" {{',
        "  rankdir=TB;",
        "  node [fontname=sans];",
        '  "__call" [shape=circle label="call"];',
        f'  "__call" -> "{flow.entry}";',
    ]
    for node in flow.nodes.values():
        shape = (
            "diamond"
            if node.type in ("branch",)
            else ("box3d" if node.type in ("menu", "collect") else "box")
        )
        label = _label(node).replace("<br/>", "\\n")
        lines.append(f'  "{node.id}" [shape={shape} label="{label}"];')
        for field, target in node.targets():
            edge = field.removeprefix("options.").removeprefix("cases.")
            lines.append(f'  "{node.id}" -> "{target}" [label="{edge}"];')
    return "\n".join([*lines, "}"]) + "\n"
