"""The shell: the reader's language, and the navigation each role gets."""

from __future__ import annotations

from callcenter.domain.tickets import Role
from callcenter.http.shell import nav, negotiate


def test_the_accounts_language_wins_then_the_browsers_by_preference() -> None:
    assert negotiate("ru-RU,ru;q=0.9", "zh") == "zh"
    assert negotiate("ru-RU,ru;q=0.9,en;q=0.8") == "ru"
    assert negotiate("fr-FR, de;q=0.9, zh-CN;q=0.5, en;q=0.4") == "zh"
    assert negotiate("en;q=0.2, ru;q=0.8") == "ru"
    assert negotiate("ru;q=0") == "en"  # q=0: not wanted
    assert negotiate(None) == "en"
    assert negotiate("garbage;;;,q=x") == "en"


SERVED = frozenset({"/agents/{ext}/desk", "/supervisor", "/search", "/security", "/recordings"})


def test_each_role_gets_the_pages_it_may_open_that_are_served() -> None:
    agent = [path for _, path in nav(Role.AGENT, "1001", SERVED)]
    assert agent == ["/agents/1001/desk", "/recordings", "/search"]
    lead = [path for _, path in nav(Role.SUPERVISOR, "", SERVED)]
    assert lead == ["/supervisor", "/recordings", "/search"]  # no desk without an extension
    admin = [path for _, path in nav(Role.ADMIN, "", SERVED)]
    assert admin[-1] == "/security"
