"""The front's configuration rendered from [cluster]: a dispatcher set per partition, home
node first; the registrar and the agents' digests in the cluster's PostgreSQL (never a
password in the file); a database Kamailio cannot use is refused, naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.asterisk.kamailio import REALM, FrontError, kamailio_db_url, render_front
from callcenter.config import Config, load_config
from callcenter.store.front_registrar import sip_ha1

PG = "postgresql+psycopg://front:s3cr%2Ft@10.0.0.5:6432/callcenter"


def config(tmp_path: Path, url: str = PG, partitions: str = "7000=a/b,7001=b/a") -> Config:
    return load_config(
        None,
        environ={
            "CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path),
            "CALLCENTER_DATABASE__URL": url,
            "CALLCENTER_CLUSTER__NODES": "a=10.0.0.11:5060,b=10.0.0.12:5060",
            "CALLCENTER_CLUSTER__PARTITIONS": partitions,
        },
    )


def test_the_front_keeps_registrations_and_digests_in_the_clusters_postgresql(
    tmp_path: Path,
) -> None:
    files = render_front(config(tmp_path), tmp_path / "etc", tmp_path / "run")
    cfg = files["kamailio.cfg"]
    assert (
        'modparam("usrloc", "db_url", "postgres://front:s3cr%2Ft@10.0.0.5:6432/callcenter")' in cfg
    )
    assert 'modparam("usrloc", "db_mode", 3)' in cfg
    assert f'auth_check("{REALM}", "sip_front_subscribers", "1")' in cfg
    assert 'save("sip_front_locations")' in cfg
    assert 'lookup("sip_front_locations")' in cfg
    # No node takes the call: the carrier is told when to try again ([admission]).
    assert cfg.count('append_to_reply("Retry-After: 60\\r\\n");') == 2
    assert "{{" not in cfg
    assert files["dispatcher.list"].splitlines()[1:] == [
        "1 sip:10.0.0.11:5060 0 100 node=a",
        "1 sip:10.0.0.12:5060 0 99 node=b",
        "2 sip:10.0.0.12:5060 0 100 node=b",
        "2 sip:10.0.0.11:5060 0 99 node=a",
    ]


def test_a_database_kamailio_cannot_use_is_named(tmp_path: Path) -> None:
    with pytest.raises(FrontError, match=r"database.url: .*not in 'sqlite'"):
        render_front(config(tmp_path, "sqlite:///x.db"), tmp_path, tmp_path)
    with pytest.raises(FrontError, match="cannot be given to Kamailio"):
        kamailio_db_url("postgresql+psycopg://u@host/db;drop")


def test_no_partition_no_front(tmp_path: Path) -> None:
    with pytest.raises(FrontError, match=r"cluster\.partitions is empty"):
        render_front(config(tmp_path, partitions=""), tmp_path, tmp_path)


def test_the_digest_is_rfc_2617s_ha1() -> None:
    # md5("1001:callcenter-front:pw"): what a phone computes for the front's challenge
    assert sip_ha1("1001", REALM, "pw") == "42861b6926862b560b3ff49e109cc8ff"
