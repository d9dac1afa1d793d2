"""What the daemon's SIP websocket does to the browser's messages."""

from __future__ import annotations

from callcenter.http.widget_script import stamp

INVITE = (
    "INVITE sip:web-shop@callcenter.invalid SIP/2.0\r\n"
    "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1\r\n"
    "X-CC-Web: forged\r\n"
    "x-cc-web-session: someone-elses\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n"
)


def test_requests_carry_our_headers_and_lose_the_browsers() -> None:
    out = stamp(INVITE, "s3cret", "abc123")
    assert out is not None
    head, _, body = out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    assert lines[0] == "INVITE sip:web-shop@callcenter.invalid SIP/2.0"
    assert lines[1:3] == ["X-CC-Web: s3cret", "X-CC-Web-Session: abc123"]
    assert "forged" not in out
    assert "someone-elses" not in out
    assert "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1" in lines
    assert body == "v=0\n"


def test_responses_pass_and_what_is_no_sip_is_dropped() -> None:
    ok = "SIP/2.0 200 OK\r\nVia: x\r\n\r\n"
    assert stamp(ok, "s", "a") == ok
    assert stamp("GET / HTTP/1.1\r\n\r\n", "s", "a") is None
    assert stamp("hello", "s", "a") is None
