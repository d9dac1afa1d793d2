"""Node states, leases and node ids (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.cluster import (
    ClusterError,
    LeasePolicy,
    NodeLease,
    NodeState,
    Partition,
    check_node_id,
    node_addresses,
    partitions,
    serves,
    transition,
)

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_a_lapsed_node_must_join_again_to_be_active() -> None:
    assert transition(NodeState.ACTIVE, NodeState.LAPSED) is NodeState.LAPSED
    assert transition(NodeState.LAPSED, NodeState.ACTIVE) is NodeState.ACTIVE
    with pytest.raises(ClusterError, match="stopped -> active is not a transition"):
        transition(NodeState.STOPPED, NodeState.ACTIVE)


def test_a_lease_is_renewed_three_times_within_it() -> None:
    policy = LeasePolicy(timedelta(seconds=9))
    assert policy.beat_every == 3.0
    assert policy.until(NOW) == NOW + timedelta(seconds=9)
    with pytest.raises(ClusterError, match=r"cluster\.lease_seconds: 0\.5 < 1"):
        LeasePolicy(timedelta(seconds=0.5))


def test_a_node_is_live_until_its_lease_ends_and_only_while_active() -> None:
    lease = NodeLease("a", 3, NodeState.ACTIVE, NOW, NOW, NOW + timedelta(seconds=10))
    assert not lease.lapsed(NOW + timedelta(seconds=9.9))
    assert lease.lapsed(NOW + timedelta(seconds=10))
    stopped = NodeLease("a", 3, NodeState.STOPPED, NOW, NOW, NOW + timedelta(seconds=10))
    assert stopped.lapsed(NOW)


@pytest.mark.parametrize("bad", ["", "A", "node_1", "x" * 33, "a b"])
def test_a_node_id_names_the_rule(bad: str) -> None:
    with pytest.raises(ClusterError, match=r"cluster\.node"):
        check_node_id(bad)


def test_a_node_with_no_queues_serves_every_queue() -> None:
    assert check_node_id("node-2") == "node-2"
    assert serves((), "support")
    assert serves(("sales",), "sales")
    assert not serves(("sales",), "support")


@pytest.mark.parametrize(
    ("nodes", "parts", "culprit"),
    [
        (("a=localhost:5060",), (), "'a=localhost:5060' is not NODE=IPV4:PORT"),
        (("a=127.0.0.1:0",), (), "is not NODE=IPV4:PORT"),
        (("a=127.0.0.1:5060", "a=127.0.0.1:5062"), (), "'a' is listed twice"),
        (("a=127.0.0.1:5060",), ("7000",), "'7000' is not NUMBER=HOME/STANDBY"),
        (("a=127.0.0.1:5060",), ("7000=a/z",), "names 'z', not a node"),
        (("a=127.0.0.1:5060",), ("7000=a/a",), "repeats a node or a number"),
        (("a=127.0.0.1:5060",), ("7000=a", "7000=a"), "repeats a node or a number"),
    ],
)
def test_a_bad_node_or_partition_names_the_entry(
    nodes: tuple[str, ...], parts: tuple[str, ...], culprit: str
) -> None:
    with pytest.raises(ClusterError) as info:
        partitions(parts, node_addresses(nodes))
    assert culprit in str(info.value)


def test_partitions_keep_their_nodes_in_order() -> None:
    nodes = node_addresses(("a=127.0.0.1:5060", "b=10.0.0.2:5060"))
    assert nodes[1].uri == "sip:10.0.0.2:5060"
    assert partitions(("7000=b/a",), nodes) == (Partition("7000", ("b", "a")),)
