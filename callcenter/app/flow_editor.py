"""Wiring of the flow editor: the flows' files checked, simulated, drawn, published and
rolled back from the browser and the API, every version kept in the database; the running
flows (the ``flows`` feature's registry) take a publish at once. (Composition root.)"""

from __future__ import annotations

from pathlib import Path

from callcenter.app import slots
from callcenter.app.assembly import SystemClock, flow_context, sound_index
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.http import api_flows
from callcenter.http.api_flows import FLOW_EDITOR
from callcenter.http.flows_page import FLOWS_PAGE
from callcenter.services.flow_editor import FlowEditor
from callcenter.store.flow_versions import SqlFlowVersions


def _plug(parts: Parts, plug: Plug) -> None:
    config = parts[slots.CONFIG]
    editor = FlowEditor(
        Path(config.daemon.flows_dir).resolve(),
        flow_context(config, sound_index(config)),
        parts[slots.FLOWS],
        SqlFlowVersions(parts[slots.SESSIONS], parts[slots.DB_THREADS]),
        SystemClock(),
    )
    plug.serve(FLOW_EDITOR, editor)


FEATURE = Feature(
    "flow_editor",
    needs=(slots.CONFIG, slots.FLOWS, slots.SESSIONS, slots.DB_THREADS),
    provides=(),
    build=_plug,
    routes=tuple(api_flows.ROUTES),
    pages=(FLOWS_PAGE,),
)
