"""An evaluation of a recorded call against a scorecard: what a grader submits, and the
same as stored — submitted once, never edited; superseded by another (with a reason);
responded to by its agent."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any


@dataclasses.dataclass(frozen=True)
class NewEvaluation:
    """What a grader submits (checked against its scorecard)."""

    recording_id: int
    agent: str
    scorecard_id: int
    grader: str
    answers: dict[str, Any]
    comments: list[dict[str, Any]]
    score: float | None
    submitted_at: datetime


@dataclasses.dataclass(frozen=True, kw_only=True)
class Evaluation(NewEvaluation):
    """A submitted evaluation, with what happened to it since."""

    id: int
    supersedes: int | None = None
    superseded_by: int | None = None
    reason: str = ""  # why it superseded the other
    response: str = ""  # acknowledged, disputed
    responded_at: datetime | None = None
    dispute: str = ""
