"""Reading Asterisk's queue_log back: the line that ended a call's answered leg."""

from __future__ import annotations

from pathlib import Path

from callcenter.asterisk.queue_log import call_completed

LINES = """\
1796665459|1796665456.538|support|NONE|ENTERQUEUE||14155550134|1
1796665459|1796665456.538|support|Agent 1066|CONNECT|0|1796665459.543|0
1796665460|1796665456.5380|support|Agent 1001|COMPLETEAGENT|1|99|1
1796665467|1796665456.538|support|Agent 1066|COMPLETECALLER|0|8|1
1796665470|1796665470.1|sales|Agent 1002|CONNECT|2|1796665470.2|1
"""


def test_the_line_that_ended_the_call_and_no_other_call_s(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(LINES)
    found = call_completed(log, "1796665456.538")
    assert found is not None
    assert (found.queue, dict(found.data)) == (
        "support",
        {"wait": 0.0, "talk": 8.0, "ended_by": "caller"},
    )
    assert call_completed(log, "1796665470.1") is None  # connected, not ended yet
    assert call_completed(tmp_path / "missing", "1796665456.538") is None


def test_only_the_tail_is_read(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(LINES + "1796665480|9.9|sales|NONE|ENTERQUEUE||1|1\n" * 1000)
    assert call_completed(log, "1796665456.538", tail_bytes=4096) is None
    assert call_completed(log, "1796665456.538") is not None
