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
    result = CliRunner().invoke(main, ["asterisk", "config", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert (out / "manager.conf").exists()
    assert (out / "dialplan" / "callcenter.conf").exists()


def test_db_upgrade_builds_the_schema(env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "state" / "callcenter.sqlite3").exists()


def test_sandbox_status_when_nothing_runs(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["sandbox", "status"], env=env)
    assert result.exit_code == 3
    assert "not running" in result.output
