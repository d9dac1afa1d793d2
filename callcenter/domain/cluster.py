"""Nodes of a cluster and the leases that let them take work (pure).

A node is one Asterisk with its daemon. Every daemon keeps a row in ``nodes``: joining
bumps the row's ``epoch`` (the fencing counter) and every claim the daemon makes carries
(node, epoch). A heartbeat renews the node's lease; a node whose lease lapsed takes no new
work, and its claims may be taken over by another node. A daemon that comes back joins
again with a new epoch, so whatever it claimed before is refused to it: it cannot act on
work someone else may have taken over meanwhile.

State machine (each transition is logged by the service):
``starting → active`` (joined) · ``active → lapsed`` (renewal failed past the lease, or
the row's epoch moved: another process joined as this node) · ``lapsed → active`` (joined
again, new epoch) · ``* → stopped``.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime, timedelta


class NodeState(enum.StrEnum):
    STARTING = "starting"
    ACTIVE = "active"  # holds a lease: may claim work
    LAPSED = "lapsed"  # lease gone: takes no new work until it joins again
    STOPPED = "stopped"


TRANSITIONS: dict[NodeState, frozenset[NodeState]] = {
    NodeState.STARTING: frozenset({NodeState.ACTIVE, NodeState.LAPSED, NodeState.STOPPED}),
    NodeState.ACTIVE: frozenset({NodeState.LAPSED, NodeState.STOPPED}),
    NodeState.LAPSED: frozenset({NodeState.ACTIVE, NodeState.STOPPED}),
    NodeState.STOPPED: frozenset(),
}


class ClusterError(ValueError):
    """A cluster setting or a node transition that cannot be; the message names it."""


def transition(current: NodeState, new: NodeState) -> NodeState:
    if new not in TRANSITIONS[current]:
        raise ClusterError(f"node state {current.value} -> {new.value} is not a transition")
    return new


@dataclasses.dataclass(frozen=True)
class Owner:
    """Who holds a claim: the node and the epoch it joined with (the fence)."""

    node: str
    epoch: int

    def __str__(self) -> str:
        return f"{self.node}@{self.epoch}"


@dataclasses.dataclass(frozen=True)
class NodeLease:
    """A node's row as the store has it."""

    node: str
    epoch: int
    state: NodeState
    started_at: datetime
    beat_at: datetime
    lease_until: datetime
    queues: tuple[str, ...] = ()  # the queues whose work it takes (empty: all)

    def lapsed(self, now: datetime) -> bool:
        return self.state is not NodeState.ACTIVE or now >= self.lease_until


@dataclasses.dataclass(frozen=True)
class LeasePolicy:
    """``lease``: how long a renewal holds; renewals come every ``lease / 3`` so one lost
    renewal does not lapse a healthy node."""

    lease: timedelta = timedelta(seconds=10)

    def __post_init__(self) -> None:
        if self.lease < timedelta(seconds=1):
            raise ClusterError(f"cluster.lease_seconds: {self.lease.total_seconds()} < 1")

    @property
    def beat_every(self) -> float:
        return self.lease.total_seconds() / 3

    def until(self, now: datetime) -> datetime:
        return now + self.lease


@dataclasses.dataclass(frozen=True)
class NodeClaims:
    """Open callbacks a node holds: placeholders waiting for an agent, customers dialled."""

    node: str
    waiting: int = 0
    dialing: int = 0


@dataclasses.dataclass(frozen=True)
class ClusterView:
    """What a node sees of the cluster: itself, every node's lease, and their claims."""

    me: str
    state: NodeState
    epoch: int | None
    nodes: tuple[NodeLease, ...]
    claims: tuple[NodeClaims, ...]
    now: datetime
    taken_over: int = 0  # callbacks this node took over from lapsed nodes since it started
    lost_calls: int = 0  # calls of failed nodes this node recorded lost since it started

    def claims_of(self, node: str) -> NodeClaims:
        return next((c for c in self.claims if c.node == node), NodeClaims(node))


NODE_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def check_node_id(node: str) -> str:
    """A node id: 1-32 of ``a-z 0-9 -`` (it appears in logs, URLs and claim rows)."""
    if not node or len(node) > 32 or not set(node) <= NODE_ID_CHARS:
        raise ClusterError(f"cluster.node: {node!r} is not 1-32 of a-z, 0-9 and '-'")
    return node


def serves(queues: tuple[str, ...], queue: str) -> bool:
    """Whether a node serving ``queues`` (empty: every queue) takes ``queue``'s work."""
    return not queues or queue in queues


@dataclasses.dataclass(frozen=True)
class NodeAddress:
    """Where a node's Asterisk takes SIP (the front sends each partition there)."""

    node: str
    host: str
    port: int

    @property
    def uri(self) -> str:
        return f"sip:{self.host}:{self.port}"


@dataclasses.dataclass(frozen=True)
class Partition:
    """A virtual number (its flows and queues) and its nodes: home first, then standbys."""

    number: str
    nodes: tuple[str, ...]


def node_addresses(entries: tuple[str, ...]) -> tuple[NodeAddress, ...]:
    """``cluster.nodes``: ``NODE=HOST:PORT`` each (an IPv4 address: the front's probes and
    the nodes' trust go by address)."""
    found: list[NodeAddress] = []
    for entry in entries:
        node, _, where = entry.partition("=")
        host, _, port = where.rpartition(":")
        parts = host.split(".")
        ok_host = len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)
        if not ok_host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ClusterError(f"cluster.nodes: {entry!r} is not NODE=IPV4:PORT")
        check_node_id(node)
        if any(n.node == node for n in found):
            raise ClusterError(f"cluster.nodes: {node!r} is listed twice")
        found.append(NodeAddress(node, host, int(port)))
    return tuple(found)


def partitions(entries: tuple[str, ...], nodes: tuple[NodeAddress, ...]) -> tuple[Partition, ...]:
    """``cluster.partitions``: ``NUMBER=HOME/STANDBY…`` each, every node in ``nodes``."""
    known = {n.node for n in nodes}
    found: list[Partition] = []
    for entry in entries:
        number, _, listed = entry.partition("=")
        members = tuple(n for n in listed.split("/") if n)
        if not number.isdigit() or not 2 <= len(number) <= 15 or not members:
            raise ClusterError(f"cluster.partitions: {entry!r} is not NUMBER=HOME/STANDBY")
        unknown = [n for n in members if n not in known]
        if unknown:
            raise ClusterError(f"cluster.partitions: {entry!r} names {unknown[0]!r}, not a node")
        if len(set(members)) != len(members) or any(p.number == number for p in found):
            raise ClusterError(f"cluster.partitions: {entry!r} repeats a node or a number")
        found.append(Partition(number, members))
    return tuple(found)
