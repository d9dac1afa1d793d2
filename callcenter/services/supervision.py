"""Listen, whisper, barge: a supervisor's phone joins an agent's live call.

The board's button rings the supervisor's phone; answered, it runs the same dialplan as
the phone's feature codes (*222 listen, *223 whisper, *224 barge + the agent's extension),
where the calling endpoint is checked against the supervisors and ChanSpy gets the agent's
exact channel. So the rule lives in one place, and holds with the daemon down too.
"""

from __future__ import annotations

import enum
import logging
from typing import Protocol

log = logging.getLogger(__name__)


class SpyMode(enum.StrEnum):
    LISTEN = "listen"  # nobody hears the supervisor
    WHISPER = "whisper"  # only the agent does
    BARGE = "barge"  # agent and caller do


FEATURE_CODES = {SpyMode.LISTEN: "*222", SpyMode.WHISPER: "*223", SpyMode.BARGE: "*224"}


class SupervisionError(ValueError):
    """A phone that is not a supervisor's, or an agent we do not know; names the culprit."""


class PhoneDialer(Protocol):
    async def ring_into(self, phone: str, context: str, exten: str, caller_name: str) -> None: ...


class Supervision:
    def __init__(self, dialer: PhoneDialer, supervisors: frozenset[str]) -> None:
        self._dialer, self._supervisors = dialer, supervisors

    @property
    def phones(self) -> list[str]:
        return sorted(self._supervisors)

    async def join(self, agent: str, mode: SpyMode, phone: str, by: str) -> str:
        """Ring supervisor ``phone``; answered, it hears the agent's call as ``mode`` says.
        Returns the dialled code. Raises SupervisionError, TelephonyError."""
        if phone not in self._supervisors:
            raise SupervisionError(f"phone: {phone!r} is not a supervisor's (dialplan.supervisors)")
        if agent in self._supervisors:
            raise SupervisionError(f"agent: {agent!r} is a supervisor's phone")
        code = FEATURE_CODES[mode] + agent
        await self._dialer.ring_into(phone, "agents", code, f"{mode.value} {agent}")
        log.info("%s: phone %s rung to %s agent %s (%s)", by, phone, mode.value, agent, code)
        return code
