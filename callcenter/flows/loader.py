"""YAML → checked data → :class:`Flow`. Parse, then validate, never execute.

Contract: :func:`load_flow_text` returns ``(flow, issues)``; ``flow`` is None whenever any
issue is an error. Every issue carries the file, line, column and the node path. The YAML
is read safely: no tags, no anchors or aliases (alias bombs), at most ``MAX_BYTES``, no
duplicate keys (which YAML would otherwise silently overwrite — e.g. two menu options
for the same digit).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from importlib import resources
from typing import Any

import jsonschema
import yaml

from callcenter.flows.model import Flow, build_flow

MAX_BYTES = 256 * 1024
Path_ = tuple[str | int, ...]


@dataclasses.dataclass(frozen=True)
class FlowIssue:
    source: str
    line: int
    column: int
    path: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f" {self.path}:" if self.path else ""
        return f"{self.source}:{self.line}:{self.column}: [{self.code}]{where} {self.message}"


def schema() -> dict[str, Any]:
    text = resources.files("callcenter.flows").joinpath("flow.schema.json").read_text()
    result: dict[str, Any] = json.loads(text)
    return result


_VALIDATOR = jsonschema.Draft202012Validator(schema())
_STANDARD_TAG = "tag:yaml.org,2002:"


class _Positions:
    """Line/column (1-based) of every value, by its path in the document."""

    def __init__(self) -> None:
        self.marks: dict[Path_, tuple[int, int]] = {}

    def at(self, path: Path_) -> tuple[int, int]:
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))


def dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def _to_data(
    node: yaml.Node, path: Path_, pos: _Positions, issues: list[FlowIssue], source: str
) -> Any:
    pos.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _to_data(key_node, (*path, "<key>"), pos, issues, source)
            key = str(key) if isinstance(key, int | float | bool) else key
            if key in out:
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                issues.append(
                    FlowIssue(
                        source,
                        line,
                        col,
                        dotted((*path, key)),
                        "duplicate-key",
                        f"duplicate key {key!r}",
                    )
                )
            out[key] = _to_data(value_node, (*path, key), pos, issues, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(v, (*path, i), pos, issues, source) for i, v in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if node.tag == _STANDARD_TAG + "timestamp":
        return node.value  # dates stay text (holidays): no datetime surprises
    return yaml.constructor.SafeConstructor().construct_object(node)


def _unsafe(text: str, source: str) -> list[FlowIssue]:
    issues = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        mark = event.start_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            issues.append(
                FlowIssue(
                    source,
                    line,
                    col,
                    "",
                    "unsafe-yaml",
                    "anchors and aliases are not allowed in flow files",
                )
            )
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", True)
        explicit = tag is not None and not (
            implicit is True or (isinstance(implicit, tuple) and any(implicit))
        )
        if explicit and isinstance(event, yaml.NodeEvent):
            issues.append(
                FlowIssue(
                    source, line, col, "", "unsafe-yaml", f"YAML tags are not allowed ({tag})"
                )
            )
    return issues


def parse_yaml(text: str, source: str) -> tuple[Any, _Positions, list[FlowIssue]]:
    pos = _Positions()
    if len(text.encode()) > MAX_BYTES:
        return (
            None,
            pos,
            [
                FlowIssue(
                    source, 1, 1, "", "unsafe-yaml", f"file is larger than {MAX_BYTES // 1024} KiB"
                )
            ],
        )
    try:
        issues = _unsafe(text, source)
        if issues:
            return None, pos, issues
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return None, pos, [FlowIssue(source, line, col, "", "syntax", f"{exc.problem or exc}")]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a control one)
        before = text[: exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        message = f"character U+{exc.character:04X} is not allowed in YAML (a control character)"
        return None, pos, [FlowIssue(source, line, col, "", "syntax", message)]
    if root is None:
        return None, pos, [FlowIssue(source, 1, 1, "", "schema", "the file is empty")]
    issues = []
    data = _to_data(root, (), pos, issues, source)
    return data, pos, issues


def schema_issues(data: Any, pos: _Positions, source: str) -> list[FlowIssue]:
    issues = []
    for error in sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.path))):
        if error.validator in ("if", "allOf"):
            continue
        path = tuple(error.absolute_path)
        line, col = pos.at(path)
        issues.append(FlowIssue(source, line, col, dotted(path), "schema", _message(error)))
    return _dedupe(issues)


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "oneOf" and isinstance(error.instance, dict | str):
        return f"{error.instance!r} is not a valid prompt or value here"
    if error.validator == "enum" and error.path and error.path[-1] == "type":
        return f"unknown node type {error.instance!r}"
    return str(error.message)


def _dedupe(issues: list[FlowIssue]) -> list[FlowIssue]:
    seen: set[tuple[str, str]] = set()
    out = []
    for issue in issues:
        if (issue.path, issue.message) not in seen:
            seen.add((issue.path, issue.message))
            out.append(issue)
    return out


def load_flow_text(text: str, source: str) -> tuple[Flow | None, list[FlowIssue], _Positions]:
    """Parse and schema-check one file; semantic checks are :mod:`callcenter.flows.validate`."""
    data, pos, issues = parse_yaml(text, source)
    if data is None or issues:
        return None, issues, pos
    issues = schema_issues(data, pos, source)
    if issues:
        return None, issues, pos
    version = hashlib.sha256(text.encode()).hexdigest()[:12]
    return build_flow(data, source, version), [], pos
