"""``callcenter tokens`` and ``callcenter tickets`` against a real SQLite store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.app import ticket_store
from callcenter.cli import main
from callcenter.config import load_config
from callcenter.domain.tickets import CallSummary, NewCustomer, NewTicket
from callcenter.store.api_keys import SqlApiKeys, token_hash
from callcenter.store.db import make_engine, make_sessions


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}


def test_tokens_create_shows_the_token_once_and_stores_only_its_hash(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["tokens", "create", "--role", "integration", "--name", "chat"], env=env
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("cc_")
    sessions = make_sessions(make_engine(load_config(None, environ=env).database_url))
    principal = asyncio.run(SqlApiKeys(sessions).principal(token))
    assert principal is not None
    assert principal.role.value == "integration"
    with make_engine(load_config(None, environ=env).database_url).connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash FROM api_tokens").scalar_one()
    assert stored == token_hash(token) != token
    listed = CliRunner().invoke(main, ["tokens", "list"], env=env)
    assert "integration" in listed.output
    assert "chat" in listed.output
    assert token not in listed.output
    assert CliRunner().invoke(main, ["tokens", "revoke", "1"], env=env).exit_code == 0
    assert asyncio.run(SqlApiKeys(sessions).principal(token)) is None


def test_tokens_create_refuses_an_unknown_role(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["tokens", "create", "--role", "root"], env=env)
    assert result.exit_code != 0
    assert "'root' is not one of" in result.output


def test_tickets_list_and_show(env: dict[str, str]) -> None:
    assert CliRunner().invoke(main, ["tickets", "list"], env=env).output.strip() == "no tickets"
    cfg = load_config(None, environ=env)
    store = ticket_store(cfg, make_sessions(make_engine(cfg.database_url)))
    anna = asyncio.run(store.create_customer(NewCustomer("Anna")))
    ticket = asyncio.run(store.create_ticket(NewTicket("Late order", anna.id, tags=("vip",))))
    listed = CliRunner().invoke(main, ["tickets", "list", "--status", "new"], env=env)
    assert f"#{ticket.number}" in listed.output
    assert "Late order" in listed.output
    shown = CliRunner().invoke(main, ["tickets", "show", str(ticket.number)], env=env)
    assert shown.exit_code == 0
    assert "tags vip" in shown.output
    missing = CliRunner().invoke(main, ["tickets", "show", "999"], env=env)
    assert missing.exit_code != 0
    assert "no ticket 999" in missing.output


def test_agent_tokens_belong_to_an_extension(env: dict[str, str]) -> None:
    unbound = CliRunner().invoke(main, ["tokens", "create", "--role", "agent"], env=env)
    assert unbound.exit_code != 0
    assert "--agent" in unbound.output
    bound = CliRunner().invoke(
        main, ["tokens", "create", "--role", "agent", "--agent", "1001"], env=env
    )
    assert bound.exit_code == 0, bound.output
    lead = CliRunner().invoke(
        main, ["tokens", "create", "--role", "supervisor", "--agent", "1001"], env=env
    )
    assert lead.exit_code != 0


def test_tickets_show_has_the_agent_and_the_talk_time_of_a_queue_call(
    env: dict[str, str],
) -> None:
    env = {**env, "CALLCENTER_TICKETS__DEFAULT_REGION": "US"}
    CliRunner().invoke(main, ["tickets", "list"], env=env)  # builds the store
    cfg = load_config(None, environ=env)
    store = ticket_store(cfg, make_sessions(make_engine(cfg.database_url)))
    t0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    call = CallSummary(
        call_id="1796.1",
        linked_id="1796.1",
        caller="14155550100",  # as the trunk sends it: no "+"
        dialed="7000",
        started_at=t0,
        ended_at=t0 + timedelta(seconds=20),
        outcome="queue",
        queue="support",
        detail="support",
        ivr_path=({"flow": "main", "node": "menu", "input": "2"},),
        flow="main@v1",
    )
    asyncio.run(store.record_call(call))
    asyncio.run(
        store.update_call(
            "1796.1",
            {
                "queue": "support",
                "agent": "1001",
                "wait": 7.4,
                "talk": 63.2,
                "queue_outcome": "answered",
            },
        )
    )
    listed = CliRunner().invoke(main, ["tickets", "list"], env=env)
    assert "Call for support from +14155550100" in listed.output
    number = listed.output.split()[0].lstrip("#")
    shown = CliRunner().invoke(main, ["tickets", "show", number], env=env)
    assert "queue support: answered, agent 1001, waited 7 s, talked 63 s" in shown.output
