"""Click-to-call widgets: the site's page asks for a token, shows whether the centre is
open, the wait and the promise, then asks for a callback or places a web call.

Contract:
- :meth:`Widgets.session` gives a page of one of the widget's origins a short-lived token
  (a page of another origin gets Refusal(ORIGIN); a disabled or unknown widget, LookupError).
- :meth:`Widgets.request_callback` needs that token from that origin, unused (each token
  asks for one dial), then passes the toll-fraud guard (:class:`DialGuard`) and asks the
  callbacks service for a callback in the widget's queue (``source`` web, the page it came
  from as the reason). Every refusal is audited by the guard with the rule that refused.
- :meth:`Widgets.admit_call` does the same for a web call (the browser is the phone):
  token, origin, the guard's rate rules; it returns the call's session, which the SIP
  websocket carries to Asterisk so the call is known for what it is.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from callcenter.domain.business_hours import Calendar, business_time_after, is_open
from callcenter.domain.dial_guard import WEB_CALL, DialAttempt, Refusal, Rule
from callcenter.domain.widgets import TokenClaims, Widget, check_widget, issue_token, read_token
from callcenter.services.callback_ports import CallbackAnswer, CallbackRequest
from callcenter.services.callbacks import Callbacks
from callcenter.services.dial_guard import DialGuard
from callcenter.services.ports import Clock
from callcenter.services.web_call_lines import WebCallLines

log = logging.getLogger(__name__)


class WidgetStore(Protocol):
    async def get(self, widget_id: str) -> Widget | None: ...
    async def all(self) -> list[Widget]: ...
    async def save(self, widget: Widget, now: datetime, create: bool) -> Widget: ...
    async def remove(self, widget_id: str) -> bool: ...


@dataclasses.dataclass(frozen=True)
class WidgetStatus:
    widget: Widget
    open: bool
    opens_at: datetime | None  # when closed: the next open moment
    wait_seconds: float  # work ahead of a new request
    promise_due_at: datetime | None  # what a callback asked now would be promised
    call_now: bool  # a web call can be placed now


@dataclasses.dataclass(frozen=True)
class WebCall:
    """A web call admitted: ``session`` travels in the SIP INVITE (X-CC-Web-Session)."""

    session: str
    widget: Widget
    origin: str
    page: str
    expires_at: datetime


@dataclasses.dataclass(frozen=True)
class Visitor:
    """Who is asking, as the HTTP edge saw them."""

    origin: str
    client: str  # the remote address
    user_agent: str = ""
    page: str = ""  # the page the widget sits on (its URL, as the page says)


class Widgets:
    def __init__(
        self,
        store: WidgetStore,
        guard: DialGuard,
        callbacks: Callbacks,
        key: bytes,
        clock: Clock,
        calendar_of: Callable[[str], Calendar],
        queues: frozenset[str],
        token_ttl: timedelta = timedelta(minutes=10),
        web_calls: bool = False,
    ) -> None:
        self._store = store
        self._guard = guard
        self._callbacks = callbacks
        self._key = key
        self._clock = clock
        self._calendar_of = calendar_of
        self._queues = queues
        self._ttl = token_ttl
        self.web_calls = web_calls  # the SIP websocket path to Asterisk is there
        self._used: dict[str, datetime] = {}  # jti → its expiry (single use)
        self._calls: dict[str, WebCall] = {}
        self.lines = WebCallLines()  # each web call's websocket, and its call

    # -- admin ------------------------------------------------------------------------
    async def define(self, widget: Widget, create: bool) -> Widget:
        checked = check_widget(widget, self._queues)
        saved = await self._store.save(checked, self._clock.now(), create)
        log.info(
            "widget %s %s: queue %s, origins %s",
            saved.id,
            "created" if create else "changed",
            saved.queue,
            ", ".join(saved.origins),
        )
        return saved

    async def remove(self, widget_id: str) -> bool:
        return await self._store.remove(widget_id)

    async def all(self) -> list[Widget]:
        return await self._store.all()

    async def get(self, widget_id: str) -> Widget | None:
        return await self._store.get(widget_id)

    # -- the page ---------------------------------------------------------------------
    async def session(self, widget_id: str, origin: str) -> tuple[str, datetime, Widget]:
        widget = await self._live(widget_id)
        now = self._clock.now()
        token = issue_token(self._key, widget, origin, now, self._ttl)
        return token, now + self._ttl, widget

    async def status(self, widget_id: str) -> WidgetStatus:
        widget = await self._live(widget_id)
        now = self._clock.now()
        calendar = self._calendar_of(widget.queue)
        open_now = is_open(calendar, now)
        due, wait = await self._callbacks.quote(widget.queue)
        return WidgetStatus(
            widget=widget,
            open=open_now,
            opens_at=None if open_now else business_time_after(calendar, now, 0),
            wait_seconds=wait,
            promise_due_at=due,
            call_now=open_now and widget.call_now and self.web_calls,
        )

    async def request_callback(
        self, widget_id: str, token: str, visitor: Visitor, number: str, at: datetime | None
    ) -> CallbackAnswer:
        widget = await self._live(widget_id)
        attempt = DialAttempt("web", number, visitor.client, widget.id, "number")
        await self._token(attempt, token, visitor)

        async def dial(e164: str) -> CallbackAnswer:
            return await self._callbacks.request(
                CallbackRequest(
                    queue=widget.queue,
                    number=e164,
                    reason=f"web: {visitor.page}"[:200] if visitor.page else "web widget",
                    source="web",
                    field="number",
                    at=at,
                )
            )

        return await self._guard.guarded(
            attempt, widget.queue, dial, visitor.origin, visitor.user_agent
        )

    async def admit_call(self, widget_id: str, token: str, visitor: Visitor) -> WebCall:
        widget = await self._live(widget_id)
        attempt = DialAttempt(WEB_CALL, "", visitor.client, widget.id)
        if not (widget.call_now and self.web_calls):
            raise await self._guard.refuse(
                attempt,
                Refusal(Rule.TOKEN, f"widget {widget.id!r} offers no web calls"),
                visitor.origin,
                visitor.user_agent,
            )
        claims = await self._token(attempt, token, visitor)
        await self._guard.admit_call(attempt, visitor.origin, visitor.user_agent)
        call = WebCall(
            session=secrets.token_hex(12),  # hex: the dialplan FILTERs it to 0-9a-f
            widget=widget,
            origin=visitor.origin,
            page=visitor.page[:300],
            expires_at=claims.expires_at,
        )
        self._forget_old()
        self._calls[call.session] = call
        log.info("web call %s admitted: widget %s, page %s", call.session, widget.id, call.page)
        return call

    def web_call(self, session: str) -> WebCall | None:
        """The admitted web call of ``session`` (the INVITE's X-CC-Web-Session)."""
        return self._calls.get(session)

    # -- rules --------------------------------------------------------------------------
    async def _live(self, widget_id: str) -> Widget:
        widget = await self._store.get(widget_id)
        if widget is None or not widget.enabled:
            raise LookupError(f"widget {widget_id!r}: no such widget (or it is disabled)")
        return widget

    async def _token(self, attempt: DialAttempt, token: str, visitor: Visitor) -> TokenClaims:
        now = self._clock.now()
        try:
            claims = read_token(self._key, token, attempt.widget, visitor.origin, now)
            if claims.token_id in self._used:
                raise Refusal(Rule.TOKEN, "the widget token was used already (one request each)")
        except Refusal as refusal:
            raise await self._guard.refuse(
                attempt, refusal, visitor.origin, visitor.user_agent
            ) from None
        self._forget_old()
        self._used[claims.token_id] = claims.expires_at
        return claims

    def _forget_old(self) -> None:
        now = self._clock.now()
        for jti in [j for j, exp in self._used.items() if exp <= now]:
            del self._used[jti]
        for sid in [s for s, c in self._calls.items() if c.expires_at <= now]:
            del self._calls[sid]
