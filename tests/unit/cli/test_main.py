from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli import main


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}


def test_bad_config_key_exits_nonzero_naming_it(tmp_path: Path, env: dict[str, str]) -> None:
    cfg = tmp_path / "cc.toml"
    cfg.write_text("[daemon]\nhttp_prot = 1\n")
    result = CliRunner().invoke(main, ["--config", str(cfg), "config", "check"], env=env)
    assert result.exit_code != 0
    assert "daemon.http_prot" in result.output


def test_bad_env_type_exits_nonzero(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["config", "check"], env={**env, "CALLCENTER_DAEMON__HTTP_PORT": "eighty"}
    )
    assert result.exit_code != 0
    assert "daemon.http_port" in result.output


def test_asterisk_config_renders_files(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "etc"
    modules = {"CALLCENTER_ASTERISK__MODULES_DIR": "/usr/lib/asterisk/modules"}
    result = CliRunner().invoke(
        main, ["asterisk", "config", "--out", str(out)], env={**env, **modules}
    )
    assert result.exit_code == 0, result.output
    assert (out / "manager.conf").exists()
    assert (out / "dialplan" / "callcenter.conf").exists()
    conf = (out / "asterisk.conf").read_text()
    assert f"astetcdir => {out}" in conf
    assert f"astlogdir => {tmp_path / 'state' / 'asterisk' / 'log'}" in conf
    assert "asterisk.mode = system" in result.output  # this one is not in system mode


def test_asterisk_config_without_modules_names_the_key(tmp_path: Path, env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["asterisk", "config", "--out", str(tmp_path / "etc")], env=env
    )
    assert result.exit_code != 0
    assert "asterisk.modules_dir" in result.output


def test_asterisk_config_refuses_a_bad_owner(tmp_path: Path, env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["asterisk", "config", "--out", str(tmp_path / "e"), "--owner", "asterisk"], env=env
    )
    assert result.exit_code != 0
    assert "UID:GID" in result.output


def test_db_upgrade_builds_the_schema(env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "state" / "callcenter.sqlite3").exists()


def test_sandbox_status_when_nothing_runs(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["sandbox", "status"], env=env)
    assert result.exit_code == 3
    assert "not running" in result.output


def test_every_group_module_is_found_by_the_root() -> None:
    names = set(main.commands)
    for group in ("agents", "bans", "callbacks", "handoffs", "promises", "search", "widgets"):
        assert group in names
    assert {"tokens", "models", "guard"} <= names  # modules with two groups list both


def test_debug_events_shows_who_listens_to_what(tmp_path: Path, env: dict[str, str]) -> None:
    cache = tmp_path / "roots"  # no Asterisk root built: reading the wiring never builds one
    env = {**env, "CALLCENTER_ASTERISK__SANDBOX_CACHE": str(cache)}
    result = CliRunner().invoke(main, ["debug", "events"], env=env)
    assert result.exit_code == 0, result.output
    assert not cache.exists()
    lines = result.output.splitlines()
    assert lines[0] == "features, in the order they are built:"
    assert any(line.startswith("  bans ") for line in lines)
    answered = next(line for line in lines if line.strip().startswith("AgentAnswered"))
    assert answered.split("→")[1].split(", ")[:4] == [
        " agents",
        "reports",
        "callbacks",
        "recordings",
    ]
    assert "after every ARI connect → bans, calls, lost_calls" in lines
    assert (
        "in-process events: every event → webhooks; call.ended → agents,"
        " callback.completed → voicemails, transcript.ready → surveys"
    ) in lines


def test_config_check_refuses_a_number_routed_to_a_flow_no_file_defines(
    tmp_path: Path, env: dict[str, str]
) -> None:
    cfg = tmp_path / "cc.toml"
    cfg.write_text('[[numbers]]\nnumber = "74951110001"\nflow = "sales"\n')
    result = CliRunner().invoke(main, ["--config", str(cfg), "config", "check"], env=env)
    assert result.exit_code != 0
    assert "numbers[0] (74951110001): calls go to flow 'sales'" in result.output
    cfg.write_text('[[numbers]]\nnumber = "74951110001"\nflow = "main"\n')
    result = CliRunner().invoke(main, ["--config", str(cfg), "config", "check"], env=env)
    assert result.exit_code == 0, result.output
    assert '"flow": "main"' in result.output
