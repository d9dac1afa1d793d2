"""``callcenter widgets`` and ``callcenter guard`` on a real SQLite store."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from callcenter.cli import main


def test_add_list_snippet_and_remove_a_widget(tmp_path: Path) -> None:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    runner = CliRunner()
    added = runner.invoke(
        main,
        ["widgets", "add", "shop", "--queue", "support", "--origin", "https://Shop.Example"],
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert 'data-widget="shop"' in added.output
    assert "origins https://shop.example" in added.output
    again = runner.invoke(
        main,
        ["widgets", "add", "shop", "--queue", "support", "--origin", "https://a.example"],
        env=env,
    )
    assert again.exit_code != 0
    assert "exists already" in again.output
    bad = runner.invoke(
        main,
        ["widgets", "add", "web2", "--queue", "support", "--origin", "http://a.example"],
        env=env,
    )
    assert bad.exit_code != 0
    assert "must be https" in bad.output
    listed = runner.invoke(main, ["widgets", "list"], env=env)
    assert "shop" in listed.output
    assert "call me back, call now" in listed.output
    snippet = runner.invoke(main, ["widgets", "snippet", "shop"], env=env)
    assert snippet.output.startswith("<script src=")
    assert runner.invoke(main, ["widgets", "remove", "shop"], env=env).exit_code == 0
    assert runner.invoke(main, ["widgets", "snippet", "shop"], env=env).exit_code != 0


def test_guard_check_says_why_a_number_may_not_be_dialled(tmp_path: Path) -> None:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    runner = CliRunner()
    ok = runner.invoke(main, ["guard", "check", "+79161234567"], env=env)
    assert ok.exit_code == 0
    assert ok.output.startswith("+79161234567: may be dialled")
    premium = runner.invoke(main, ["guard", "check", "+78091234567"], env=env)
    assert premium.exit_code == 1
    assert "premium_rate" in premium.output
    assert runner.invoke(main, ["guard", "decisions"], env=env).output.strip() == "no decisions yet"
