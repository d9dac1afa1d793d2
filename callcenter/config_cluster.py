"""``[cluster]``: several nodes on one database behind the SIP front (docs/admin-guide.md,
"More than one machine"). Pure data, as the other sections (config_sections.py)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ClusterConfig:
    # This node's id in the shared database's ``nodes`` (its claims carry it). One node
    # is the embedded default: nothing else changes for a single machine.
    node: str = "main"
    # How long a heartbeat holds the node's lease: a node silent this long takes no new
    # work, and the others take over its claims (callbacks waiting for an agent).
    lease_seconds: float = 10.0
    # The queues whose work (callback placeholders) this node takes; empty: every queue.
    queues: tuple[str, ...] = ()
    # The SIP front (Kamailio, ``callcenter cluster front up``): where callers reach it,
    # every node's Asterisk (``NODE=IPV4:PORT``), and each virtual number's nodes, home
    # first (``NUMBER=HOME/STANDBY``). A number whose home node stops answering probes
    # (every ``probe_seconds``) is sent to the next node of its list.
    front_bind: str = "127.0.0.2"
    front_port: int = 5070
    nodes: tuple[str, ...] = ()
    partitions: tuple[str, ...] = ()
    probe_seconds: int = 1
    # Agents' phones register at the front; the nodes ring them through it (each agent's
    # contact on every node is sip:EXT@front), so any node can ring any agent.
    agents_at_front: bool = False
    # Callers whose node failed under them get a callback: in their call's queue, or this
    # one for calls that had not reached a queue ("": the first of dialplan.queues).
    lost_calls_queue: str = ""
