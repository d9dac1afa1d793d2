"""/api/v1/cluster/nodes: every node of the cluster, its lease and the callbacks it
holds, as the answering node sees them."""

from __future__ import annotations

from typing import Any, Protocol

from aiohttp import web

from callcenter.domain.cluster import ClusterView, NodeLease
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import obj


class ClusterStatus(Protocol):
    async def view(self) -> ClusterView: ...


CLUSTER: web.AppKey[ClusterStatus] = web.AppKey("cluster")

_TEXT, _COUNT = {"type": "string"}, {"type": "integer", "minimum": 0}
NODE = obj(
    {
        "node": _TEXT,
        "epoch": {"type": "integer"},
        "state": {"type": "string", "enum": ["starting", "active", "lapsed", "stopped"]},
        "live": {"type": "boolean"},
        "started_at": _TEXT,
        "beat_at": _TEXT,
        "lease_until": _TEXT,
        "beat_age_seconds": {"type": "number"},
        "queues": {"type": "array", "items": _TEXT},
        "waiting": _COUNT,
        "dialing": _COUNT,
    },
    (
        "node",
        "epoch",
        "state",
        "live",
        "started_at",
        "beat_at",
        "lease_until",
        "beat_age_seconds",
        "queues",
        "waiting",
        "dialing",
    ),
)
NODES = obj(
    {
        "me": _TEXT,
        "state": _TEXT,
        "epoch": {"type": ["integer", "null"]},
        "now": _TEXT,
        "taken_over": _COUNT,
        "lost_calls": _COUNT,
        "unowned_waiting": _COUNT,
        "nodes": {"type": "array", "items": NODE},
    },
    ("me", "state", "epoch", "now", "taken_over", "lost_calls", "unowned_waiting", "nodes"),
)


def node_json(view: ClusterView, lease: NodeLease) -> dict[str, Any]:
    claims = view.claims_of(lease.node)
    return {
        "node": lease.node,
        "epoch": lease.epoch,
        "state": lease.state.value,
        "live": not lease.lapsed(view.now),
        "started_at": lease.started_at.isoformat(),
        "beat_at": lease.beat_at.isoformat(),
        "lease_until": lease.lease_until.isoformat(),
        "beat_age_seconds": round(max(0.0, (view.now - lease.beat_at).total_seconds()), 3),
        "queues": list(lease.queues),
        "waiting": claims.waiting,
        "dialing": claims.dialing,
    }


def view_json(view: ClusterView) -> dict[str, Any]:
    return {
        "me": view.me,
        "state": view.state.value,
        "epoch": view.epoch,
        "now": view.now.isoformat(),
        "taken_over": view.taken_over,
        "lost_calls": view.lost_calls,
        "unowned_waiting": view.claims_of("").waiting,
        "nodes": [node_json(view, n) for n in view.nodes],
    }


@permission("cluster:read")
async def cluster_nodes(request: web.Request) -> web.Response:
    status = request.app.get(CLUSTER)
    if status is None:
        raise ApiError(503, "unavailable", "the cluster is not served by this server")
    return web.json_response(view_json(await status.view()))


ROUTES = [
    Route(
        "GET",
        "/cluster/nodes",
        cluster_nodes,
        "Every node of the cluster: its epoch (the fencing counter), lease and heartbeat, "
        "the queues it serves, and the callbacks it holds (waiting for an agent, dialling)",
        None,
        NODES,
        also=(503,),
    ),
]
