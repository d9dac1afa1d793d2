"""Articles' Markdown as HTML, safely: markdown-it (CommonMark) with raw HTML off — a
``<script>`` in an article is shown as text — and only http(s) and mailto links (a
``javascript:`` link stays text); images are not rendered (their URL is shown as a link
would be), so an article cannot make a reader's browser fetch anything."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

_ALLOWED = ("http://", "https://", "mailto:")


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(_ALLOWED)


_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MD.disable("image")
_MD.validateLink = _safe_link  # type: ignore[method-assign]


def render(markdown: str) -> str:
    """The article's body as HTML: headings, lists, emphasis, code, quotes, links."""
    html = str(_MD.render(markdown))
    # Links open outside the staff application, and tell the target nothing of it.
    return html.replace("<a href=", '<a rel="noopener noreferrer nofollow" target="_blank" href=')


# The page builds the article from this tree with DOM calls (no markup parsed in the
# browser): each node a tag of this list with its children, or a text.
_TAGS = {
    "paragraph": "p",
    "bullet_list": "ul",
    "ordered_list": "ol",
    "list_item": "li",
    "em": "em",
    "strong": "strong",
    "blockquote": "blockquote",
    "link": "a",
    "hr": "hr",
    "hardbreak": "br",
    "s": "s",
}


def tree(markdown: str) -> list[dict[str, Any]]:
    """The article's body as nodes: ``{"tag", "children"[, "href"]}`` or ``{"text"}``."""
    return _children(SyntaxTreeNode(_MD.parse(markdown)))


def _children(node: SyntaxTreeNode) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for child in node.children:
        out += _node(child)
    return out


def _node(node: SyntaxTreeNode) -> list[dict[str, Any]]:
    kind = node.type
    if kind == "text":
        return [{"text": node.content}]
    if kind == "softbreak":
        return [{"text": "\n"}]
    if kind in ("code_inline",):
        return [{"tag": "code", "children": [{"text": node.content}]}]
    if kind in ("fence", "code_block"):
        return [{"tag": "pre", "children": [{"text": node.content}]}]
    if kind == "heading":
        return [{"tag": node.tag, "children": _children(node)}]
    if kind == "inline":
        return _children(node)
    tag = _TAGS.get(kind)
    if tag is None:  # anything else (an html_inline escaped as text by html=False) as text
        return [{"text": node.content}] if node.content else _children(node)
    out: dict[str, Any] = {"tag": tag, "children": _children(node)}
    if kind == "link":
        out["href"] = str(node.attrs.get("href", ""))
    return [out]
