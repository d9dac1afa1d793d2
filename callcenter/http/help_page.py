"""The public help page a site links beside its click-to-call widget: ``/help`` lists the
knowledge base's **public** articles in the visitor's language (``?lang=``, else the
browser's), by category; ``/help/{slug}`` shows one. No sign-in, nothing internal: an
internal article is 404 here. Served with the site's CSP like every page; titles are
escaped, bodies rendered with raw HTML off and http(s) links only, no script at all."""

from __future__ import annotations

import functools
import html
import json
from itertools import groupby
from pathlib import Path

from aiohttp import web

from callcenter.domain.articles import Article, Visibility
from callcenter.domain.staff import LOCALES
from callcenter.http.api_articles import ARTICLES
from callcenter.http.article_render import render
from callcenter.http.page import Page
from callcenter.http.shell import negotiate
from callcenter.services.articles import Articles

CATALOGUES = Path(__file__).resolve().parents[2] / "web" / "src" / "locales"


@functools.cache
def _catalogue(language: str) -> dict[str, str]:
    """The staff application's message catalogue (the help.* keys are the page's words)."""
    path = CATALOGUES / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def words(language: str, key: str) -> str:
    return html.escape(_catalogue(language).get(key) or _catalogue("en").get(key, key))


def visitor_language(request: web.Request) -> str:
    asked = request.query.get("lang", "")
    return asked if asked in LOCALES else negotiate(request.headers.get("Accept-Language"))


HELP: web.AppKey[Articles] = web.AppKey("help_articles")


async def _public(request: web.Request, language: str) -> list[Article]:
    articles = request.app[HELP]
    found = await articles.listed(language=language, visibility=Visibility.PUBLIC)
    return found or await articles.listed(visibility=Visibility.PUBLIC)


def public_page(language: str, title: str, body: str) -> web.Response:
    """``title`` and ``body``: HTML already escaped."""
    text = (
        f'<!doctype html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="stylesheet" href="/static/app/app.css">\n'
        f'<title>{html.escape(title)}</title>\n</head>\n<body>\n<main id="main" class="help">\n'
        f"{body}\n</main>\n</body>\n</html>\n"
    )
    return web.Response(
        text=text, content_type="text/html", headers={"Cache-Control": "max-age=60"}
    )


async def help_index(request: web.Request) -> web.Response:
    language = visitor_language(request)
    articles = await _public(request, language)
    parts = [f"<h1>{words(language, 'help.title')}</h1>"]
    if not articles:
        parts.append(f"<p>{words(language, 'help.none')}</p>")
    for category, group in groupby(articles, key=lambda a: a.category):
        items = "".join(
            f'<li><a href="/help/{a.slug}?lang={a.language}">{html.escape(a.title)}</a></li>'
            for a in group
        )
        parts.append(f"<h2>{html.escape(category)}</h2>\n<ul>{items}</ul>")
    return public_page(language, words(language, "help.title"), "\n".join(parts))


async def help_article(request: web.Request) -> web.Response:
    language, slug = visitor_language(request), request.match_info["slug"]
    found = [a for a in await _public(request, language) if a.slug == slug]
    if not found:
        raise web.HTTPNotFound(text="no such help article")
    article = found[0]
    back_text = words(language, "help.back")
    back = f'<p><a href="/help?lang={article.language}">{back_text}</a></p>'
    body = (
        f"<h1>{html.escape(article.title)}</h1>\n<article>{render(article.body)}</article>\n{back}"
    )
    return public_page(article.language, html.escape(article.title), body)


def add_help_pages(app: web.Application, articles: Articles) -> None:
    app[HELP] = articles
    app.router.add_get("/help", help_index)
    app.router.add_get("/help/{slug:[a-z0-9][a-z0-9-]{1,79}}", help_article)


HELP_PAGE = Page(ARTICLES, lambda app, s: add_help_pages(app, s[ARTICLES]), needs_api=False)
