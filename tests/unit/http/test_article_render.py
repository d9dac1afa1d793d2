"""Articles' Markdown rendered with raw HTML off and safe links only, as HTML and as the
tree the page builds with DOM calls."""

from __future__ import annotations

from callcenter.http.article_render import render, tree


def test_markdown_is_rendered_with_raw_html_off_and_only_safe_links() -> None:
    html = render(
        "<script>x()</script> [a](javascript:x()) [b](https://ok.org) ![i](https://t.org/p.png)"
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<img" not in html  # an article makes no reader's browser fetch anything
    assert 'href="https://ok.org"' in html
    nodes = tree("Hi <b>x</b> [a](javascript:x()) [b](https://ok.org)")
    texts = [n.get("text", "") for n in nodes[0]["children"]]
    assert "<b>" in "".join(texts)  # as text
    assert [n["href"] for n in nodes[0]["children"] if n.get("tag") == "a"] == ["https://ok.org"]
