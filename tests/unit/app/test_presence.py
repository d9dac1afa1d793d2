"""Logins made through another node: this node's members follow, even when the other
node's login is committed while this node's resync is running (the race a cluster test
caught: the login was taken as followed and never applied)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from callcenter.app.presence import PresenceWiring
from callcenter.config import load_config
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.db_threads import DbThreads


class Node:
    """The shared store's logged-in set and this node's app_queue members."""

    def __init__(self) -> None:
        self.store: set[str] = {"1001"}
        self.members: set[str] = {"1001"}
        self.resyncs = 0
        self.during_resync: set[str] = set()  # logged in elsewhere while a resync runs

    async def logged_in(self) -> frozenset[str]:
        return frozenset(self.store)

    async def resync(self) -> None:
        self.resyncs += 1
        self.members = set(self.store)  # read the store first …
        self.store |= self.during_resync  # … then the other node commits its login
        self.during_resync = set()

    async def status(self) -> list[Any]:
        return [SimpleNamespace(members=[SimpleNamespace(agent=a) for a in self.members])]


async def test_a_login_committed_during_a_resync_is_followed_next_time(tmp_path: Path) -> None:
    node = Node()
    threads = DbThreads(1)
    wiring = PresenceWiring(
        load_config(None, environ={}),
        make_sessions(make_engine(f"sqlite:///{tmp_path / 'x.db'}")),
        threads,
        cast(Any, None),
        cast(Any, node),
        {},
        lambda: True,
        node.logged_in,
        node.resync,
    )
    try:
        await wiring._follow_logins()  # the first look resyncs
        node.store.discard("1001")  # a logout here …
        node.during_resync = {"1002"}  # … and another node's login meanwhile
        await wiring._follow_logins()
        assert node.members == set()  # the resync saw the store before the login
        await wiring._follow_logins()
        assert node.members == {"1002"}  # followed on the next look
        resyncs = node.resyncs
        await wiring._follow_logins()
        await wiring._follow_logins()
        assert node.resyncs <= resyncs + 1  # and then quiet (at most one idle resync)
    finally:
        threads.close()
