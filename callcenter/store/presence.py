"""The agent-holds store on SQLAlchemy: one row an agent, written by the node where the
agent paused, unpaused or finished a call; read by every node each second."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.presence import AgentHold
from callcenter.store.callback_claims import optional_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import AgentHoldRow


class SqlAgentHolds:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def pause(self, agent: str, paused: bool, reason: str, node: str, now: datetime) -> bool:
        """The agent's pause as ``node`` saw it made; False when the row said so already."""
        return await self._threads.run(
            "holds.pause",
            self._write,
            agent,
            now,
            {"paused": paused, "reason": reason[:80], "node": node},
        )

    async def wrap(self, agent: str, until: datetime, node: str, now: datetime) -> bool:
        """The agent wraps up a call of ``node`` until ``until``."""
        return await self._threads.run(
            "holds.wrap", self._write, agent, now, {"wrap_until": until, "wrap_node": node}
        )

    def _write(self, agent: str, now: datetime, fields: dict[str, object]) -> bool:
        for _ in range(3):  # two nodes writing a new agent's first row at once
            try:
                with self._sessions.begin() as s:
                    row = s.get(AgentHoldRow, agent, with_for_update=True)
                    if row is None:
                        row = AgentHoldRow(agent=agent, changed_at=now)
                        s.add(row)
                    elif all(getattr(row, k) == v for k, v in fields.items()):
                        return False
                    for name, value in fields.items():
                        setattr(row, name, value)
                    row.changed_at = now
                    return True
            except IntegrityError:
                continue
        raise RuntimeError(f"agent {agent}: hold not written (its row kept changing)")

    async def holds(self) -> list[AgentHold]:
        return await self._threads.run("holds.list", self.holds_sync)

    def holds_sync(self) -> list[AgentHold]:
        with self._sessions() as s:
            return [
                AgentHold(
                    agent=r.agent,
                    paused=r.paused,
                    reason=r.reason,
                    node=r.node,
                    wrap_until=optional_utc(r.wrap_until),
                    wrap_node=r.wrap_node,
                )
                for r in s.scalars(select(AgentHoldRow).order_by(AgentHoldRow.agent))
            ]
