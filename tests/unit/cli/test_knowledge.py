"""``callcenter answers`` and ``callcenter articles`` on a real SQLite store: written,
listed (the answers' uses, the articles' versions), bad input named; an article found by
``callcenter search find`` with everything else."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner

from callcenter.cli import main


def test_answers_and_articles_from_the_terminal(tmp_path: Path) -> None:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    cli = CliRunner()
    added = cli.invoke(
        main,
        ["answers", "add", "hours", "--title", "Hours", "--body", "Hi {customer.name}"],
        env=env,
    )
    assert added.exit_code == 0, added.output
    bad = cli.invoke(main, ["answers", "add", "x1", "--title", "X", "--body", "{nope}"], env=env)
    assert bad.exit_code == 1
    assert "unknown placeholder {nope}" in bad.output
    listed = cli.invoke(main, ["answers", "list", "--q", "/ho", "--json"], env=env)
    assert [a["shortcut"] for a in json.loads(listed.output)] == ["hours"]

    md = tmp_path / "reset.md"
    md.write_text("Unplug the **router** for ten seconds.\n", encoding="utf-8")
    for title in ("Reset", "Resetting the router"):
        written = cli.invoke(
            main, ["articles", "write", "router-reset", str(md), "--title", title], env=env
        )
        assert written.exit_code == 0, written.output
    assert "version 2" in written.output
    listed = cli.invoke(main, ["articles", "list", "--json"], env=env)
    assert [(a["slug"], a["version"]) for a in json.loads(listed.output)] == [("router-reset", 2)]
    versions = cli.invoke(main, ["articles", "versions", "1"], env=env)
    assert [line.split()[0] for line in versions.output.splitlines()] == ["v2", "v1"]
    found = cli.invoke(main, ["search", "find", "router", "--kind", "article"], env=env)
    assert found.output.startswith("article 1 ")
    assert "Unplug the router for ten seconds." in found.output
    bad = cli.invoke(main, ["articles", "write", "Bad Slug", str(md), "--title", "t"], env=env)
    assert bad.exit_code == 1
    assert "slug:" in bad.output


def test_topics_from_the_terminal(tmp_path: Path) -> None:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    cli = CliRunner()
    quiet = cli.invoke(main, ["topics", "spikes"], env=env)
    assert (quiet.exit_code, quiet.output.strip()) == (0, "no tag is spiking")
    from callcenter.app import ticket_store
    from callcenter.cli.common import sessions_for
    from callcenter.config import load_config
    from callcenter.domain.tickets import NewTicket

    store = ticket_store(load_config(None, env), sessions_for(load_config(None, env)))
    for n in range(5):
        asyncio.run(store.create_ticket(NewTicket(f"down {n}", tags=("outage",))))
    spiking = cli.invoke(main, ["topics", "spikes"], env=env)
    assert spiking.exit_code == 1
    assert spiking.output.startswith("outage: 5 in the last hour")
    trend = cli.invoke(main, ["topics", "trend", "--json"], env=env)
    assert sum(json.loads(trend.output)["tags"]["outage"]) == 5
