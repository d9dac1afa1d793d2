"""``callcenter lookups``: the endpoints listed, one asked as a call would (a real HTTP
server on loopback), its token kept and forgotten; ``flows simulate --stub``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli import main
from tests.support import lookups as shop
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    port = free_port()
    return {
        "CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state"),
        "CALLCENTER_LOOKUPS": json.dumps(
            [{"name": "orders", "url": f"http://127.0.0.1:{port}/orders", "timeout_ms": 500}]
        ),
    }


def port_of(env: dict[str, str]) -> int:
    return int(json.loads(env["CALLCENTER_LOOKUPS"])[0]["url"].split(":")[2].split("/")[0])


def test_list_try_and_token(env: dict[str, str]) -> None:
    cli = CliRunner()
    listed = cli.invoke(main, ["lookups", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "orders" in listed.output
    assert "no token" in listed.output
    kept = cli.invoke(main, ["lookups", "token", "orders"], input="s3cret\n", env=env)
    assert kept.exit_code == 0, kept.output
    assert "CALLCENTER_LOOKUP_TOKEN_ORDERS" in kept.output
    with shop.orders_server(port_of(env), delay=0) as server:
        asked = cli.invoke(main, ["lookups", "try", "orders", "--param", "order=1234"], env=env)
        slow = cli.invoke(main, ["lookups", "try", "orders", "--param", "order=3456"], env=env)
    assert asked.exit_code == 0, asked.output
    assert json.loads(asked.output)["status"] == "shipped"
    assert server.requests[0]["authorization"] == "Bearer s3cret"
    assert slow.exit_code == 1
    assert "no answer within 0.5s" in slow.output
    listed = cli.invoke(main, ["lookups", "list", "--json"], env=env)
    assert json.loads(listed.output)[0]["token"] is True
    unknown = cli.invoke(main, ["lookups", "token", "stock"], input="x\n", env=env)
    assert unknown.exit_code == 2
    assert "no lookup 'stock' (lookups: orders)" in unknown.output


def test_simulate_answers_a_lookup_from_a_stub(env: dict[str, str], tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(ROOT / "tests" / "integration" / "flows" / "lookupq.yaml", flows / "lookupq.yaml")
    env = {
        **env,
        "CALLCENTER_DAEMON__FLOWS_DIR": str(flows),
        "CALLCENTER_DAEMON__ENTRY_FLOW": "lookupq",
    }
    env["CALLCENTER_LOOKUPS"] = json.dumps(
        [{"name": n, "url": f"http://127.0.0.1:9/{n}"} for n in ("orders", "stock")]
    )
    stub = "orders=" + json.dumps(shop.ANSWERS[shop.SHIPPED])
    cli = CliRunner()
    args = ["flows", "simulate", "lookupq", "--digits", "1234#", "--caller", "+7495"]
    shipped = cli.invoke(main, [*args, "--stub", stub], env=env)
    assert shipped.exit_code == 0, shipped.output
    assert "lookupq.find[orders ok]" in shipped.output
    failed = cli.invoke(main, [*args, "--stub", "orders=timeout"], env=env)
    assert "lookupq.find[orders failed: timeout]" in failed.output
    bad = cli.invoke(main, [*args, "--stub", "orders={nope"], env=env)
    assert bad.exit_code == 2
    assert "--stub" in bad.output
