"""Search across phone and chat on SQLite (FTS5) and PostgreSQL (full-text): a call's
transcript, a voicemail's and a chat message are found by the same words, each hit with
its ticket, interaction, speaker and second in the recording."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from callcenter.domain.search import parse_query
from callcenter.domain.tickets import (
    Direction,
    InteractionKind,
    NewInteraction,
    VoicemailSummary,
)
from callcenter.store.db import make_sessions
from callcenter.store.search import SqlSearch
from callcenter.store.ticket_store import SqlTicketStore
from tests.integration.store.test_tickets import call


def transcript(recording_id: int, *lines: tuple[str, float, str]) -> dict[str, object]:
    return {
        "transcript": {
            "recording_id": recording_id,
            "utterances": [
                {"speaker": who, "start": at, "end": at + 1.5, "text": said, "words": []}
                for who, at, said in lines
            ],
        }
    }


async def test_one_query_finds_calls_voicemails_and_chat(
    store: SqlTicketStore, db_engine: Engine
) -> None:
    search = SqlSearch(make_sessions(db_engine))
    phoned = await store.record_call(call("1796300000.1", caller="89123456789"))
    await store.update_call(
        "1796300000.1",
        transcript(
            7,
            ("caller", 0.4, "my parcel never arrived"),
            ("agent", 3.2, "let me check the parcel tracking"),
        ),
    )
    left = await store.record_voicemail(
        VoicemailSummary(
            "live:1796300000.2",
            "89123456780",
            "100",
            "support",
            datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        )
    )
    await store.update_voicemail(
        "live:1796300000.2", transcript(8, ("caller", 1.0, "the Parcel is late again"))
    )
    chat, _ = await store.append_interaction(
        phoned.ticket_number,
        NewInteraction(
            InteractionKind.CHAT_MESSAGE,
            Direction.INBOUND,
            "Where is my parcel? Tracking says nothing",
            source="chat",
            source_id="conv-1/msg-1",
        ),
    )

    hits = await search.find(parse_query("parcel"), 10)
    assert {(h.kind, h.speaker) for h in hits} == {
        ("call", "caller"),
        ("call", "agent"),
        ("voicemail", "caller"),
        ("chat_message", "customer"),
    }
    agent = next(h for h in hits if h.speaker == "agent")
    assert (agent.ticket_number, agent.interaction_id) == (phoned.ticket_number, phoned.id)
    assert (agent.recording_id, agent.start) == (7, 3.2)
    said = next(h for h in hits if h.kind == "voicemail")
    assert (said.ticket_number, said.recording_id, said.start) == (left.ticket_number, 8, 1.0)

    # Every word must be there; a prefix with *; kinds and a ticket narrow it.
    both = await search.find(parse_query("parcel tracking"), 10)
    assert {h.kind for h in both} == {"call", "chat_message"}
    assert [h.speaker for h in both if h.kind == "call"] == ["agent"]
    assert len(await search.find(parse_query("arriv*"), 10)) == 1
    assert await search.find(parse_query("arriv"), 10) == []
    only_chat = await search.find(parse_query("parcel"), 10, kinds=["chat_message"])
    assert [h.interaction_id for h in only_chat] == [chat.id]
    on_ticket = await search.find(parse_query("parcel"), 10, ticket=left.ticket_number)
    assert [h.kind for h in on_ticket] == ["voicemail"]


async def test_a_new_transcript_replaces_the_old_lines_and_reindex_rebuilds(
    store: SqlTicketStore, db_engine: Engine
) -> None:
    search = SqlSearch(make_sessions(db_engine))
    await store.record_call(call("1796300000.3"))
    await store.update_call("1796300000.3", transcript(9, ("caller", 0.0, "refund please")))
    await store.update_call("1796300000.3", transcript(9, ("caller", 0.0, "exchange please")))
    assert await search.find(parse_query("refund"), 10) == []
    assert len(await search.find(parse_query("exchange"), 10)) == 1
    # Other changes of the call leave its lines alone.
    await store.update_call("1796300000.3", {"agent": "1001"})
    assert len(await search.find(parse_query("exchange"), 10)) == 1
    assert await search.reindex() == 1
    [hit] = await search.find(parse_query("PLEASE"), 10)
    assert hit.text == "exchange please"


async def test_query_syntax_of_either_database_is_just_words(
    store: SqlTicketStore, db_engine: Engine
) -> None:
    search = SqlSearch(make_sessions(db_engine))
    await store.record_call(call("1796300000.4"))
    await store.update_call(
        "1796300000.4", transcript(10, ("caller", 0.0, "номер заказа 5521 OR NOT"))
    )
    # FTS5 and tsquery operators are words here, never syntax.
    assert len(await search.find(parse_query('"5521" OR (NOT) & !'), 10)) == 1
    assert len(await search.find(parse_query("Заказа"), 10)) == 1
    assert await search.find(parse_query("5521 missing"), 10) == []
