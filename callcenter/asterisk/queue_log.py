"""Asterisk's own ``queue_log`` (logger.conf: ``queue_log = yes``, to a file): read back to
rebuild what the daemon did not see (it was down) and to check reports against it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from callcenter.domain.event_log import LoggedEvent, queue_log_event


def queue_log_path(state_dir: Path) -> Path:
    """The instance's queue_log (Asterisk's log directory inside the instance)."""
    return state_dir / "asterisk" / "log" / "queue_log"


def read_events(
    path: Path, since: datetime | None = None, until: datetime | None = None
) -> list[LoggedEvent]:
    """The events of the lines in [since, until) (all when not given); a missing file has
    none. Rotated files (queue_log.1…) are read too, oldest first."""
    files = [*sorted(path.parent.glob(path.name + ".*"), reverse=True), path]
    out = []
    for file in files:
        if not file.is_file():
            continue
        with file.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                e = queue_log_event(line)
                if e is None or (since and e.at < since) or (until and e.at >= until):
                    continue
                out.append(e)
    return out


def day_events(path: Path, day: date, zone: tzinfo) -> list[LoggedEvent]:
    """The lines of one local day."""
    start = datetime.combine(day, time(), zone)
    return read_events(path, start, start + timedelta(days=1))


def call_completed(path: Path, call_id: str, tail_bytes: int = 1 << 20) -> LoggedEvent | None:
    """The line that ended ``call_id``'s answered leg (COMPLETECALLER, COMPLETEAGENT or a
    transfer) among the last ``tail_bytes`` of the queue_log; None when there is none."""
    try:
        with path.open("rb") as log:
            size = log.seek(0, 2)
            log.seek(max(0, size - tail_bytes))
            text = log.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    needle = f"|{call_id}|"
    for line in reversed(text.splitlines()):
        if needle not in line:
            continue
        event = queue_log_event(line)
        if event is not None and event.call_id == call_id and "ended_by" in event.data:
            return event
    return None
