"""An agent's pause and wrap-up across the nodes of a cluster (pure).

app_queue keeps both in one Asterisk's memory. The node where an agent paused, unpaused
or finished a call writes it to the shared ``agent_holds`` row; every other node applies
it to its own Asterisk: the pause as it is, the wrap-up as a pause until it ends (the
node where the call was lets its own app_queue count the wrap-up). What a node applied
for another carries :data:`REMOTE` in its reason, so it is never written back.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

REMOTE = "cluster:"  # reason prefix of a pause applied for another node


@dataclasses.dataclass(frozen=True)
class AgentHold:
    """An agent's row: the latest pause (by whichever node) and the latest wrap-up."""

    agent: str
    paused: bool = False
    reason: str = ""
    node: str = ""  # where the pause or unpause was made
    wrap_until: datetime | None = None
    wrap_node: str = ""  # where the call that started the wrap-up was


@dataclasses.dataclass(frozen=True)
class Wanted:
    """What this node's Asterisk must show for the agent."""

    paused: bool
    reason: str = ""


def wanted_here(hold: AgentHold, me: str, now: datetime) -> Wanted | None:
    """What this node must show for the agent, or None: leave app_queue here alone (the
    row is this node's own doing, which its Asterisk shows already). Paused while they
    wrap up a call of another node, or while paused on another node; reasons of other
    nodes' making carry REMOTE."""
    if hold.wrap_until is not None and now < hold.wrap_until and hold.wrap_node != me:
        return Wanted(True, f"{REMOTE}wrap-up@{hold.wrap_node}")
    if hold.node == me:
        return None
    return Wanted(True, f"{REMOTE}{hold.reason}@{hold.node}") if hold.paused else Wanted(False)


def is_remote(reason: str) -> bool:
    """A pause this node applied for another (never published again)."""
    return reason.startswith(REMOTE)
