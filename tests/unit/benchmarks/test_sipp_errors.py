from __future__ import annotations

from pathlib import Path

from benchmarks.sipp_errors import lost_calls

# As SIPp 3.7 writes its -trace_err file: an event line, then the message it quotes.
ERRORS = """The following events occurred:
2026-12-07\t22:32:43.554491\t1796682763.554491: Aborting call on unexpected message for \
Call-Id '1-27587@127.0.0.2': while expecting '180' (index 2), received 'SIP/2.0 503 \
Service Unavailable
Via: SIP/2.0/UDP 127.0.0.2:46495;branch=z9hG4bK-27587-1-0
From: "Caller" <sip:74950000042@127.0.0.2:46495>;tag=27587SIPpTag001
Call-ID: 1-27587@127.0.0.2
Retry-After: 60
Content-Length: 0

'
2026-12-07\t22:33:01.000001\t1796682781.000001: Call-Id '1-28@127.0.0.2': Aborting call \
on timeout at index 9
2026-12-07\t22:33:02.000001\t1796682782.000001: Some unrelated warning
"""


def test_each_aborted_call_is_read_with_its_time_caller_and_answer(tmp_path: Path) -> None:
    path = tmp_path / "callers.errors"
    path.write_text(ERRORS)
    lost = lost_calls(path)
    assert [(x.epoch, x.caller) for x in lost] == [
        (1796682763.554491, "74950000042"),
        (1796682781.000001, ""),
    ]
    assert lost[0].reason == "expected 180, got SIP/2.0 503 Service Unavailable"
    assert lost[1].reason.startswith("timeout")


def test_no_error_file_is_no_lost_call(tmp_path: Path) -> None:
    assert lost_calls(tmp_path / "missing.errors") == []
