"""A web call (the widget's "call now": the browser is the phone) entering the daemon.

Contract: the dialplan hands the call over with Stasis args ``web,WIDGET,SESSION`` — the
session the daemon's SIP websocket put in the INVITE, which only a page admitted by
:meth:`~callcenter.services.widgets.Widgets.admit_call` has. An unknown session, or one
of another widget, is hung up (nothing else is reachable from a web call). Otherwise the
call is tied to its websocket (:class:`~callcenter.services.web_call_lines.WebCallLines`:
it ends when the browser's websocket is gone for good), recorded as a web call from its
page (the agent's pop shows it) and goes into the widget's flow, or straight into its queue.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from callcenter.domain.calls import CallOutcome, IvrResult
from callcenter.services.call_session import CallSession
from callcenter.services.widgets import Widgets

log = logging.getLogger(__name__)

FlowRunner = Callable[[CallSession, str], Awaitable[CallOutcome | None]]


class WebCallIntake:
    def __init__(self, widgets: Widgets, run_flow: FlowRunner) -> None:
        self._widgets = widgets
        self._run_flow = run_flow

    async def handle(self, session: CallSession) -> CallOutcome | None:
        args = session.entered.args
        widget_id = args[1] if len(args) > 1 else ""
        call = self._widgets.web_call(args[2] if len(args) > 2 else "")
        if call is None or call.widget.id != widget_id:
            log.warning("web call for widget %r with no admitted session: hung up", widget_id)
            await session.record_ivr(
                IvrResult("web", (), CallOutcome.COMPLETED, "no admitted web session")
            )
            await session.hangup()
            return CallOutcome.COMPLETED
        # A browser gone without a BYE: its call ends with its websocket.
        self._widgets.lines.answered(call.session, session.end_anywhere)
        widget = call.widget
        log.info(
            "web call from %s (widget %s) -> %s",
            call.page or "-",
            widget.id,
            f"flow {widget.flow}" if widget.flow else f"queue {widget.queue}",
        )
        if widget.flow:
            return await self._run_flow(session, widget.flow)
        step = {"flow": f"web:{widget.id}", "node": "web", "type": "web", "detail": call.page}
        await session.record_ivr(
            IvrResult(f"web:{widget.id}", (step,), CallOutcome.QUEUE, widget.queue)
        )
        for name, value in {
            "CC_QUEUE": widget.queue,
            "CC_TARGET": widget.queue,
            "CC_PRIORITY": "0",
            "CC_TIMEOUT": "",
            "CC_RESUME": "",
            "CC_WAIT_MINUTES": "",
        }.items():
            await session.set_variable(name, value)
        await session.continue_in_dialplan("callcenter-queue")
        return CallOutcome.QUEUE
