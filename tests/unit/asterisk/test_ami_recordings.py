from __future__ import annotations

from callcenter.asterisk.ami_recordings import PauseRequest, RecordingStarted, recording_event

STARTED = {
    "Event": "UserEvent",
    "UserEvent": "CallcenterRecording",
    "State": "started",
    "Uniqueid": "1796173870.0",
    "Path": "2026/12/02/1796173870.0.raw",
    "Start": "1796173874.108",
    "Queue": "support",
}


def test_a_started_recording() -> None:
    assert recording_event(STARTED) == RecordingStarted(
        "1796173870.0", "2026/12/02/1796173870.0.raw", 1796173874.108, "support"
    )


def test_the_agent_of_a_pause_is_the_endpoint_that_pressed_it() -> None:
    event = {
        "UserEvent": "CallcenterRecording",
        "State": "pause",
        "Channel": "PJSIP/1001-0000000a",
        "Call": "1796173870.0",
    }
    assert recording_event(event) == PauseRequest("1796173870.0", "1001", True)
    assert recording_event({**event, "State": "resume"}) == PauseRequest(
        "1796173870.0", "1001", False
    )


def test_anything_else_is_not_ours() -> None:
    assert recording_event({**STARTED, "UserEvent": "CallcenterAgent"}) is None
    assert recording_event({**STARTED, "Start": "soon"}) is None
    assert recording_event({**STARTED, "Uniqueid": "../x"}) is None
    trunk = {
        "UserEvent": "CallcenterRecording",
        "State": "pause",
        "Channel": "PJSIP/trunk-01",
        "Call": "1.2",
    }
    assert recording_event(trunk) is None  # a caller pressing *1 is no agent
    assert recording_event({**trunk, "Channel": "PJSIP/1001-01", "Call": ""}) is None
