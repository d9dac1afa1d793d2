"""Articles as data: each bad field named; what the index holds is the title and the
paragraphs as plain words."""

from __future__ import annotations

import dataclasses

import pytest

from callcenter.domain.articles import Article, ArticleError, check_article, lines_of

RESET = Article(0, "router-reset", "Resetting the router", "Unplug it.")


@pytest.mark.parametrize(
    ("change", "culprit"),
    [
        ({"slug": "R"}, "slug: 'R'"),
        ({"title": " "}, "title:"),
        ({"body": ""}, "body:"),
        ({"category": "!"}, "category: '!'"),
        ({"language": "english"}, "language: 'english'"),
        ({"body": "a\x00b"}, "body: a NUL"),
    ],
)
def test_a_bad_article_is_refused_naming_the_field(change: dict[str, str], culprit: str) -> None:
    with pytest.raises(ArticleError, match=culprit):
        check_article(dataclasses.replace(RESET, **change))


def test_the_index_holds_the_title_and_plain_paragraphs() -> None:
    body = (
        "# Steps\n\n1. **Unplug** the `router`\n2. See [the guide](https://x.org)"
        "\n\n> wait _ten_ seconds"
    )
    assert lines_of(dataclasses.replace(RESET, body=body)) == [
        "Resetting the router",
        "Steps",
        "Unplug the router See the guide",
        "wait ten seconds",
    ]
