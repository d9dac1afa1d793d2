"""Calls as the contact center sees them, and the events a call goes through.

Ids: ``call_id`` is Asterisk's Uniqueid of the caller's channel (stable for the call's life,
unique per Asterisk); ``linked_id`` is Asterisk's Linkedid, shared by every channel of the
same conversation. Both are the keys that make event handling idempotent.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime

DTMF_DIGITS = frozenset("0123456789*#ABCD")


class CallOutcome(enum.StrEnum):
    COMPLETED = "completed"  # the daemon finished the call itself (IVR hung up)
    QUEUE = "queue"  # handed to an app_queue queue
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"
    TRANSFER = "transfer"
    ABANDONED = "abandoned"  # the caller hung up first
    FALLBACK = "fallback"  # handed to the fallback queue in dialplan
    FAILED = "failed"  # we could not drive the call (Asterisk refused a command)
    LOST = "lost"  # its node failed while the caller was on it


class CallState(enum.StrEnum):
    IVR = "ivr"
    ENDED = "ended"


def check_digit(digit: str) -> str:
    """Return ``digit`` if it is one DTMF symbol, else raise ValueError naming it."""
    if digit not in DTMF_DIGITS:
        raise ValueError(f"not a DTMF digit: {digit!r}")
    return digit


@dataclasses.dataclass(frozen=True)
class CallRecord:
    call_id: str
    linked_id: str
    caller: str
    dialed: str
    started_at: datetime
    state: CallState = CallState.IVR
    digits: str = ""
    outcome: CallOutcome | None = None
    ended_at: datetime | None = None
    flow: str = ""  # name@version the call ran
    ivr_path: tuple[dict[str, str], ...] = ()
    outcome_detail: str = ""  # e.g. the queue or mailbox
    node: str = ""  # the node whose Asterisk has the call
    hung_up_at: datetime | None = None  # when the caller's channel ended (None: still on)
    lost: str = ""  # why the call was lost ("node failure (a)"), "" if it was not


@dataclasses.dataclass(frozen=True)
class IvrResult:
    """What the caller did in the IVR and where it sent them."""

    flow: str
    path: tuple[dict[str, str], ...]
    outcome: CallOutcome
    detail: str = ""
    language: str = ""  # the language the IVR left the call in ("" if it set none)


# -- events the telephony edge delivers, already translated from ARI --------------------


@dataclasses.dataclass(frozen=True)
class CallEntered:
    """A call entered our Stasis application."""

    call_id: str
    linked_id: str
    caller: str
    dialed: str
    args: tuple[str, ...]
    language: str = ""  # the channel's (the IVR sets it): what prompts and due times are said in
    created: datetime | None = None  # when Asterisk made the channel (ARI's creationtime)


@dataclasses.dataclass(frozen=True)
class DtmfReceived:
    call_id: str
    digit: str


@dataclasses.dataclass(frozen=True)
class PlaybackFinished:
    call_id: str
    playback_id: str


@dataclasses.dataclass(frozen=True)
class RecordingEnded:
    """A recording on the call stopped (ARI RecordingFinished, or RecordingFailed)."""

    call_id: str
    name: str
    finished: bool  # False: Asterisk could not record
    duration: float = 0.0
    cause: str = ""


@dataclasses.dataclass(frozen=True)
class CallLeft:
    """The call hung up or left our application."""

    call_id: str
    hung_up: bool


CallEvent = CallEntered | DtmfReceived | PlaybackFinished | RecordingEnded | CallLeft


@dataclasses.dataclass(frozen=True)
class MediaTapEnded:
    """A live-transcript tap (an ARI snoop channel: never a call) went away — the party it
    listened to hung up."""

    tap_id: str


# Channels the daemon creates itself to hear a call (snoop, external media): never calls.
TAP_CHANNELS = ("Snoop/", "UnicastRTP/")


@dataclasses.dataclass(frozen=True)
class FallbackCall:
    """A call the dialplan sent to the fallback queue, or (``queue`` set) a caller beyond
    the load it offered a callback while the daemon was down (from its spool line)."""

    call_id: str
    linked_id: str
    at: datetime
    caller: str
    queue: str = ""
