"""A set of flows loaded and validated together (``goto`` crosses files).

Contract: :func:`load_catalog` returns a :class:`FlowSet` only when every file is free of
errors; otherwise None and every issue. The set is all-or-nothing, so a reload either
replaces the whole running set or leaves it untouched.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from callcenter.flows.loader import FlowIssue, load_flow_text
from callcenter.flows.model import Flow
from callcenter.flows.validate import FlowContext, validate_flows


@dataclasses.dataclass(frozen=True)
class FlowSet:
    flows: Mapping[str, Flow]
    version: str

    def __contains__(self, name: object) -> bool:
        return name in self.flows


def flow_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def load_catalog(
    files: Iterable[Path], ctx: FlowContext, base: Path | None = None
) -> tuple[FlowSet | None, list[FlowIssue]]:
    texts: list[tuple[str, str]] = []
    unreadable: list[FlowIssue] = []
    for path in files:
        source = str(path.relative_to(base)) if base and path.is_relative_to(base) else str(path)
        try:
            texts.append((source, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            unreadable.append(FlowIssue(source, 1, 1, "", "syntax", f"cannot read: {exc}"))
    flows, issues = load_texts(texts, ctx)
    return (flows, issues) if not unreadable else (None, unreadable + issues)


def load_texts(
    texts: Iterable[tuple[str, str]], ctx: FlowContext
) -> tuple[FlowSet | None, list[FlowIssue]]:
    """The set of flows ``texts`` — (source, YAML) pairs — make, checked together (the
    editor checks a draft this way: the files on disk with one of them replaced)."""
    loaded = []
    issues: list[FlowIssue] = []
    seen: dict[str, str] = {}
    for source, text in texts:
        flow, file_issues, pos = load_flow_text(text, source)
        issues += file_issues
        if flow is None:
            continue
        if flow.name in seen:
            issues.append(
                FlowIssue(
                    source,
                    *pos.at(("name",)),
                    "name",
                    "duplicate-flow",
                    f"flow {flow.name!r} is also defined in {seen[flow.name]}",
                )
            )
            continue
        seen[flow.name] = source
        loaded.append((flow, pos))
    issues += validate_flows(loaded, ctx)
    issues += [
        FlowIssue(
            "(configuration)",
            1,
            1,
            origin,
            "unknown-flow",
            f"calls go to flow {flow!r}, which no file defines (flows: {', '.join(sorted(seen))})",
        )
        for origin, flow in ctx.routed.items()
        if flow not in seen
    ]
    if issues:
        return None, issues
    digest = hashlib.sha256("".join(f.version for f, _ in loaded).encode()).hexdigest()[:12]
    return FlowSet({f.name: f for f, _ in loaded}, digest), []
