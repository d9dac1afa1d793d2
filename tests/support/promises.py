"""Closed callback promises written as the service writes them, for the tests of the
predictor's history and of the calibration (real SQLite or PostgreSQL rows)."""

from __future__ import annotations

from datetime import datetime, timedelta

from callcenter.store.models import PromiseRow


def served_promise(
    subject_id: int,
    queue: str,
    made: datetime,
    told: timedelta,
    served: timedelta,
    expected: timedelta | None = None,
    state: str = "kept",
    repromised_at: datetime | None = None,
) -> PromiseRow:
    """A promise made at ``made``, told ``told`` later, answered ``served`` later (its
    prediction: ``expected`` later, else when it was served)."""
    return PromiseRow(
        kind="callback",
        subject_id=subject_id,
        queue=queue,
        made_at=made,
        due_at=made + told,
        state=state,
        expected_at=made + (expected if expected is not None else served),
        basis="measured",
        closed_at=made + served,
        outcome="answered by 1001",
        repromised_at=repromised_at,
    )
