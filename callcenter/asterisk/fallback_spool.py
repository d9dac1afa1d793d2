"""The fallback spool: one file per call the dialplan sent to the fallback queue,
``callcenter-fallback-<uniqueid>.call`` holding ``uniqueid|linkedid|epoch|caller``
(written by ``FILE()`` in ``callcenter-fallback``; its append mode cannot create a file,
and one file per call never races the daemon's reading). The capacity spool
(``callcenter-capacity-*.call``, callers beyond the load while the daemon was down) adds
``|queue``: the queue whose agents call them back.

Contract: :meth:`FallbackSpool.take` returns the well-formed calls of every file there
now; :meth:`done` deletes the files that returned them. A file that is malformed is
logged and deleted; nothing raises.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path

from callcenter.domain.calls import FallbackCall

log = logging.getLogger(__name__)

PATTERN = "callcenter-fallback-*.call"
CAPACITY = "callcenter-capacity-*.call"
_LINE = re.compile(
    r"([0-9]+\.[0-9]+)\|([0-9]+\.[0-9]+)\|([0-9]{9,11})\|(\+?[0-9]{0,20})(?:\|([A-Za-z0-9_-]{1,40}))?"
)


class FallbackSpool:
    def __init__(self, spool_dir: Path, pattern: str = PATTERN) -> None:
        self.spool_dir, self._pattern = spool_dir, pattern
        self._taken: list[Path] = []

    def take(self) -> list[FallbackCall]:
        calls, self._taken = [], sorted(self.spool_dir.glob(self._pattern))
        for path in self._taken:
            try:
                text = path.read_text(errors="replace").strip()
            except OSError as exc:
                log.warning("fallback spool %s unreadable: %s", path.name, exc)
                continue
            match = _LINE.fullmatch(text)
            if match is None:
                log.warning("fallback spool %s skipped: %r", path.name, text[:200])
                continue
            uid, linked, epoch, caller, queue = match.groups()
            at = datetime.fromtimestamp(int(epoch), UTC)
            calls.append(FallbackCall(uid, linked, at, caller, queue or ""))
        return calls

    def done(self) -> None:
        for path in self._taken:
            path.unlink(missing_ok=True)
        self._taken = []
