"""Features that plug in: each declares what it needs and what it provides; the daemon
assembles them from one list, in an order derived from those declarations.

A :class:`Feature` names the :class:`Slot` s it needs (built by the daemon's core or by
other features) and the ones it provides; its ``build`` reads what it needs from
:class:`Parts`, puts what it provides there, and tells the daemon through its :class:`Plug`
what it adds: services under the HTTP application's keys (their API routes and pages come
with them), typed AMI events it listens to (the one router), ARI's call events, what runs
after every AMI login or ARI connect, its background tasks, its ``/healthz`` parts, the
in-process events it listens to, and what to close at the end.

:func:`assemble` orders the features (stable: the list's order wherever the declarations
allow), refuses to start naming the missing piece when a need has no provider, a feature
that did not provide what it declared, or a cycle, and builds them.
(Composition root.)
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from aiohttp import web

from callcenter.asterisk.ami_router import AmiRouter
from callcenter.http.api_routes import Route
from callcenter.http.page import Page

T = TypeVar("T")
E = TypeVar("E")
Hook = Callable[[], Awaitable[None]]
Listener = Callable[[Mapping[str, Any]], Awaitable[None]]


class FeatureError(RuntimeError):
    """The feature list cannot be assembled; the message names the feature and the piece."""


@dataclasses.dataclass(frozen=True, eq=False)
class Slot(Generic[T]):
    """A named thing one feature provides and others need."""

    name: str

    def __repr__(self) -> str:
        return self.name


class Parts:
    """What is built so far, by slot."""

    def __init__(self) -> None:
        self._values: dict[Slot[Any], Any] = {}

    def __getitem__(self, slot: Slot[T]) -> T:
        try:
            return self._values[slot]  # type: ignore[no-any-return]
        except KeyError:
            raise FeatureError(f"{slot.name!r} is not built yet") from None

    def __contains__(self, slot: Slot[Any]) -> bool:
        return slot in self._values

    def provide(self, slot: Slot[T], value: T) -> None:
        if slot in self._values:
            raise FeatureError(f"{slot.name!r} is provided twice")
        self._values[slot] = value


@dataclasses.dataclass
class Contributions:
    """What all features added, each item with the feature that added it, in order."""

    router: AmiRouter
    services: dict[web.AppKey[Any], Any] = dataclasses.field(default_factory=dict)
    call_sinks: list[tuple[str, Callable[[Any], None]]] = dataclasses.field(default_factory=list)
    ami_login: list[tuple[str, Hook]] = dataclasses.field(default_factory=list)
    ari_connected: list[tuple[str, Hook]] = dataclasses.field(default_factory=list)
    tasks: list[tuple[str, Callable[[], list[asyncio.Task[None]]]]] = dataclasses.field(
        default_factory=list
    )
    health: dict[str, Callable[[], Awaitable[bool]]] = dataclasses.field(default_factory=dict)
    listeners: list[tuple[str, str, Listener]] = dataclasses.field(default_factory=list)
    any_listeners: list[tuple[str, Callable[[str, Mapping[str, Any]], None]]] = dataclasses.field(
        default_factory=list
    )
    stoppers: list[tuple[str, Hook]] = dataclasses.field(default_factory=list)
    closers: list[tuple[str, Callable[[], Awaitable[None] | None]]] = dataclasses.field(
        default_factory=list
    )


class Plug:
    """One feature's way to tell the daemon what it adds (see the module's docstring)."""

    def __init__(self, feature: str, into: Contributions) -> None:
        self.feature, self._c = feature, into

    def serve(self, key: web.AppKey[T], service: T) -> None:
        if key in self._c.services:
            raise FeatureError(f"feature {self.feature!r}: HTTP key {key} is served twice")
        self._c.services[key] = service

    def on_ami(self, kind: type[E], handler: Callable[[E, float], None]) -> None:
        self._c.router.subscribe(self.feature, kind, handler)

    def redeliver(self, event: Any) -> None:
        """An AMI event recovered from Asterisk's own record (it never came over AMI):
        delivered to every feature that listens, as if it had come."""
        self._c.router.deliver(event, time.monotonic())

    def on_call_event(self, sink: Callable[[Any], None]) -> None:
        self._c.call_sinks.append((self.feature, sink))

    def after_ami_login(self, hook: Hook) -> None:
        self._c.ami_login.append((self.feature, hook))

    def after_ari_connect(self, hook: Hook) -> None:
        self._c.ari_connected.append((self.feature, hook))

    def run(self, tasks: Callable[[], list[asyncio.Task[None]]]) -> None:
        self._c.tasks.append((self.feature, tasks))

    def health(self, name: str, probe: Callable[[], Awaitable[bool]]) -> None:
        self._c.health[name] = probe

    def listen(self, kind: str, listener: Listener) -> None:
        self._c.listeners.append((self.feature, kind, listener))

    def listen_all(self, wake: Callable[[str, Mapping[str, Any]], None]) -> None:
        """``wake`` is told of every in-process event at once, synchronously."""
        self._c.any_listeners.append((self.feature, wake))

    def on_stop(self, hook: Hook) -> None:
        """Run first when the daemon stops, before any task is cancelled."""
        self._c.stoppers.append((self.feature, hook))

    def on_close(self, close: Callable[[], Awaitable[None] | None]) -> None:
        self._c.closers.append((self.feature, close))


@dataclasses.dataclass(frozen=True)
class Feature:
    name: str
    needs: tuple[Slot[Any], ...]
    provides: tuple[Slot[Any], ...]
    build: Callable[[Parts, Plug], None]
    routes: tuple[Route, ...] = ()  # its API routes (and so its part of the OpenAPI document)
    pages: tuple[Page, ...] = ()  # its pages, shown when the service of each page's key is


def order(features: Sequence[Feature], given: Iterable[Slot[Any]]) -> list[Feature]:
    """The features in an order where each comes after what provides its needs."""
    providers: dict[Slot[Any], str] = {slot: "the daemon" for slot in given}
    for f in features:
        for slot in f.provides:
            if slot in providers:
                raise FeatureError(
                    f"{slot.name!r} is provided by both {providers[slot]!r} and {f.name!r}"
                )
            providers[slot] = f.name
    for f in features:
        for slot in f.needs:
            if slot not in providers:
                raise FeatureError(
                    f"feature {f.name!r} needs {slot.name!r}, which no feature provides"
                )
    done: set[Slot[Any]] = set(given)
    left, ordered = list(features), []
    while left:
        ready = next((f for f in left if all(s in done for s in f.needs)), None)
        if ready is None:
            names = ", ".join(f"{f.name} (needs {[s.name for s in f.needs]})" for f in left)
            raise FeatureError(f"features wait on each other: {names}")
        left.remove(ready)
        ordered.append(ready)
        done.update(ready.provides)
    return ordered


def assemble(features: Sequence[Feature], parts: Parts, into: Contributions) -> list[Feature]:
    """Build ``features`` in their derived order; the order built."""
    ordered = order(features, [s for s in list(parts._values)])
    for f in ordered:
        f.build(parts, Plug(f.name, into))
        for slot in f.provides:
            if slot not in parts:
                raise FeatureError(f"feature {f.name!r} did not provide {slot.name!r}")
    return ordered
