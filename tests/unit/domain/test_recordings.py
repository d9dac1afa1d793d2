from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain import recordings as r
from callcenter.domain.recordings import Pause, Recording, RecordingError, RecordingState
from callcenter.domain.tickets import Role

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
REC = Recording(
    1,
    "1733130000.7",
    "2026/12/02/1733130000.7.raw",
    RecordingState.COMPLETE,
    T0,
    agent="1001",
    retain_until=T0 + timedelta(days=90),
)


def test_marker_names_its_own_call_and_a_path_of_ours() -> None:
    m = r.parse_marker("1733130000.7", "1733130000 2026/12/02/1733130000.7.raw\n", 1733130060.0)
    assert (m.started_epoch, m.raw_path) == (1733130000, "2026/12/02/1733130000.7.raw")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x 2026/12/02/1733130000.7.raw",
        "1733130000 2026/12/02/1733130000.8.raw",  # another call's file
        "1733130000 ../../etc/passwd",
        "1733130000 2026/12/02/1733130000.7.wav",
        "1 2 3",
    ],
)
def test_bad_markers_name_the_culprit(text: str) -> None:
    with pytest.raises(RecordingError, match=r"1733130000\.7"):
        r.parse_marker("1733130000.7", text, 0.0)


def test_check_compares_audio_with_the_time_mixmonitor_ran() -> None:
    second = r.BYTES_PER_SECOND
    assert r.check(60 * second, 1000, 1060, 3) == ""
    assert r.check(None, 1000, 1060, 3) == "no recording file"
    assert r.check(0, 1000, 1060, 3) == "the recording file is empty"
    assert r.check(30 * second, 1000, 1060, 3).startswith("truncated: 30.0 s")
    assert r.check(90 * second, 1000, 1060, 3).startswith("too long")
    assert r.check(57 * second, 1000, 1060, 3) == ""


def test_pauses_open_and_close_idempotently() -> None:
    p = r.pause_started((), 12.345, "1001")
    assert p == (Pause(12.35, None, "1001"),)
    assert r.pause_started(p, 20, "x") == p  # already paused
    closed = r.pause_ended(p, 30)
    assert closed == (Pause(12.35, 30, "1001"),)
    assert r.pause_ended(closed, 40) == closed  # not paused
    assert r.close_pauses(p, 99.0) == (Pause(12.35, 99.0, "1001"),)


def test_retention_and_legal_hold() -> None:
    later = T0 + timedelta(days=91)
    assert r.expired(REC, later, on_hold=False)
    assert not r.expired(REC, later, on_hold=True)
    assert not r.expired(REC, T0, on_hold=False)
    assert r.retain_until(T0, 0) is None  # kept for ever


def test_who_may_listen() -> None:
    assert r.may_listen(Role.SUPERVISOR, "", REC)
    assert r.may_listen(Role.ADMIN, "", REC)
    assert r.may_listen(Role.AGENT, "1001", REC)
    assert not r.may_listen(Role.AGENT, "1002", REC)
    assert not r.may_listen(Role.AGENT, "", REC)
    assert not r.may_listen(Role.INTEGRATION, "", REC)
