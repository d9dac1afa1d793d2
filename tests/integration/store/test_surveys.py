"""Surveys on SQLite and PostgreSQL: the dialplan's markers imported once each (the event
in the same transaction; a bad one moved aside, naming the field), the score put on the
call's interaction, a link answered once, a review, and the facts CSAT is cut by."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from callcenter.domain.surveys import Channel, Outcome, Survey, SurveyError
from callcenter.domain.tickets import CallSummary
from callcenter.services.surveys import LinkPolicy, Surveys
from callcenter.store.db import make_sessions
from callcenter.store.models import CallRow, EventLogRow, PromiseRow, QueueLegRow
from callcenter.store.survey_reports import SqlSurveyReports
from callcenter.store.surveys import SqlSurveys
from callcenter.store.ticket_store import SqlTicketStore
from tests.integration.store.conftest import Clock

UID = "1764669600.12"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Comments:
    def __init__(self) -> None:
        self.adopted: list[tuple[str, str]] = []

    async def adopt_comment(self, call_id: str, path: str, at: datetime, queue: str) -> None:
        self.adopted.append((call_id, path))


class FixedClock:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()


def service(engine: Engine, store: SqlTicketStore, spool: Path, clock: Clock) -> Surveys:
    spool.mkdir(exist_ok=True)
    return Surveys(
        SqlSurveys(make_sessions(engine)), store, Comments(), spool,
        LinkPolicy(b"k" * 32, hours=72), FixedClock(clock),
    )  # fmt: skip


def call(uid: str) -> CallSummary:
    return CallSummary(
        call_id=uid, linked_id=uid, caller="89123456789", dialed="7000", started_at=START,
        ended_at=START + timedelta(seconds=42), outcome="queue", queue="support",
        detail="support", ivr_path=(), flow="main@abc",
    )  # fmt: skip


async def test_a_marker_is_imported_once_onto_the_call_with_its_event(
    db_engine: Engine, store: SqlTicketStore, clock: Clock, tmp_path: Path
) -> None:
    await store.record_call(call(UID))
    surveys = service(db_engine, store, tmp_path / "spool", clock)
    text = f"queue=support agent=1001 s1=4 s2= comment=2026/11/23/sv-{UID}.wav at=1795424500"
    (tmp_path / "spool" / f"{UID}.done").write_text(text)
    (tmp_path / "spool" / "1764669600.13.done").write_text("queue=support s1=9 at=1")
    assert await surveys.import_spool() == 1
    assert (tmp_path / "spool" / "1764669600.13.bad").exists()  # kept, named in the log
    (tmp_path / "spool" / f"{UID}.done").write_text(text)  # the daemon died before unlink
    assert await surveys.import_spool() == 0  # stored once; its steps done again, harmless
    [s] = await surveys.between(START - timedelta(days=1), START + timedelta(days=30))
    assert (s.outcome, s.scores, s.agent) == (Outcome.ANSWERED, (4,), "1001")
    with make_sessions(db_engine)() as session:
        kinds = session.scalars(select(EventLogRow.kind).where(EventLogRow.call_id == UID))
        assert list(kinds).count("survey.answered") == 1
    number = await store.call_ticket(UID)
    assert number is not None
    [interaction] = [i for i in (await store.get_ticket(number)).timeline if i.source_id == UID]
    assert interaction.data["survey"]["scores"] == [4]
    assert interaction.data["survey"]["reviewed"] is False
    reviewed = await surveys.review(s.id, "lena")
    assert reviewed is not None
    assert reviewed.reviewed_by == "lena"
    await surveys.comment_transcribed({"call_id": f"sv:{UID}", "utterances": [{"text": "late"}]})
    [interaction] = [i for i in (await store.get_ticket(number)).timeline if i.source_id == UID]
    assert interaction.data["survey"]["reviewed"] is True
    assert interaction.data["survey_comment"] == "late"


async def test_a_link_is_answered_once_and_never_after_it_expires(
    db_engine: Engine, store: SqlTicketStore, clock: Clock, tmp_path: Path
) -> None:
    surveys = service(db_engine, store, tmp_path / "spool", clock)
    survey, token = await surveys.link("1764669600.20", "support", "1001", None)
    assert (await surveys.pending(token)).id == survey.id
    with pytest.raises(SurveyError, match="scores"):
        await surveys.answer(token, [6])
    answered = await surveys.answer(token, [5, 3])
    assert answered.scores == (5, 3)
    with pytest.raises(SurveyError, match="used already"):
        await surveys.answer(token, [5])
    with pytest.raises(SurveyError, match="already has a survey link"):
        await surveys.link("1764669600.20", "support", "1001", None)
    _, later = await surveys.link("1764669600.21", "support", "1001", None)
    clock.advance(hours=73)
    with pytest.raises(SurveyError, match="expired"):
        await surveys.answer(later, [4])


async def test_the_facts_join_the_call_its_legs_and_the_callers_week(
    db_engine: Engine, store: SqlTicketStore, clock: Clock, tmp_path: Path
) -> None:
    sessions = make_sessions(db_engine)
    rows: list[Any] = []
    for uid, at in (("1764669600.30", START - timedelta(days=2)), ("1764669600.31", START)):
        rows.append(CallRow(call_id=uid, linked_id=uid, caller="+79161234567", dialed="7000",
                            state="ended", started_at=at, flow="main", ivr_path=[]))  # fmt: skip
    rows += [
        QueueLegRow(
            call_id="1764669600.31",
            queue=q,
            entered_at=START,
            day="2026-11-23",
            slot=36,
            outcome="answered",
            wait=w,
            source="daemon",
        )
        for q, w in (("sales", 40.0), ("support", 30.0))
    ]
    # Agent 1001 took another call five minutes before: a load of 2.
    rows.append(QueueLegRow(call_id="1764669600.29", queue="support", agent="1001",
                            entered_at=START - timedelta(minutes=5), day="2026-11-23", slot=35,
                            outcome="answered", source="daemon"))  # fmt: skip
    await store.record_call(call("1764669600.31"))
    ticket = await store.call_ticket("1764669600.31")
    # The caller was promised a callback the day before, and it was broken.
    rows.append(PromiseRow(kind="callback", subject_id=1, queue="support", ticket_id=ticket,
                           made_at=START - timedelta(days=1), due_at=START - timedelta(hours=20),
                           state="broken"))  # fmt: skip
    with sessions() as s:
        s.add_all(rows)
        s.commit()
    surveys = service(db_engine, store, tmp_path / "spool", clock)
    (tmp_path / "spool" / "1764669600.31.done").write_text(
        "queue=support agent=1001 s1=2 s2= comment= at=1795424500"
    )
    await surveys.import_spool()
    [f] = await SqlSurveyReports(sessions).facts(
        START - timedelta(days=1), START + timedelta(days=30)
    )
    assert (f.score, f.flow, f.number, f.legs, f.repeat) == (2, "main", "7000", 2, True)
    assert f.wait == pytest.approx(70.0)
    assert (f.promise, f.load) == ("broken", 2)


async def test_a_survey_stored_before_the_daemon_died_is_put_on_its_call_at_reimport(
    db_engine: Engine, store: SqlTicketStore, clock: Clock, tmp_path: Path
) -> None:
    uid = "1764669600.40"
    await store.record_call(call(uid))
    surveys = service(db_engine, store, tmp_path / "spool", clock)
    marker = "queue=support agent=1001 s1=5 s2= comment= at=1795424500"
    # The daemon stored the survey, then was killed before putting it on the call.
    parsed = Survey(0, uid, Channel.PHONE, Outcome.ANSWERED, "support", "1001", (5,),
                    created_at=START, answered_at=START)  # fmt: skip
    assert await SqlSurveys(make_sessions(db_engine)).record(parsed) is not None
    (tmp_path / "spool" / f"{uid}.done").write_text(marker)
    assert await surveys.import_spool() == 0  # not stored twice…
    number = await store.call_ticket(uid)
    assert number is not None
    [interaction] = [i for i in (await store.get_ticket(number)).timeline if i.source_id == uid]
    assert interaction.data["survey"]["scores"] == [5]  # …but on its call now
    assert not (tmp_path / "spool" / f"{uid}.done").exists()
    with make_sessions(db_engine)() as session:
        kinds = list(session.scalars(select(EventLogRow.kind).where(EventLogRow.call_id == uid)))
    assert kinds.count("survey.answered") == 1
