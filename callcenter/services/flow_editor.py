"""Flows edited in the browser: a draft is checked with the same loader and validator as the
files (every problem at its line and column, the whole set checked together: a ``goto`` to
another file counts), simulated, drawn; publishing writes the file atomically, records the
version and makes the running daemon take it at once. Calls in progress keep the version
they started with. Every version is kept: read, compared, restored (rollback publishes an
earlier text as a new version)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from callcenter.domain.flow_versions import FROM_DISK, FlowVersion, diff
from callcenter.flows.catalog import FlowSet, flow_files, load_texts
from callcenter.flows.loader import FlowIssue
from callcenter.flows.simulate import simulate
from callcenter.flows.validate import FlowContext
from callcenter.services.flow_registry import FlowRegistry
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)

FILE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,60}\.ya?ml")


class FlowDraftError(ValueError):
    """A draft that cannot be published: a bad file name, or the problems found in it."""

    def __init__(self, message: str, issues: list[FlowIssue] | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []


class FlowVersionStore(Protocol):
    async def record(
        self, file: str, content: str, by: str, note: str, now: datetime
    ) -> tuple[FlowVersion, bool]: ...

    async def history(self, file: str, limit: int = 50) -> list[FlowVersion]: ...

    async def get(self, file: str, version_id: int) -> FlowVersion: ...


@dataclasses.dataclass(frozen=True)
class FlowFile:
    file: str
    text: str
    flows: tuple[str, ...]  # the flow names it defines (when it loads)


class FlowEditor:
    def __init__(
        self,
        directory: Path,
        ctx: FlowContext,
        registry: FlowRegistry,
        versions: FlowVersionStore,
        clock: Clock,
    ) -> None:
        self._dir = directory
        self._ctx = ctx
        self._registry = registry
        self._versions = versions
        self._clock = clock
        self._lock = asyncio.Lock()

    def _texts(self) -> dict[str, str]:
        return {p.name: p.read_text(encoding="utf-8") for p in flow_files(self._dir)}

    def files(self) -> list[FlowFile]:
        running = self._registry.current.flows
        out = []
        for name, text in self._texts().items():
            names = tuple(sorted(f for f, flow in running.items() if flow.source.endswith(name)))
            out.append(FlowFile(name, text, names))
        return out

    def text(self, file: str) -> str:
        texts = self._texts()
        if file not in texts:
            raise FlowDraftError(f"file {file!r}: no such flow file")
        return texts[file]

    def check(self, file: str, text: str) -> tuple[FlowSet | None, list[FlowIssue]]:
        """The set the files would make with ``file`` holding ``text``; problems found in
        any file (a draft can break another file's ``goto``)."""
        if FILE_NAME.fullmatch(file) is None:
            raise FlowDraftError(f"file {file!r}: a name like main.yaml (a-z, 0-9, _ or -)")
        texts = self._texts() | {file: text}
        return load_texts(sorted(texts.items()), self._ctx)

    async def publish(self, file: str, text: str, by: str, note: str = "") -> FlowVersion:
        """Check, write atomically, record and run ``text`` as ``file``."""
        async with self._lock:
            # Parsing and checking every file is CPU work: off the event loop.
            flows, issues = await asyncio.to_thread(self.check, file, text)
            if flows is None:
                raise FlowDraftError(f"{file}: {len(issues)} problem(s); nothing published", issues)
            await self.remember_disk()  # what was there before is kept too
            version, created = await self._versions.record(file, text, by, note, self._clock.now())
            if created or self._read(file) != text:
                self._write(file, text)
            refused = self._registry.reload()
            if refused:  # changed on disk meanwhile: the registry keeps what it ran
                raise FlowDraftError(f"{file}: refused on reload", refused)
            log.info("flow file %s published by %s as version %d", file, by, version.id)
            return version

    async def rollback(self, file: str, version_id: int, by: str) -> FlowVersion:
        old = await self._versions.get(file, version_id)
        return await self.publish(file, old.content, by, f"rollback to version {version_id}")

    async def history(self, file: str) -> list[FlowVersion]:
        await self.remember_disk()
        return await self._versions.history(file)

    async def version(self, file: str, version_id: int) -> FlowVersion:
        return await self._versions.get(file, version_id)

    async def diff(self, file: str, old_id: int, new_id: int) -> list[str]:
        return diff(await self._versions.get(file, old_id), await self._versions.get(file, new_id))

    async def remember_disk(self) -> None:
        """Record what the files hold now, if no version has that text yet (edited from
        the shell, or the first time the editor is used)."""
        for name, text in self._texts().items():
            await self._versions.record(name, text, FROM_DISK, "", self._clock.now())

    def simulate(
        self,
        file: str,
        text: str,
        flow: str,
        digits: list[str],
        caller: str,
        at: datetime,
        stubs: Mapping[str, Mapping[str, Any] | str] | None = None,
    ) -> list[str]:
        flows, issues = self.check(file, text)
        if flows is None:
            raise FlowDraftError(f"{file}: {len(issues)} problem(s); fix them first", issues)
        if flow not in flows.flows:
            raise FlowDraftError(f"flow {flow!r}: not in {', '.join(sorted(flows.flows))}")
        _, lines = simulate(
            flows.flows, flow, digits, at, caller, caller_known=bool(caller), stubs=stubs
        )
        return lines

    def graph(self, file: str, text: str) -> list[dict[str, Any]]:
        """Each flow of the draft as nodes and edges (the page draws them)."""
        flows, _ = self.check(file, text)
        if flows is None:
            return []
        out = []
        for flow in flows.flows.values():
            if not flow.source.endswith(file):
                continue
            nodes = [{"id": n.id, "type": n.type} for n in flow.nodes.values()]
            edges = [
                {"from": n.id, "to": target, "label": field.split(".")[-1]}
                for n in flow.nodes.values()
                for field, target in n.targets()
            ]
            out.append({"flow": flow.name, "entry": flow.entry, "nodes": nodes, "edges": edges})
        return out

    def _read(self, file: str) -> str:
        path = self._dir / file
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def _write(self, file: str, text: str) -> None:
        """Written whole or not at all: a temporary file beside it, flushed, renamed."""
        target = self._dir / file
        tmp = self._dir / f".{file}.publishing"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
