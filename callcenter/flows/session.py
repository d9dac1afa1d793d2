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


@dataclasses.dataclass(frozen=True)
class LookupDone:
    """A lookup's answer (its JSON object), or why there is none (``error``)."""

    at: datetime
    answer: Mapping[str, object] | None = None
    error: str = ""


Event = Start | Digit | PlaybackDone | Timeout | LookupDone

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
    survey: bool = False  # queue: a post-call survey, whatever the queue's own setting
    # callback: what asks the caller for a time to be called at (media, as for Play)
    ask_time: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Lookup:
    """Ask ``endpoint`` (a [[lookups]] name) with ``params`` as its query; ``seconds``: the
    longest to wait (0: as long as the endpoint allows). Answered by :class:`LookupDone`."""

    endpoint: str
    params: Mapping[str, str]
    seconds: float = 0.0


Command = Play | StopPlayback | WaitForInput | SetLanguage | Finish | Lookup

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
    phase: str = "new"  # new, playing, waiting, looking, done
    language: str = "en"
    vars: Mapping[str, str] = dataclasses.field(default_factory=dict)
    caller: str = ""
    caller_known: bool = False
    retries: int = 0
    digits: str = ""  # collected so far by a collect node
    typeahead: str = ""  # digits pressed over a prompt with barge-in, for the next input node
    path: tuple[Step, ...] = ()
    outcome: Finish | None = None
