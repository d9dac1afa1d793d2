"""Knowledge base articles: Markdown, in categories, internal or public, one per slug and
language, each change a new version (the old ones kept to read and restore). Pure.

What the search index holds of an article is its title and its paragraphs as plain lines
(:func:`lines_of`): Markdown's marks stripped, so "**reset** the router" is found by
"reset router" like a transcript's words are."""

from __future__ import annotations

import dataclasses
import enum
import re
from datetime import datetime

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,79}")
CATEGORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _/-]{0,59}")
LANGUAGE = re.compile(r"[a-z]{2}")
MAX_TITLE = 200
MAX_BODY = 50_000
_MARKS = re.compile(r"(^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+)|[*_`~]+|!?\[([^\]]*)\]\([^)]*\)")


class ArticleError(ValueError):
    """An article that cannot be kept; the message starts with the culprit field."""


class Visibility(enum.StrEnum):
    INTERNAL = "internal"  # staff and the chat product
    PUBLIC = "public"  # also the site's help page


@dataclasses.dataclass(frozen=True)
class Article:
    id: int
    slug: str
    title: str
    body: str  # Markdown; rendered with raw HTML off and http(s) links only
    category: str = "General"
    language: str = "en"
    visibility: Visibility = Visibility.INTERNAL
    version: int = 0  # 1 for the first; each change adds one
    updated_at: datetime | None = None
    updated_by: str = ""
    note: str = ""  # why this version (kept with it)


def check_article(article: Article) -> Article:
    """``article`` with its text trimmed; ArticleError naming the first bad field."""
    article = dataclasses.replace(
        article,
        title=article.title.strip(),
        body=article.body.strip(),
        category=article.category.strip(),
        note=article.note.strip()[:500],
    )
    if not SLUG.fullmatch(article.slug):
        raise ArticleError(f"slug: {article.slug!r} must be 2-80 of a-z, 0-9 and '-'")
    if not article.title or len(article.title) > MAX_TITLE:
        raise ArticleError(f"title: 1-{MAX_TITLE} characters")
    if not article.body or len(article.body) > MAX_BODY:
        raise ArticleError(f"body: 1-{MAX_BODY} characters")
    if not CATEGORY.fullmatch(article.category):
        raise ArticleError(f"category: {article.category!r} is not a category name")
    if not LANGUAGE.fullmatch(article.language):
        raise ArticleError(f"language: {article.language!r} is not a two-letter language code")
    if "\x00" in article.title + article.body + article.note:
        raise ArticleError("body: a NUL character cannot be stored")
    return article


def lines_of(article: Article) -> list[str]:
    """What the index holds: the title, then each paragraph as plain words."""
    lines = [article.title]
    for block in re.split(r"\n\s*\n", article.body):
        plain = " ".join(
            _MARKS.sub(lambda m: m.group(3) or "", line) for line in block.splitlines()
        )
        plain = re.sub(r"\s+", " ", plain).strip()
        if plain:
            lines.append(plain[:2000])
    return lines
