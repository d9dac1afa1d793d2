"""What a search query is, and which lines of an interaction are searched."""

from __future__ import annotations

import pytest

from callcenter.domain.search import (
    Line,
    SearchError,
    Term,
    fts5_query,
    lines_of,
    parse_query,
    tsquery,
)


def test_a_query_is_its_words_lowercased_once_each_with_prefixes() -> None:
    terms = parse_query('Parcel  "late"  parcel  deliv* 42')
    assert terms == (Term("parcel"), Term("late"), Term("deliv", True), Term("42"))
    assert fts5_query(terms) == '"parcel" "late" "deliv"* "42"'
    assert tsquery(terms) == "parcel & late & deliv:* & 42"
    assert parse_query("Заказ №5") == (Term("заказ"), Term("5"))


@pytest.mark.parametrize(
    ("q", "why"),
    [
        ("", "no word"),
        ("!!! & | ( ) * :", "no word"),
        ("___", "no word"),
        ("w" * 201, "at most 200 characters"),
        (" ".join(f"w{n}" for n in range(9)), "at most 8 words"),
    ],
)
def test_a_query_without_words_or_too_big_is_refused_naming_q(q: str, why: str) -> None:
    with pytest.raises(SearchError, match=f"^q: .*{why}"):
        parse_query(q)


def test_operators_of_either_database_never_reach_it() -> None:
    terms = parse_query('"a" OR b) NOT c:* & !d NEAR(e')
    assert all(t.word.isalnum() for t in terms)
    assert '"' not in "".join(t.word for t in terms)
    assert fts5_query(terms).count('"') == 2 * len(terms)


def test_a_transcript_gives_a_line_per_utterance_with_speaker_and_second() -> None:
    data = {
        "transcript": {
            "recording_id": 7,
            "utterances": [
                {"speaker": "caller", "start": 0.5, "end": 2.0, "text": "hello"},
                {"speaker": "agent", "start": 2.5, "end": 3.0, "text": "  "},
                {"speaker": "agent", "start": 3, "end": 4.0, "text": "good morning"},
                "garbage",
            ],
        }
    }
    assert lines_of("call", "inbound", "", data) == [
        Line("call", "caller", "hello", 0.5, 7),
        Line("call", "agent", "good morning", 3.0, 7),
    ]
    assert lines_of("voicemail", "inbound", "", {"transcript": None}) == []
    assert lines_of("call", "inbound", "", {}) == []


def test_a_message_is_one_line_said_by_the_customer_or_the_staff() -> None:
    assert lines_of("chat_message", "inbound", "where is it?", {}) == [
        Line("chat_message", "customer", "where is it?")
    ]
    assert lines_of("note", "internal", "call back at 5", {}) == [
        Line("note", "staff", "call back at 5")
    ]
    assert lines_of("email", "outbound", "   ", {}) == []
    [long] = lines_of("chat_message", "inbound", "x" * 10000, {})
    assert len(long.text) == 4000
