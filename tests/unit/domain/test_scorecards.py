"""Scorecards as data: a form validated whole (one broken fixture per rule, each named by
its path), answers checked against the version they are made with, the weighted score,
comments pinned within the call, and the graders' spread."""

from __future__ import annotations

from typing import Any

import pytest

from callcenter.domain.scorecards import (
    NA,
    Form,
    ScorecardError,
    check_answers,
    check_comments,
    parse_sections,
    score,
    spread,
)

SECTIONS: list[dict[str, Any]] = [
    {"title": "Opening", "criteria": [
        {"id": "greeting", "text": "Greeted, said their name", "kind": "yes_no",
         "auto": "greeting"},
        {"id": "verified", "text": "Verified the caller", "kind": "yes_no", "weight": 2,
         "allows_na": True},
    ]},
    {"title": "Resolution", "criteria": [
        {"id": "solved", "text": "Solved the problem", "kind": "scale", "scale": 5, "weight": 3},
    ]},
]  # fmt: skip
FORM = Form(1, "Support calls", 1, parse_sections(SECTIONS))


def broken(path: str, value: object) -> list[dict[str, Any]]:
    """SECTIONS with one value replaced (``path``: section, criterion index, key)."""
    copy: list[dict[str, Any]] = [
        {**s, "criteria": [dict(c) for c in s["criteria"]]} for s in SECTIONS
    ]
    s, c, key = path.split(".")
    copy[int(s)]["criteria"][int(c)][key] = value
    return copy


@pytest.mark.parametrize(
    ("sections", "path"),
    [
        (broken("0.0.id", "Greeting!"), "sections[0].criteria[0].id"),
        (broken("0.1.id", "greeting"), "sections[0].criteria[1].id"),
        (broken("0.0.text", ""), "sections[0].criteria[0].text"),
        (broken("0.0.kind", "stars"), "sections[0].criteria[0].kind"),
        (broken("1.0.weight", 0), "sections[1].criteria[0].weight"),
        (broken("1.0.scale", 1), "sections[1].criteria[0].scale"),
        (broken("0.0.auto", "mood"), "sections[0].criteria[0].auto"),
        (broken("0.0.colour", "red"), "sections[0].criteria[0]"),
        ([{"title": "", "criteria": SECTIONS[0]["criteria"]}], "sections[0].title"),
        ([{"title": "Empty", "criteria": []}], "sections[0].criteria"),
        ([], "sections"),
    ],
)
def test_a_broken_form_is_refused_naming_the_path(sections: object, path: str) -> None:
    with pytest.raises(ScorecardError) as err:
        parse_sections(sections)
    assert err.value.field == path


def test_answers_are_scored_by_weight_and_na_weighs_nothing() -> None:
    answers = check_answers(FORM, {"greeting": True, "verified": NA, "solved": 4})
    # greeting 1 of 1, verified n/a, solved (4-1)/4 = 0.75 of 3: 3.25 of 4
    assert score(FORM, answers) == 81.2
    assert (
        score(FORM, check_answers(FORM, {"greeting": False, "verified": False, "solved": 1})) == 0.0
    )


def test_answers_name_what_is_wrong_and_a_deleted_criterion() -> None:
    with pytest.raises(ScorecardError) as err:
        check_answers(FORM, {"greeting": "yes", "verified": True, "solved": 6, "polite": True})
    assert err.value.field == "answers.polite"  # the criterion a later version deleted
    assert "answers.greeting: 'yes' is not yes/no" in str(err.value)
    assert "answers.solved: 6 is not 1..5" in str(err.value)
    with pytest.raises(ScorecardError, match=r"answers\.greeting"):
        check_answers(FORM, {"greeting": NA, "verified": True, "solved": 3})  # no n/a here


def test_comments_are_pinned_within_the_call_in_order() -> None:
    pinned = check_comments([{"at": 42, "text": "no name"}, {"at": 3.14, "text": " hi "}], 60.0)
    assert pinned == [{"at": 3.1, "text": "hi"}, {"at": 42.0, "text": "no name"}]
    with pytest.raises(ScorecardError, match=r"comments\[0\].at"):
        check_comments([{"at": 95, "text": "after the end"}], 60.0)
    with pytest.raises(ScorecardError, match=r"comments\[0\].text"):
        check_comments([{"at": 5, "text": ""}], 60.0)


def test_the_spread_per_criterion_between_graders() -> None:
    a = check_answers(FORM, {"greeting": True, "verified": NA, "solved": 5})
    b = check_answers(FORM, {"greeting": False, "verified": True, "solved": 3})
    assert spread([(FORM, a), (FORM, b)]) == {"greeting": 1.0, "verified": None, "solved": 0.5}
