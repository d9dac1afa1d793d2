"""[[lookups]]: read from TOML or the environment (JSON), one broken entry per rule, each
refused with its entry named; tokens come from secrets.json or the environment."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from callcenter.config import ConfigError, load_config
from callcenter.secrets import load_or_create_secrets, set_lookup_token

GOOD = """
[[lookups]]
name = "orders"
url = "https://shop.example/api/order-status"
timeout_ms = 1500

[[lookups]]
name = "crm-2"
url = "http://127.0.0.1:8080/customer"
"""


def test_lookups_are_read_from_toml_and_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "callcenter.toml"
    path.write_text(GOOD)
    config = load_config(path, environ={})
    assert [(lk.name, lk.host, lk.timeout_ms, lk.max_bytes) for lk in config.lookups] == [
        ("orders", "shop.example", 1500, 65536),
        ("crm-2", "127.0.0.1:8080", 2000, 65536),
    ]
    env = {"CALLCENTER_LOOKUPS": json.dumps([{"name": "stock", "url": "http://10.0.0.5/s"}])}
    assert [lk.name for lk in load_config(None, environ=env).lookups] == ["stock"]


@pytest.mark.parametrize(
    ("entry", "culprit"),
    [
        ({"name": "Orders", "url": "http://a/"}, "lookups[0].name"),
        ({"name": "orders", "url": "ftp://a/"}, "lookups[0] (orders).url"),
        ({"name": "orders", "url": "http:///path"}, "lookups[0] (orders).url"),
        ({"name": "orders", "url": "http://user:pw@a/"}, "no user, password"),
        ({"name": "orders", "url": "http://a/", "timeout_ms": 20000}, "timeout_ms: 20000"),
        ({"name": "orders", "url": "http://a/", "max_bytes": 10}, "max_bytes: 10"),
        ({"name": "orders", "url": "http://a/", "timeout_ms": "2s"}, "timeout_ms must be int"),
        ({"name": "orders", "url": "http://a/", "verb": "POST"}, "unknown key 'verb'"),
        ({"url": "http://a/"}, "missing name"),
    ],
)
def test_a_bad_entry_is_refused_naming_it(entry: dict[str, object], culprit: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(culprit)):
        load_config(None, environ={"CALLCENTER_LOOKUPS": json.dumps([entry])})


def test_two_lookups_with_one_name_are_refused() -> None:
    twice = [{"name": "orders", "url": "http://a/"}, {"name": "orders", "url": "http://b/"}]
    with pytest.raises(ConfigError, match=r"lookups\[1\] \(orders\): a second lookup"):
        load_config(None, environ={"CALLCENTER_LOOKUPS": json.dumps(twice)})


def test_tokens_are_secrets_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_lookup_token(tmp_path, "orders", "from-file")
    set_lookup_token(tmp_path, "crm-2", "crm")
    monkeypatch.setenv("CALLCENTER_LOOKUP_TOKEN_CRM_2", "from-env")
    tokens = load_or_create_secrets(tmp_path, ()).lookup_tokens
    assert tokens == {"orders": "from-file", "crm-2": "from-env"}
    set_lookup_token(tmp_path, "orders", "")
    assert "orders" not in load_or_create_secrets(tmp_path, ()).lookup_tokens
