"""The calls SIPp lost, one by one, from its error file (``-trace_err``): when, which
caller, and what Asterisk answered instead — so a benchmark can tell the calls lost at a
fault from those lost when nothing was wrong, and say why each of those was lost."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

_EVENT = re.compile(r"^\d{4}-\d\d-\d\d\t\S+\t(?P<epoch>\d+\.\d+): (?P<text>.*)$")
_CALLER = re.compile(r"^From: [^<]*<sip:(?P<caller>[^@>]+)@", re.MULTILINE)
_EXPECTING = re.compile(r"while expecting '(?P<want>[^']+)'.*?received '(?P<got>[^\r\n']*)", re.S)


@dataclasses.dataclass(frozen=True)
class Lost:
    epoch: float  # when SIPp gave the call up (time.time())
    caller: str  # the From user ("" when SIPp did not quote the message)
    reason: str  # short: "expected 180, got SIP/2.0 503 Service Unavailable", "timeout"


def _reason(text: str) -> str:
    if m := _EXPECTING.search(text):
        return f"expected {m['want']}, got {m['got'].strip()}"
    if "timeout" in text.lower() or "timed out" in text.lower():
        return "timeout: " + text.split(":")[0][:80]
    return text.split("\n")[0][:100]


def lost_calls(errors: Path) -> list[Lost]:
    """Each event of SIPp's error file that aborted a call, in order."""
    if not errors.exists():
        return []
    out: list[Lost] = []
    current: tuple[float, list[str]] | None = None
    for line in [*errors.read_text(errors="replace").splitlines(), "9999-01-01\tend\t0.0: "]:
        m = _EVENT.match(line)
        if m is None:
            if current is not None:
                current[1].append(line)
            continue
        if current is not None:
            text = "\n".join(current[1])
            if "Aborting call" in text or "timeout" in text.lower():
                caller = _CALLER.search(text)
                out.append(Lost(current[0], caller["caller"] if caller else "", _reason(text)))
        current = (float(m["epoch"]), [m["text"]])
    return out
