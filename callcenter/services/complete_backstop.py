"""The backstop for a lost AgentComplete.

app_queue's AgentComplete is what ends an answered call for the agent states (on_call →
available) and brings the talk time to the ticket. In loaded full-suite runs it was seen
missing for a call whose ``COMPLETECALLER`` line Asterisk had written to its queue_log:
the agent then stayed on_call until the next member resync, a logout was refused, and the
call's talk never reached its ticket. So: an answered call whose caller hung up and whose
AgentComplete has not come within ``grace`` seconds is looked up in Asterisk's own record
(``find``: its queue_log), and the event that was missed is delivered to every feature as
if AMI had sent it (``deliver``). Looked for a few times (the line is written as the call
ends); a call never found is said once. Contract: at most one recovery per call; a late
AgentComplete that does come first wins.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from callcenter.domain.queue_events import (
    AgentAnswered,
    AgentCallEnded,
    CallerAbandoned,
    CallerLeftQueue,
)
from callcenter.logs import call_id_var

log = logging.getLogger(__name__)

OPEN_CALLS = 5000  # answered calls followed at once; beyond, the oldest are forgotten
Completed = tuple[float, float, str]  # the queue_log's wait, talk and who ended it


class CompleteBackstop:
    def __init__(
        self,
        find: Callable[[str], Awaitable[Completed | None]],
        deliver: Callable[[AgentCallEnded], None],
        grace: float = 2.0,
        looks: int = 5,
    ) -> None:
        self._find, self._deliver = find, deliver
        self._grace, self._looks = grace, looks
        self._open: OrderedDict[str, AgentAnswered] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self.recovered = 0

    def seen(self, event: object) -> None:
        """Every queue event: an answer opens the call, its end (or none) closes it."""
        if isinstance(event, AgentAnswered):
            self._open[event.call_id] = event
            while len(self._open) > OPEN_CALLS:
                self._open.popitem(last=False)
        elif isinstance(event, AgentCallEnded | CallerAbandoned | CallerLeftQueue):
            self._open.pop(event.call_id, None)

    def caller_hung_up(self, call_id: str) -> None:
        if call_id in self._open:
            task = asyncio.create_task(self._recover(call_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _recover(self, call_id: str) -> None:
        token = call_id_var.set(call_id)
        try:
            for _ in range(self._looks):
                await asyncio.sleep(self._grace)
                answered = self._open.get(call_id)
                if answered is None:
                    return  # AgentComplete came after all
                found = await self._find(call_id)
                if found is not None:
                    self._open.pop(call_id, None)
                    self._deliver(_ended(answered, found))
                    self.recovered += 1
                    log.warning(
                        "AgentComplete of call %s never came over AMI; recovered from the"
                        " queue_log (agent %s, talk %.0f s, ended by %s)",
                        call_id,
                        answered.agent,
                        found[1],
                        found[2],
                    )
                    return
            log.warning("AgentComplete of call %s never came, nor its queue_log line", call_id)
            self._open.pop(call_id, None)
        except Exception:
            log.exception("AgentComplete of call %s not recovered", call_id)
        finally:
            call_id_var.reset(token)

    def state(self) -> dict[str, Any]:
        return {"open": len(self._open), "recovered": self.recovered}

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _ended(answered: AgentAnswered, found: Completed) -> AgentCallEnded:
    wait, talk, ended_by = found
    return AgentCallEnded(answered.call_id, answered.queue, answered.agent, wait, talk, ended_by)
