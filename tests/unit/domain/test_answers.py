"""Canned answers as data: checked (each bad field named, an unknown placeholder named),
filled (a missing value left out and named), found and ranked."""

from __future__ import annotations

import dataclasses

import pytest

from callcenter.domain.answers import AnswerError, CannedAnswer, check_answer, fill, rank

HOURS = CannedAnswer(
    1, "hours", "Opening hours", "Hello {customer.name}, we are open 9-18. — {agent.name}"
)


@pytest.mark.parametrize(
    ("change", "culprit"),
    [
        ({"shortcut": "H"}, "shortcut: 'H'"),
        ({"shortcut": "has space"}, "shortcut:"),
        ({"title": "  "}, "title:"),
        ({"body": "x" * 4001}, "body: 1-4000"),
        ({"body": "Dear {customer.nme}"}, "body: unknown placeholder {customer.nme}"),
        ({"language": "eng"}, "language: 'eng'"),
        ({"team": "<b>"}, "team: '<b>'"),
    ],
)
def test_a_bad_answer_is_refused_naming_the_field(change: dict[str, str], culprit: str) -> None:
    with pytest.raises(AnswerError, match=culprit.replace("{", r"\{").replace("}", r"\}")):
        check_answer(dataclasses.replace(HOURS, **change))


def test_filled_from_what_is_known_and_the_missing_named() -> None:
    filled = fill(HOURS, {"customer.name": "Olga", "agent.name": "Ivan"})
    assert filled.text == "Hello Olga, we are open 9-18. — Ivan"
    assert filled.missing == ()
    partial = fill(HOURS, {"agent.name": "Ivan"})
    assert partial.text == "Hello , we are open 9-18. — Ivan"
    assert partial.missing == ("customer.name",)


def test_markup_in_a_value_stays_text() -> None:
    filled = fill(HOURS, {"customer.name": "<script>x</script>", "agent.name": "I"})
    assert "<script>x</script>" in filled.text  # the pages set it as text, never HTML


def test_found_by_words_or_shortcut_for_a_team_and_language() -> None:
    answers = [
        HOURS,
        dataclasses.replace(HOURS, id=2, shortcut="hours", team="billing", uses=1),
        dataclasses.replace(HOURS, id=3, shortcut="refund", title="Refunds", body="5 days", uses=9),
        dataclasses.replace(HOURS, id=4, shortcut="chasy", language="ru", body="Мы работаем"),
        dataclasses.replace(HOURS, id=5, shortcut="hours2", team="sales"),
    ]
    assert [a.id for a in rank(answers, "/hou", "en", "billing")] == [2, 1]  # team's own first
    assert [a.id for a in rank(answers, "open 9", "en", "")] == [2, 1, 5]  # by uses
    assert [a.id for a in rank(answers, "работаем", "ru", "")] == [4]
    assert [a.id for a in rank(answers, "работаем", "zh", "")] == [4]  # none in zh: any
    assert rank(answers, "", "en", "")[0].id == 3  # the most used first
