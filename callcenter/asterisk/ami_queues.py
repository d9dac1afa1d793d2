"""Queue control over AMI: pause/unpause members, and QueueStatus as QueueSnapshots.

Contract: raises TelephonyError (naming the action and Asterisk's message) when AMI is down
or Asterisk refuses; values are checked for CR/LF by :meth:`AmiClient.send`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_events import agent_extension
from callcenter.domain.queue_view import DEVICE_STATES, MemberState, QueueSnapshot, WaitingCaller


class AmiQueues:
    def __init__(self, ami: AmiClient) -> None:
        self._ami = ami

    async def _send(self, action: dict[str, str], as_list: bool | None = False) -> Any:
        return await self._ami.checked(action, as_list)

    async def pause(self, agent: str, paused: bool, reason: str = "") -> None:
        """Pause (or unpause) the agent in every queue they are a member of."""
        action = {
            "Action": "QueuePause",
            "Interface": f"PJSIP/{agent}",
            "Paused": str(paused).lower(),
        }
        if reason:
            action["Reason"] = reason
        await self._send(action)

    async def join(
        self, agent: str, queue: str, penalty: int, paused: bool = False, reason: str = ""
    ) -> None:
        """Add the agent to ``queue`` as a dynamic member (kept by persistentmembers)."""
        action = {
            "Action": "QueueAdd",
            "Queue": queue,
            "Interface": f"PJSIP/{agent}",
            "Penalty": str(penalty),
            "Paused": str(paused).lower(),
            "MemberName": f"Agent {agent}",
        }
        if paused and reason:
            action["Reason"] = reason
        await self._send(action)

    async def leave(self, agent: str, queue: str) -> None:
        await self._send({"Action": "QueueRemove", "Queue": queue, "Interface": f"PJSIP/{agent}"})

    async def set_penalty(self, agent: str, queue: str, penalty: int) -> None:
        await self._send(
            {
                "Action": "QueuePenalty",
                "Queue": queue,
                "Interface": f"PJSIP/{agent}",
                "Penalty": str(penalty),
            }
        )

    async def answer_request(self, channel: str, result: str) -> None:
        """Tell a feature-code call waiting in the dialplan how its request went (it reads
        CC_AGENT_RESULT and plays the matching prompt)."""
        await self._send(
            {"Action": "Setvar", "Channel": channel, "Variable": "CC_AGENT_RESULT", "Value": result}
        )

    async def whisper(self, channel: str, position: int, minutes: int) -> None:
        """Tell the caller on ``channel`` (waiting in a queue, hearing music) their position
        and wait, without taking them out of the queue: a Local channel plays the words
        (dialplan callcenter-whisper) into ChanSpy's whisper to that channel."""
        await self._send(
            {
                "Action": "Originate",
                "Channel": f"Local/{position}-{minutes}@callcenter-whisper/n",
                "Application": "ChanSpy",
                "Data": f"{channel},qwE",
                "CallerID": "callcenter <whisper>",
                # The words go into the caller's recording too (callcenter-side-record).
                "Variable": f"CC_WHISPER_TO={channel}",
                "Async": "true",
                "Timeout": "5000",
            }
        )

    async def status(self, queue: str = "") -> list[QueueSnapshot]:
        action = {"Action": "QueueStatus", **({"Queue": queue} if queue else {})}
        reply = await self._send(action, as_list=None)
        return snapshots(reply if isinstance(reply, list) else [reply])

    async def ring_into(self, phone: str, context: str, exten: str, caller_name: str) -> None:
        """Ring ``PJSIP/<phone>``; answered, it runs ``exten@context`` (the dialplan checks
        who it is). Asynchronous: Asterisk answers before the phone is picked up."""
        await self._send(
            {
                "Action": "Originate",
                "Channel": f"PJSIP/{phone}",
                "Context": context,
                "Exten": exten,
                "Priority": "1",
                "CallerID": f'"{caller_name}" <{exten}>',
                "Timeout": "30000",
                "Async": "true",
            }
        )


def snapshots(events: Iterable[Mapping[str, str]]) -> list[QueueSnapshot]:
    """QueueParams / QueueMember / QueueEntry events → one snapshot per queue."""
    queues: dict[str, tuple[list[WaitingCaller], list[MemberState]]] = {}
    for e in events:
        kind, queue = e.get("Event", ""), e.get("Queue", "")
        if not queue or kind not in ("QueueParams", "QueueMember", "QueueEntry"):
            continue
        waiting, members = queues.setdefault(queue, ([], []))
        if kind == "QueueMember":
            members.append(
                MemberState(
                    agent=agent_extension(
                        {"Interface": e.get("Location", "") or e.get("StateInterface", "")}
                    ),
                    paused=e.get("Paused") == "1",
                    pause_reason=e.get("PausedReason", ""),
                    in_call=e.get("InCall") == "1",
                    device=DEVICE_STATES.get(e.get("Status", "0"), "unknown"),
                    calls_taken=int(e.get("CallsTaken", "0") or 0),
                    penalty=int(e.get("Penalty", "0") or 0),
                    dynamic=e.get("Membership", "dynamic") != "static",
                    last_call=float(e.get("LastCall", "0") or 0),
                    last_pause=float(e.get("LastPause", "0") or 0),
                )
            )
        elif kind == "QueueEntry":
            waiting.append(
                WaitingCaller(
                    call_id=e.get("Uniqueid", ""),
                    caller=e.get("CallerIDNum", ""),
                    position=int(e.get("Position", "0") or 0),
                    wait=float(e.get("Wait", "0") or 0),
                    channel=e.get("Channel", ""),
                    priority=int(e.get("Priority", "0") or 0),
                )
            )
    return [
        QueueSnapshot(
            q, tuple(sorted(w, key=lambda c: c.position)), tuple(sorted(m, key=lambda x: x.agent))
        )
        for q, (w, m) in sorted(queues.items())
    ]
