"""ARI edge (aioari): carries out call commands and pumps Stasis events to the services.

Contract:
* :meth:`AriClient.run` connects, calls ``on_connected`` once the event websocket is open
  (the services reconcile there), pumps events until the connection drops, then reconnects
  with capped exponential backoff — until cancelled.
* :attr:`AriClient.connected` is True exactly while the websocket is open.
* Commands raise :class:`TelephonyError` (naming the operation and channel) when ARI is
  not connected or Asterisk refuses them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aioari
import aiohttp

from callcenter.asterisk.ari_events import USED_TYPES, translate
from callcenter.asterisk.traffic import Traffic
from callcenter.domain.calls import TAP_CHANNELS, CallEvent, MediaTapEnded
from callcenter.logs import call_id_var
from callcenter.services.ports import RecordLimits, TelephonyError

log = logging.getLogger(__name__)


STASIS_JOIN_TRIES = 8  # about 1.8 s in all


class AriClient:
    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        app: str,
        sink: Callable[[CallEvent], None],
        on_connected: Callable[[], Awaitable[None]],
        max_delay: float = 5.0,
        filter_events: bool = True,
    ) -> None:
        self._base_url = base_url
        self._user = user
        self._password = password
        self._app = app
        self._sink = sink
        self._on_connected = on_connected
        self._max_delay = max_delay
        self._client: Any = None
        self._filter_events = filter_events
        self.traffic = Traffic()
        self.connected = False
        # Live transcripts' taps ending (their wiring sets it).
        self.on_tap_ended: Callable[[str], None] = lambda _tap: None

    def when_tap_ended(self, handler: Callable[[str], None]) -> None:
        """``handler`` gets the id of every live-media tap Asterisk ends (live transcripts)."""
        self.on_tap_ended = handler

    async def run(self) -> None:
        delay = 0.25
        while True:
            try:
                await self._session()
                delay = 0.25
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("ARI connection failed: %s", exc or type(exc).__name__)
            finally:
                await self._drop()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_delay)

    async def _session(self) -> None:
        self._client = await aioari.connect(self._base_url, self._user, self._password)
        ws = await self._client.swagger.events.eventWebsocket(app=self._app)
        self.connected = True
        self.traffic.connects += 1
        log.info("ARI connected, application %r registered", self._app)
        try:
            if self._filter_events:
                await self._set_event_filter()
            await self._on_connected()
            while True:
                msg = await ws.receive()
                if msg.type != aiohttp.WSMsgType.TEXT:
                    log.warning("ARI websocket closed (%s)", msg.type.name)
                    return
                self.traffic.received_bytes += len(msg.data)
                self._dispatch(json.loads(msg.data))
        finally:
            self.connected = False
            await ws.close()

    async def _set_event_filter(self) -> None:
        """Ask Asterisk for the event types we act on only (the filter belongs to the
        application, so it is set again on every connect).

        Sent by hand: aioswagger wraps a body parameter as ``{"filter": {...}}``, while
        Asterisk reads the whole body as the filter — it would set an empty one, silently.
        Asterisk's answer is checked, so a filter that did not take is an error here."""
        allowed = [{"type": kind} for kind in USED_TYPES]
        url = f"{self._base_url.rstrip('/')}/ari/applications/{self._app}/eventFilter"
        auth = aiohttp.BasicAuth(self._user, self._password)
        timeout = aiohttp.ClientTimeout(total=5)
        async with (
            aiohttp.ClientSession(auth=auth, timeout=timeout) as http,
            http.put(url, json={"allowed": allowed}) as resp,
        ):
            body = await resp.json(content_type=None) if resp.status == 200 else {}
            took = sorted(e.get("type", "") for e in body.get("events_allowed", ()))
            if resp.status != 200 or took != sorted(USED_TYPES):
                raise TelephonyError(
                    f"ARI event filter for {self._app!r} not set: {resp.status} {body}"
                )
        log.info("ARI event filter: %s", ", ".join(USED_TYPES))

    def _dispatch(self, raw: dict[str, Any]) -> None:
        self.traffic.events[str(raw.get("type"))] += 1
        event = translate(raw)
        if event is None:
            return
        if isinstance(event, MediaTapEnded):
            self.on_tap_ended(event.tap_id)
            return
        token = call_id_var.set(event.call_id)
        try:
            log.debug("ARI %s", raw.get("type"))
            self._sink(event)
        finally:
            call_id_var.reset(token)

    async def _drop(self) -> None:
        self.connected = False
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.close()

    async def close(self) -> None:
        await self._drop()

    # -- Telephony port ---------------------------------------------------------------
    async def _op(self, resource: str, operation: str, **kwargs: Any) -> Any:
        if self._client is None or not self.connected:
            raise TelephonyError(f"{resource}.{operation}({kwargs}): ARI is not connected")
        try:
            return await getattr(getattr(self._client, resource), operation)(**kwargs)
        except aiohttp.web.HTTPException as exc:
            raise TelephonyError(
                f"{resource}.{operation}({kwargs}): Asterisk answered {exc.status} {exc.text}",
                exc.status,
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise TelephonyError(f"{resource}.{operation}({kwargs}): {exc}") from exc

    async def reload_module(self, module: str) -> None:
        """Have Asterisk reload ``module`` (ARI ``PUT /asterisk/modules/{name}``)."""
        await self._op("asterisk", "reloadModule", moduleName=module)

    async def reload_pjsip(self) -> None:
        await self.reload_module("res_pjsip.so")

    async def answer(self, call_id: str) -> None:
        await self._op("channels", "answer", channelId=call_id)

    async def play(self, call_id: str, media: str | list[str], language: str = "") -> str:
        options = {"lang": language} if language else {}
        items = [media] if isinstance(media, str) else list(media)
        if any("," in item for item in items):
            raise TelephonyError(f"media {items!r}: a comma would split an item")
        playback = await self._op("channels", "play", channelId=call_id, media=items, **options)
        return str(playback.id)

    async def set_variable(self, call_id: str, name: str, value: str) -> None:
        await self._op("channels", "setChannelVar", channelId=call_id, variable=name, value=value)

    async def stop_playback(self, playback_id: str) -> None:
        await self._op("playbacks", "stop", playbackId=playback_id)

    async def hangup(self, call_id: str) -> None:
        await self._op("channels", "hangup", channelId=call_id)

    async def continue_in_dialplan(self, call_id: str, context: str, exten: str) -> None:
        await self._op(
            "channels",
            "continueInDialplan",
            channelId=call_id,
            context=context,
            extension=exten,
            priority="1",
        )

    async def record(self, call_id: str, name: str, limits: RecordLimits) -> None:
        await self._op(
            "channels",
            "record",
            channelId=call_id,
            name=name,
            format="wav",
            maxDurationSeconds=limits.max_seconds,
            maxSilenceSeconds=limits.silence_seconds,
            ifExists="overwrite",
            beep="true" if limits.beep else "false",  # a query string: no bools
            terminateOn=limits.terminate_on,
        )

    async def delete_recording(self, name: str) -> None:
        await self._op("recordings", "deleteStored", recordingName=name)

    async def calls_in_app(self) -> list[str]:
        channels = await self._op("channels", "list")
        ours = []
        for channel in channels:
            dialplan = channel.json.get("dialplan", {})
            app_data = str(dialplan.get("app_data", ""))
            if str(channel.json.get("name", "")).startswith(TAP_CHANNELS):
                continue  # a live-transcript tap, not a call
            if dialplan.get("app_name") == "Stasis" and app_data.split(",")[0] == self._app:
                ours.append(str(channel.id))
        return ours

    async def channel_ids(self) -> set[str]:
        """Every channel Asterisk has now (its Uniqueid), in our application or not."""
        return {str(channel.id) for channel in await self._op("channels", "list")}

    # -- live media (taps for live transcripts) -----------------------------------------
    async def snoop(self, channel_id: str) -> str:
        """A snoop channel in our application hearing what ``channel_id`` says."""
        snoop = await self._op(
            "channels", "snoopChannel", channelId=channel_id, app=self._app, spy="in"
        )
        return str(snoop.id)

    async def external_media(self, host: str, port: int) -> str:
        """A channel sending what it hears as RTP (slin, 8 kHz) to ``host:port``."""
        channel = await self._op(
            "channels",
            "externalMedia",
            app=self._app,
            external_host=f"{host}:{port}",
            format="slin",
            encapsulation="rtp",
            transport="udp",
            direction="both",
        )
        return str(channel.id)

    async def mixing_bridge(self, channel_ids: list[str]) -> str:
        bridge = await self._op("bridges", "create", type="mixing")
        # A snoop or externalMedia channel enters Stasis on a thread of Asterisk's own,
        # after the request that made it has returned (seen under load: 422 "Channel not
        # in Stasis application"); the join is asked again for a short while then.
        for attempt in range(STASIS_JOIN_TRIES):
            try:
                await self._op(
                    "bridges", "addChannel", bridgeId=bridge.id, channel=",".join(channel_ids)
                )
                break
            except TelephonyError as exc:
                if "not in Stasis" not in str(exc) or attempt == STASIS_JOIN_TRIES - 1:
                    with contextlib.suppress(TelephonyError):
                        await self._op("bridges", "destroy", bridgeId=bridge.id)
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))
        return str(bridge.id)

    async def destroy_bridge(self, bridge_id: str) -> None:
        await self._op("bridges", "destroy", bridgeId=bridge_id)
