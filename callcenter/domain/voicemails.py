"""Voicemail: a message a caller left, kept with its audio, answered by a queue. Pure rules
(no I/O).

A message comes one of two ways, and both end the same (the ``voicemails`` use case):

* **live** — the daemon takes it on the call through ARI (prompt, beep, a recording that
  ends on ``#``, silence or the length limit, an optional review); its key is the call's
  Uniqueid;
* **spool** — the daemon was down, so Asterisk's own VoiceMail() took it into its spool
  (``voicemail/default/<mailbox>/INBOX/msgNNNN.txt`` + ``.wav``); the daemon imports it at
  start and every few seconds; its key is app_voicemail's ``msg_id``.

Each message is one row (unique key: importing twice, or a crash half way, makes no second
message), its audio a recording of kind ``voicemail`` (mono WAV) in the recordings store,
an interaction on the caller's ticket and — when the caller's number may be dialled — a
callback in the mailbox's queue with its promise (the due time told to the caller).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from datetime import UTC, datetime

# app_voicemail's spool: msg0000.txt … (the audio next to it, same stem).
SPOOL_MESSAGE = re.compile(r"^msg(\d{4})\.txt$")
MAILBOX = re.compile(r"^[0-9]{2,10}$")
_KEY = re.compile(r"^(live|spool):[A-Za-z0-9._-]{1,80}$")
_CALLER = re.compile(r"<([^<>]*)>\s*$")


class VoicemailState(enum.StrEnum):
    NEW = "new"  # nobody has answered it yet
    ANSWERED = "answered"  # its callback was completed, or staff marked it answered


class VoicemailSource(enum.StrEnum):
    LIVE = "live"  # taken on the call by the daemon (ARI)
    SPOOL = "spool"  # left in Asterisk's VoiceMail() while the daemon was down


class VoicemailError(ValueError):
    """A spool file or a request that is not a message of ours; the message says which."""


@dataclasses.dataclass(frozen=True)
class Voicemail:
    id: int
    key: str  # live:<uniqueid> | spool:<msg_id>: one row per message, for ever
    mailbox: str
    queue: str  # who answers it ("": no queue claims the mailbox)
    caller: str  # as Asterisk gave it (E.164 once normalised by a callback)
    received_at: datetime
    duration: float
    source: VoicemailSource
    state: VoicemailState = VoicemailState.NEW
    call_id: str = ""  # the call it was left on (live), "" from the spool
    recording_id: int | None = None
    callback_id: int | None = None
    ticket_number: int | None = None
    note: str = ""  # why there is no callback (no number we may dial), who answered it
    answered_at: datetime | None = None
    answered_by: str = ""


@dataclasses.dataclass(frozen=True)
class NewVoicemail:
    """A message whose audio is already in the recordings store (``path``)."""

    key: str
    mailbox: str
    queue: str
    caller: str
    received_at: datetime
    duration: float
    source: VoicemailSource
    path: str  # relative to the recordings directory
    audio_bytes: int
    sha256: str
    call_id: str = ""
    retain_until: datetime | None = None

    def __post_init__(self) -> None:
        check_key(self.key)
        if not MAILBOX.match(self.mailbox):
            raise VoicemailError(f"mailbox {self.mailbox!r} is not 2-10 digits")


@dataclasses.dataclass(frozen=True)
class VoicemailFilter:
    queue: str = ""
    mailbox: str = ""
    state: VoicemailState | None = None
    since: datetime | None = None


@dataclasses.dataclass(frozen=True)
class SpoolMessage:
    """One message of app_voicemail's spool, read from its ``msgNNNN.txt``."""

    msg_id: str
    mailbox: str
    caller: str  # the number of ``callerid="Name" <number>`` ("" when withheld)
    received_at: datetime
    duration: float
    channel: str = ""

    @property
    def key(self) -> str:
        return f"spool:{self.msg_id}"


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise VoicemailError(f"voicemail key {key!r} is not live:<uniqueid> or spool:<msg_id>")
    return key


def live_key(call_id: str) -> str:
    return check_key(f"live:{call_id}")


def parse_spool_message(text: str, mailbox: str, name: str = "msg.txt") -> SpoolMessage:
    """The message app_voicemail described in ``text`` (its ``[message]`` section: one
    ``key=value`` a line). Raises VoicemailError naming the file and the field."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith((";", "[")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        fields[key.strip()] = value.strip()
    msg_id = fields.get("msg_id", "")
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,80}", msg_id):
        raise VoicemailError(f"{name}: msg_id {msg_id!r} is missing or not an id")
    try:
        origtime = int(fields.get("origtime", ""))
        received = datetime.fromtimestamp(origtime, UTC)
    except (ValueError, OverflowError, OSError):
        raise VoicemailError(
            f"{name}: origtime {fields.get('origtime')!r} is not an epoch"
        ) from None
    try:
        duration = float(fields.get("duration", "0") or 0)
    except ValueError:
        raise VoicemailError(
            f"{name}: duration {fields.get('duration')!r} is not a number"
        ) from None
    return SpoolMessage(
        msg_id=msg_id,
        mailbox=mailbox,
        caller=caller_number(fields.get("callerid", "")),
        received_at=received,
        duration=max(0.0, duration),
        channel=fields.get("callerchan", "")[:120],
    )


def caller_number(callerid: str) -> str:
    """The number of a caller id as app_voicemail writes it (``"Name" <number>``, or a bare
    number; ``Unknown`` when withheld): digits and a leading + only, "" when none."""
    found = _CALLER.search(callerid)
    raw = (found[1] if found else callerid).strip()
    if not re.fullmatch(r"[+0-9 ()-]{2,30}", raw):
        return ""  # withheld ("Unknown"), or not a number at all
    digits = re.sub(r"[^0-9+]", "", raw)
    return digits if re.fullmatch(r"\+?[0-9]{2,20}", digits) else ""


def audio_path(key: str, received_at: datetime) -> str:
    """Where a message's WAV lives in the recordings store (relative): one directory a
    day under ``voicemail/``, the file named by the key (``:`` is not portable)."""
    check_key(key)
    day = received_at.astimezone(UTC)
    return f"voicemail/{day:%Y/%m/%d}/{key.replace(':', '-')}.wav"


def recording_key(key: str) -> str:
    """The recordings table's ``call_id`` of a message's audio (``vm:`` + the key): never a
    call's own Uniqueid, so a recorded call that ended in voicemail keeps both."""
    return f"vm:{check_key(key)}"


def key_of_recording(call_id: str) -> str:
    """The message key back from its recording's ``call_id`` (the inverse of
    :func:`recording_key`); ValueError naming it when it is not a message's."""
    if not call_id.startswith("vm:"):
        raise ValueError(f"recording call_id {call_id!r} is not a voicemail's (vm:<key>)")
    return check_key(call_id.removeprefix("vm:"))
