"""Widget definitions and their tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from callcenter.domain.dial_guard import Refusal, Rule
from callcenter.domain.widgets import (
    Widget,
    WidgetError,
    check_origin,
    check_widget,
    issue_token,
    read_token,
)

KEY = b"k" * 32
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SHOP = Widget("shop", "support", ("https://shop.example",))


@pytest.mark.parametrize(
    ("raw", "origin"),
    [
        ("https://Shop.Example", "https://shop.example"),
        ("https://shop.example:8443/", "https://shop.example:8443"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost", "http://localhost"),
    ],
)
def test_origins_are_normalised(raw: str, origin: str) -> None:
    assert check_origin(raw) == origin


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("http://shop.example", "must be https"),
        ("https://shop.example/page", "more than scheme"),
        ("ftp://shop.example", "not an origin"),
        ("shop.example", "not an origin"),
        ("https://user@shop.example", "more than scheme"),
    ],
)
def test_bad_origins_are_refused_naming_the_field(raw: str, why: str) -> None:
    with pytest.raises(WidgetError, match=why) as caught:
        check_origin(raw)
    assert str(caught.value).startswith("origins: ")


@pytest.mark.parametrize(
    ("widget", "field"),
    [
        (Widget("Shop!", "support", ("https://a.example",)), "id"),
        (Widget("shop", "nope", ("https://a.example",)), "queue"),
        (Widget("shop", "support", ()), "origins"),
        (Widget("shop", "support", tuple(f"https://s{i}.example" for i in range(11))), "origins"),
    ],
)
def test_bad_widgets_name_the_field(widget: Widget, field: str) -> None:
    with pytest.raises(WidgetError) as caught:
        check_widget(widget, frozenset({"support"}))
    assert str(caught.value).startswith(f"{field}: ")


def test_a_token_is_for_one_widget_on_one_origin_for_minutes() -> None:
    token = issue_token(KEY, SHOP, "https://shop.example", NOW, timedelta(minutes=10))
    claims = read_token(KEY, token, "shop", "https://shop.example", NOW + timedelta(minutes=9))
    assert claims.widget == "shop"
    assert claims.expires_at == NOW + timedelta(minutes=10)
    cases = [
        (token, "shop", "https://shop.example", NOW + timedelta(minutes=10), Rule.TOKEN),
        (token, "other", "https://shop.example", NOW, Rule.TOKEN),
        (token, "shop", "https://evil.example", NOW, Rule.ORIGIN),
        (token, "shop", "", NOW, Rule.ORIGIN),
        ("", "shop", "https://shop.example", NOW, Rule.TOKEN),
        (token[:-3] + "AAA", "shop", "https://shop.example", NOW, Rule.TOKEN),
    ]
    for tok, widget, origin, at, rule in cases:
        with pytest.raises(Refusal) as caught:
            read_token(KEY, tok, widget, origin, at)
        assert caught.value.rule is rule, (widget, origin, at)


def test_no_token_for_a_page_of_another_origin() -> None:
    with pytest.raises(Refusal) as caught:
        issue_token(KEY, SHOP, "https://evil.example", NOW, timedelta(minutes=10))
    assert caught.value.rule is Rule.ORIGIN


def test_a_token_signed_with_none_is_refused() -> None:
    unsigned = jwt.encode(
        {"sub": "shop", "aud": "https://shop.example", "iat": 1, "exp": 2**40, "jti": "x"},
        key=None,
        algorithm="none",
    )
    with pytest.raises(Refusal) as caught:
        read_token(KEY, unsigned, "shop", "https://shop.example", NOW)
    assert caught.value.rule is Rule.TOKEN
