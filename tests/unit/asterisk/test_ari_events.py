from __future__ import annotations

from datetime import UTC, datetime

from callcenter.asterisk.ari_events import USED_TYPES, translate
from callcenter.domain.calls import (
    CallEntered,
    CallLeft,
    DtmfReceived,
    PlaybackFinished,
    RecordingEnded,
)

CHANNEL = {
    "id": "1795464029.0",
    "name": "PJSIP/trunk-00000000",
    "caller": {"name": "Caller", "number": "14155550100"},
    "dialplan": {
        "context": "from-trunk",
        "exten": "7000",
        "priority": 3,
        "app_name": "Stasis",
        "app_data": "callcenter,inbound",
    },
    "channelvars": {"CHANNEL(linkedid)": "1795464029.0"},
}


def test_stasis_start_is_a_call_entering() -> None:
    event = translate({"type": "StasisStart", "args": ["inbound"], "channel": CHANNEL})
    assert event == CallEntered("1795464029.0", "1795464029.0", "14155550100", "7000", ("inbound",))


def test_the_channels_language_comes_with_the_call() -> None:
    channel = {**CHANNEL, "language": "ru"}
    event = translate({"type": "StasisStart", "args": ["callback"], "channel": channel})
    assert isinstance(event, CallEntered)
    assert event.language == "ru"


def test_the_channels_creation_time_comes_with_the_call_and_a_bad_one_is_none() -> None:
    channel = {**CHANNEL, "creationtime": "2026-12-07T17:01:47.519+0000"}
    event = translate({"type": "StasisStart", "args": ["inbound"], "channel": channel})
    assert isinstance(event, CallEntered)
    assert event.created == datetime(2026, 12, 7, 17, 1, 47, 519000, tzinfo=UTC)
    for bad in ("yesterday", None, 17):
        event = translate(
            {"type": "StasisStart", "args": [], "channel": {**CHANNEL, "creationtime": bad}}
        )
        assert isinstance(event, CallEntered)
        assert event.created is None


def test_linkedid_falls_back_to_the_channel_id() -> None:
    channel = {**CHANNEL, "channelvars": None}
    event = translate({"type": "StasisStart", "args": [], "channel": channel})
    assert isinstance(event, CallEntered)
    assert event.linked_id == CHANNEL["id"]


def test_dtmf_playback_and_leaving() -> None:
    assert translate(
        {"type": "ChannelDtmfReceived", "digit": "5", "channel": CHANNEL}
    ) == DtmfReceived("1795464029.0", "5")
    playback = {"id": "pb1", "target_uri": "channel:1795464029.0"}
    assert translate({"type": "PlaybackFinished", "playback": playback}) == PlaybackFinished(
        "1795464029.0", "pb1"
    )
    assert translate({"type": "StasisEnd", "channel": CHANNEL}) == CallLeft("1795464029.0", False)
    assert translate({"type": "ChannelHangupRequest", "channel": CHANNEL}) == CallLeft(
        "1795464029.0", True
    )


def test_a_recording_on_a_channel_ends_finished_or_failed() -> None:
    recording = {
        "name": "callcenter-vm-1.1",
        "target_uri": "channel:1795464029.0",
        "state": "done",
        "duration": 7,
        "cause": "dtmf",
    }
    assert translate({"type": "RecordingFinished", "recording": recording}) == RecordingEnded(
        "1795464029.0", "callcenter-vm-1.1", True, 7.0, "dtmf"
    )
    failed = translate({"type": "RecordingFailed", "recording": {**recording, "duration": None}})
    assert failed == RecordingEnded("1795464029.0", "callcenter-vm-1.1", False, 0.0, "dtmf")
    bridge = {**recording, "target_uri": "bridge:b1"}
    assert translate({"type": "RecordingFinished", "recording": bridge}) is None


def test_events_we_do_not_act_on() -> None:
    assert translate({"type": "ChannelVarset", "channel": CHANNEL}) is None
    assert (
        translate({"type": "PlaybackFinished", "playback": {"id": "x", "target_uri": "bridge:b1"}})
        is None
    )


def test_the_event_filter_asks_for_exactly_what_translate_uses() -> None:
    channel = {"id": "1.1", "caller": {"number": "1"}, "dialplan": {"exten": "7000"}}
    samples = {
        "StasisStart": {"channel": channel, "args": ["inbound"]},
        "StasisEnd": {"channel": channel},
        "ChannelDtmfReceived": {"channel": channel, "digit": "1"},
        "PlaybackFinished": {"playback": {"id": "p", "target_uri": "channel:1.1"}},
        "ChannelHangupRequest": {"channel": channel},
        "ChannelDestroyed": {"channel": channel},
        "RecordingFinished": {"recording": {"name": "r", "target_uri": "channel:1.1"}},
        "RecordingFailed": {"recording": {"name": "r", "target_uri": "channel:1.1"}},
    }
    assert set(samples) == set(USED_TYPES)
    for kind, body in samples.items():
        assert translate({"type": kind, **body}) is not None, kind
    for kind in ("ChannelVarset", "ChannelStateChange", "PlaybackStarted", "ChannelDialplan"):
        assert translate({"type": kind, "channel": channel}) is None, kind
