"""What the flow engine is fed (events), what it returns (commands), and the immutable
session it carries from one step to the next."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

# -- events ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Start:
    at: datetime
    caller: str = ""
    caller_known: bool = False
    node: str = ""  # resume at this node (e.g. after a queue timeout)


@dataclasses.dataclass(frozen=True)
class Digit:
    at: datetime
    digit: str


@dataclasses.dataclass(frozen=True)
class PlaybackDone:
    at: datetime


@dataclasses.dataclass(frozen=True)
class Timeout:
    at: datetime


Event = Start | Digit | PlaybackDone | Timeout

# -- commands --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Play:
    media: tuple[str, ...]  # ARI media URIs: sound:x, digits:123, number:42
    language: str


@dataclasses.dataclass(frozen=True)
class StopPlayback:
    pass


@dataclasses.dataclass(frozen=True)
class WaitForInput:
    seconds: float


@dataclasses.dataclass(frozen=True)
class SetLanguage:
    language: str


@dataclasses.dataclass(frozen=True)
class Finish:
    """The IVR is over: ``outcome`` is queue, voicemail, callback, transfer or hangup."""

    outcome: str
    target: str = ""
    priority: int = 0
    timeout: float = 0.0
    resume_node: str = ""
    reason: str = ""
    announce_recording: bool = False
    # callback: what asks the caller for a time to be called at (media, as for Play)
    ask_time: tuple[str, ...] = ()


Command = Play | StopPlayback | WaitForInput | SetLanguage | Finish

# -- session ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Step:
    """One entry of the call's IVR path."""

    flow: str
    node: str
    type: str
    detail: str = ""


@dataclasses.dataclass(frozen=True)
class Session:
    flow: str
    node: str = ""
    phase: str = "new"  # new, playing, waiting, done
    language: str = "en"
    vars: Mapping[str, str] = dataclasses.field(default_factory=dict)
    caller: str = ""
    caller_known: bool = False
    retries: int = 0
    digits: str = ""  # collected so far by a collect node
    typeahead: str = ""  # digits pressed over a prompt with barge-in, for the next input node
    path: tuple[Step, ...] = ()
    outcome: Finish | None = None
