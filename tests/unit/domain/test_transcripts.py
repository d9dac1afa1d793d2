from __future__ import annotations

import re

import pytest

from callcenter.domain.transcripts import (
    REDACTED,
    TranscriptError,
    Utterance,
    as_json,
    from_json,
    merge,
    redact,
    utterances,
)


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("my card is 4111 1111 1111 1111 thanks", f"my card is {REDACTED} thanks"),
        ("4111-1111-1111-1111", REDACTED),
        (
            "four one one one one one one one one one one one one one one one",
            REDACTED,
        ),
        ("два два ноль ноль один два три четыре пять шесть семь восемь девять", REDACTED),
        ("call me at 8 916 123 45 67", "call me at 8 916 123 45 67"),  # a phone: 11 digits
        ("order 123456", "order 123456"),
    ],
)
def test_card_numbers_keyed_or_spoken_are_redacted(said: str, kept: str) -> None:
    assert redact(said) == kept


def test_configured_patterns_are_redacted_too() -> None:
    assert redact("passport 4509 123456", [re.compile(r"passport \d{4} \d{6}")]) == REDACTED


def _word(word: str, start: float, end: float) -> dict[str, object]:
    return {"word": word, "start": start, "end": end, "conf": 0.9}


def test_results_become_utterances_and_a_redacted_one_keeps_no_words() -> None:
    results = [
        {"result": [_word("hello", 0.5, 0.9), _word("there", 0.9, 1.3)], "text": "hello there"},
        {"text": ""},  # silence: no utterance
        {
            "result": [
                _word(d, 2.0 + i / 10, 2.05 + i / 10) for i, d in enumerate("4111111111111111")
            ]
        },
    ]
    said = utterances(results, "caller")
    assert [(u.start, u.end, u.text) for u in said] == [
        (0.5, 1.3, "hello there"),
        (2.0, 3.55, REDACTED),
    ]
    assert len(said[0].words) == 2
    assert said[1].words == ()  # the words' times would tell the digits
    with pytest.raises(TranscriptError, match="word times"):
        utterances([{"result": [{"word": "x"}]}], "agent")


def test_both_speakers_merge_into_one_timeline_and_round_trip() -> None:
    caller = [Utterance("caller", 0.0, 1.0, "a", 0.9), Utterance("caller", 5.0, 6.0, "c", 0.9)]
    agent = [Utterance("agent", 2.0, 3.0, "b", 0.8), Utterance("agent", 5.0, 5.5, "d", 0.8)]
    timeline = merge(caller, agent)
    assert [u.text for u in timeline] == ["a", "b", "c", "d"]  # caller first on a tie
    assert tuple(from_json(as_json(u)) for u in timeline) == timeline
