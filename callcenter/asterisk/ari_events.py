"""Translate ARI's JSON events into domain events (pure; unit-tested with recorded JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callcenter.domain.calls import (
    TAP_CHANNELS,
    CallEntered,
    CallEvent,
    CallLeft,
    DtmfReceived,
    MediaTapEnded,
    PlaybackFinished,
    RecordingEnded,
)

# The only event types :func:`translate` acts on: the application's event filter asks
# Asterisk for these alone (ChannelVarset, ChannelStateChange, PlaybackStarted, … are
# never sent, so never decoded).
USED_TYPES = (
    "StasisStart",
    "StasisEnd",
    "ChannelDtmfReceived",
    "PlaybackFinished",
    "ChannelHangupRequest",
    "ChannelDestroyed",
    "RecordingFinished",
    "RecordingFailed",
)


def translate(event: dict[str, Any]) -> CallEvent | MediaTapEnded | None:
    """The domain event for one ARI event, or None if it is not one we act on. The
    channels of a live-transcript tap are never calls: a snoop's end is MediaTapEnded."""
    kind = event.get("type")
    channel = event.get("channel") or {}
    call_id = channel.get("id", "")
    if str(channel.get("name", "")).startswith(TAP_CHANNELS):
        ended = kind in ("StasisEnd", "ChannelDestroyed")
        snoop = str(channel.get("name", "")).startswith("Snoop/")
        return MediaTapEnded(call_id) if ended and snoop else None
    if kind == "StasisStart":
        caller = channel.get("caller", {}).get("number", "")
        dialed = channel.get("dialplan", {}).get("exten", "")
        linked = (channel.get("channelvars") or {}).get("CHANNEL(linkedid)") or call_id
        args = tuple(event.get("args", ()))
        language = str(channel.get("language", "") or "")
        created = _time(channel.get("creationtime"))
        return CallEntered(call_id, linked, caller, dialed, args, language, created)
    if kind == "ChannelDtmfReceived":
        return DtmfReceived(call_id, str(event.get("digit", "")))
    if kind == "PlaybackFinished":
        playback = event.get("playback", {})
        target = str(playback.get("target_uri", ""))
        if target.startswith("channel:"):
            return PlaybackFinished(target.removeprefix("channel:"), str(playback.get("id")))
        return None
    if kind in ("RecordingFinished", "RecordingFailed"):
        recording = event.get("recording", {})
        target = str(recording.get("target_uri", ""))
        if not target.startswith("channel:"):
            return None
        return RecordingEnded(
            target.removeprefix("channel:"),
            str(recording.get("name", "")),
            kind == "RecordingFinished",
            float(recording.get("duration") or 0),
            str(recording.get("cause", "")),
        )
    if kind == "StasisEnd":
        return CallLeft(call_id, hung_up=False)
    if kind in ("ChannelHangupRequest", "ChannelDestroyed"):
        return CallLeft(call_id, hung_up=True)
    return None


def _time(value: object) -> datetime | None:
    """ARI's time (``2026-12-07T17:01:47.519+0000``); None when absent or not one."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return None
