"""Surveys as data: the dialplan's marker read field by field (no answer is never a
score), link tokens signed, expiring and refused when forged, CSAT and what agents see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.surveys import (
    Outcome,
    SurveyError,
    check_score,
    check_scores,
    csat,
    csat_by,
    parse_marker,
    read_link,
    shown,
    sign_link,
    token_digest,
)

KEY = b"k" * 32
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
UID = "1764669600.12"


def test_a_scored_marker_with_a_comment() -> None:
    m = parse_marker(
        UID, f"queue=support agent=1001 s1=4 s2=5 comment=2026/12/07/sv-{UID}.wav at=1764669700"
    )
    assert (m.queue, m.agent, m.scores, m.outcome) == ("support", "1001", (4, 5), Outcome.ANSWERED)
    assert m.comment == f"2026/12/07/sv-{UID}.wav"
    assert m.at == 1764669700.0


def test_a_caller_who_hung_up_at_the_question_is_no_answer_never_a_score() -> None:
    m = parse_marker(UID, "queue=support agent=1001 s1= s2= comment= at=1764669700")
    assert m.scores == ()
    assert m.outcome is Outcome.NO_ANSWER
    assert m.comment == ""


@pytest.mark.parametrize(
    ("call_id", "text", "field"),
    [
        ("x", "queue=q agent= s1= s2= comment= at=1", "call_id"),
        (UID, "queue=q;rm agent= s1= s2= comment= at=1", "queue"),
        (UID, "queue=q agent=10a1 s1= s2= comment= at=1", "agent"),
        (UID, "queue=q agent= s1=7 s2= comment= at=1", "s1"),
        (UID, "queue=q agent= s1=x s2= comment= at=1", "s1"),
        (UID, "queue=q agent= s1=3 s2= comment=../../etc/passwd at=1", "comment"),
        (UID, "queue=q agent= s1= s2= comment= at=soon", "at"),
        (UID, "queue=q evil=1 at=1", "marker"),
    ],
)
def test_a_bad_marker_names_the_field(call_id: str, text: str, field: str) -> None:
    with pytest.raises(SurveyError) as err:
        parse_marker(call_id, text)
    assert err.value.field == field


@pytest.mark.parametrize("value", [0, 6, -1, 2.5, "4", True, None])
def test_a_score_off_the_scale_is_refused_naming_it(value: object) -> None:
    with pytest.raises(SurveyError, match="score"):
        check_score(value)


def test_scores_are_one_or_two() -> None:
    assert check_scores([5, 1]) == (5, 1)
    with pytest.raises(SurveyError, match="scores"):
        check_scores([])
    with pytest.raises(SurveyError, match=r"scores\[1\]"):
        check_scores([3, 9])


def test_a_link_reads_back_until_it_expires_and_a_forged_one_never() -> None:
    token = sign_link(KEY, 42, NOW + timedelta(hours=72))
    assert read_link(KEY, token, NOW) == 42
    with pytest.raises(SurveyError, match="expired"):
        read_link(KEY, token, NOW + timedelta(hours=73))
    with pytest.raises(SurveyError, match="not a survey link of ours"):
        read_link(b"x" * 32, token, NOW)
    forged = token.replace("42.", "43.", 1)
    with pytest.raises(SurveyError, match="not a survey link of ours"):
        read_link(KEY, forged, NOW)
    with pytest.raises(SurveyError, match="not a survey link"):
        read_link(KEY, "nonsense", NOW)
    with pytest.raises(SurveyError, match="not a survey link of ours"):
        read_link(KEY, "681.844486676068.b", NOW)  # an expiry past year 9999: no date made
    assert token not in token_digest(token)  # the store keeps a digest, never the token


def test_csat_is_the_share_of_four_and_five_among_answers() -> None:
    c = csat([5, 4, 3, 1, None, None])
    assert (c.answered, c.no_answer, c.satisfied) == (4, 2, 2)
    assert c.csat == 50.0
    assert c.mean == 3.25
    assert c.response_rate == pytest.approx(66.7)
    assert csat([None]).csat is None
    assert list(csat_by([("b", 5), ("a", 1)])) == ["a", "b"]


def test_an_unreviewed_survey_shows_its_id_only() -> None:
    data = {"queue": "support", "survey": {"id": 3, "scores": [2], "reviewed": False},
            "survey_comment": "rude"}  # fmt: skip
    assert shown(data) == {"queue": "support", "survey": {"id": 3, "reviewed": False}}
    reviewed = {**data, "survey": {"id": 3, "scores": [2], "reviewed": True}}
    assert shown(reviewed) == reviewed
    assert shown({"queue": "support"}) == {"queue": "support"}
