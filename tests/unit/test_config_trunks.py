"""[[trunks]] and [[numbers]]: read from TOML or the environment (JSON), one broken entry
per rule, each refused with its entry named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callcenter.config import ConfigError, load_config
from callcenter.config_trunks import (
    default_trunk,
    routed_flows,
    trunk_addresses,
    trunks_in_use,
)

GOOD = """
[[trunks]]
name = "carrier"
host = "sip.example.net:5060"
register = true
username = "7495000"
caller_id = "+74950000000"

[[trunks]]
name = "backup"
host = "203.0.113.9"
codecs = ["alaw"]

[[numbers]]
number = "74951110001"
flow = "main"
name = "support"

[[numbers]]
number = "+74951110002"
flow = "russian"
"""


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "callcenter.toml"
    path.write_text(text)
    return load_config(path, environ={})


def test_trunks_and_numbers_are_read_from_toml(tmp_path: Path) -> None:
    config = _load(tmp_path, GOOD)
    carrier, backup = config.trunks  # type: ignore[attr-defined]
    assert (carrier.name, carrier.register, carrier.username) == ("carrier", True, "7495000")
    assert backup.codecs == ("alaw",)
    assert [n.flow for n in config.numbers] == ["main", "russian"]  # type: ignore[attr-defined]
    assert trunk_addresses(config.trunks) == ("203.0.113.9",)  # type: ignore[attr-defined]


def test_the_environment_gives_them_as_json() -> None:
    config = load_config(
        None,
        environ={
            "CALLCENTER_TRUNKS": json.dumps([{"name": "c1", "host": "192.0.2.1:5070"}]),
            "CALLCENTER_NUMBERS": json.dumps([{"number": "74950001", "flow": "main"}]),
        },
    )
    assert config.trunks[0].host == "192.0.2.1:5070"
    assert routed_flows(config.numbers, "main", "7000") == {
        "daemon.entry_flow (7000)": "main",
        "numbers[0] (74950001)": "main",
    }


def test_without_trunks_the_demo_trunk_is_known_by_address() -> None:
    config = load_config(None, environ={})
    (trunk,) = trunks_in_use(config)
    assert trunk == default_trunk(("127.0.0.2/32",), "127.0.0.2:5060")
    assert trunk_addresses((trunk,)) == ("127.0.0.2/32", "127.0.0.2")


BROKEN = {
    "missing name": ('[[trunks]]\nhost = "192.0.2.1"\n', "trunks[0]: missing name"),
    "unknown key": (
        '[[trunks]]\nname = "a"\nhost = "192.0.2.1"\npasword = "x"\n',
        "trunks[0]: unknown key 'pasword'",
    ),
    "wrong type": ('[[trunks]]\nname = "a"\nhost = 5060\n', "trunks[0].host must be str"),
    "bad name": ('[[trunks]]\nname = "My Carrier"\nhost = "x.net"\n', "trunks[0].name"),
    "reserved name": ('[[trunks]]\nname = "webcall"\nhost = "x.net"\n', "trunks[0].name"),
    "two of a name": (
        '[[trunks]]\nname = "a"\nhost = "x.net"\n[[trunks]]\nname = "a"\nhost = "y.net"\n',
        "trunks[1] (a): a second trunk named 'a'",
    ),
    "no host": ('[[trunks]]\nname = "a"\n', "trunks[0] (a).host: missing"),
    "bad host": ('[[trunks]]\nname = "a"\nhost = "x.net:99999"\n', "trunks[0] (a).host"),
    "bad match": (
        '[[trunks]]\nname = "a"\nhost = "x.net"\nmatch = ["10.0.0.0/33 x"]\n',
        "trunks[0] (a).match",
    ),
    "register without user": (
        '[[trunks]]\nname = "a"\nhost = "x.net"\nregister = true\n',
        "trunks[0] (a): register = true needs username and host",
    ),
    "short expiration": (
        '[[trunks]]\nname = "a"\nhost = "x.net"\nregister = true\nusername = "u"\nexpiration = 5\n',
        "trunks[0] (a).expiration",
    ),
    "unknown codec": (
        '[[trunks]]\nname = "a"\nhost = "x.net"\ncodecs = ["mp3"]\n',
        "trunks[0] (a).codecs",
    ),
    "bad caller id": (
        '[[trunks]]\nname = "a"\nhost = "x.net"\ncaller_id = "sales"\n',
        "trunks[0] (a).caller_id",
    ),
    "a phone's name": ('[[trunks]]\nname = "1001"\nhost = "x.net"\n', "trunks[0].name"),
    "number without flow": ('[[numbers]]\nnumber = "7495"\n', "numbers[0]: missing flow"),
    "bad number": ('[[numbers]]\nnumber = "sales"\nflow = "main"\n', "numbers[0].number"),
    "one number twice": (
        '[[numbers]]\nnumber = "7495"\nflow = "a"\n[[numbers]]\nnumber = "7495"\nflow = "b"\n',
        "numbers[1] (7495): also numbers[0]",
    ),
    "an agent's extension": (
        '[[numbers]]\nnumber = "1001"\nflow = "main"\n',
        "numbers[0] (1001): also a phone's extension",
    ),
    "not a list": ('trunks = "carrier"\n', "trunks must be an array of tables"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_entry_is_refused_naming_it(tmp_path: Path, case: str) -> None:
    text, expected = BROKEN[case]
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, text)
    assert expected in str(raised.value)


def test_bad_json_in_the_environment_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="environment CALLCENTER_TRUNKS: trunks is not a JSON"):
        load_config(None, environ={"CALLCENTER_TRUNKS": "[{name: x}]"})
