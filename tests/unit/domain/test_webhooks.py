"""Webhook rules: what may be subscribed, the signature, the backoff, the envelope."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.promises import Promise, PromiseKind
from callcenter.domain.webhooks import (
    MAX_ATTEMPTS,
    Delivery,
    WebhookError,
    check_subscription,
    envelope,
    jsonable,
    next_attempt,
    sign,
    verify,
)

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "events", "rule"),
    [
        ("ftp://chat.example/hook", ["call.ended"], r"not an http\(s\) URL"),
        ("https://user:pw@chat.example/hook", ["call.ended"], "credentials"),
        ("https://chat.example/hook", [], "at least one"),
        ("https://chat.example/hook", ["call.started"], "'call.started' is not one of"),
    ],
)
def test_a_subscription_names_what_is_wrong(url: str, events: list[str], rule: str) -> None:
    with pytest.raises(WebhookError, match=rule):
        check_subscription(url, events)


def test_the_signature_verifies_and_refuses_a_replay_or_a_change() -> None:
    body = b'{"id":"e1"}'
    header = sign("s3cret", 1_800_000_000, body)
    assert header.startswith("t=1800000000,v1=")
    assert verify("s3cret", header, body, now=1_800_000_100)
    assert not verify("s3cret", header, body + b" ", now=1_800_000_100)
    assert not verify("other", header, body, now=1_800_000_100)
    assert not verify("s3cret", header, body, now=1_800_001_000)  # too old: a replay


def test_retries_back_off_then_stop() -> None:
    assert next_attempt(1, NOW) == NOW + timedelta(seconds=5)
    assert next_attempt(4, NOW) == NOW + timedelta(seconds=40)
    assert next_attempt(15, NOW) == NOW + timedelta(hours=1)
    assert next_attempt(MAX_ATTEMPTS, NOW) is None


def test_the_envelope_is_the_same_on_every_retry() -> None:
    promise = Promise(3, PromiseKind.CALLBACK, 7, "support", NOW, NOW + timedelta(minutes=30))
    data = jsonable({"promise": promise})
    assert data["promise"]["due_at"] == "2026-12-07T10:30:00+00:00"
    assert data["promise"]["kind"] == "callback"
    first = Delivery(1, "e1", 1, "promise.made", data, NOW)
    retried = Delivery(1, "e1", 1, "promise.made", data, NOW, attempts=3)
    assert json.dumps(envelope(first)) == json.dumps(envelope(retried))
    assert envelope(first)["id"] == "e1"
