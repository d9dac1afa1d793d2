"""Suggested articles as data: on the labelled set that ships with the tests (questions as
callers phrase them → the article that answers them) the ranking's top 3 holds the right
article more often than the keyword baseline's; tags and the IVR path count; stems join a
word's forms in English and Russian."""

from __future__ import annotations

import json
from pathlib import Path

from callcenter.domain.suggest import CallContext, SuggestIndex, keyword_rank, stems

LABELLED = json.loads((Path(__file__).parents[2] / "data" / "kb_labelled.json").read_text())
ARTICLES = [(a["id"], a["title"], a["body"]) for a in LABELLED["articles"]]


def context(q: dict[str, object]) -> CallContext:
    return CallContext(str(q["text"]), tuple(q.get("tags", ())), tuple(q.get("ivr", ())))  # type: ignore[arg-type]


def test_the_ranking_beats_the_keyword_baseline_on_the_labelled_set() -> None:
    index = SuggestIndex(ARTICLES)
    questions = LABELLED["questions"]
    ours = sum(q["article"] in [i for i, _ in index.rank(context(q), 3)] for q in questions)
    baseline = sum(q["article"] in keyword_rank(ARTICLES, context(q), 3) for q in questions)
    assert ours / len(questions) >= 0.9, (ours, baseline)
    assert ours > baseline


def test_a_tag_or_the_ivr_path_decides_when_words_alone_do_not() -> None:
    index = SuggestIndex(ARTICLES)
    vague = "it does not work again"
    assert index.rank(CallContext(vague, tags=("roaming",)), 1)[0][0] == 8
    assert index.rank(CallContext(vague, ivr=("main_menu", "internet")), 1)[0][0] in (1, 15)
    assert index.rank(CallContext(""), 3) == []


def test_stems_join_a_words_forms_and_drop_filler() -> None:
    assert stems("Delivered deliveries, DELIVERY!") == ["deliv", "deliv", "deliv"]
    assert stems("доставка доставку") == ["доста", "доста"]
    assert stems("hello please the") == []
    assert stems("order_status") == ["order", "statu"]
