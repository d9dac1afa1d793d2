"""``callcenter flows``: validate, simulate, show, reload and the JSON Schema."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from callcenter.app import PID_FILE, flow_context, sound_index
from callcenter.cli.common import HasConfig
from callcenter.config import Config
from callcenter.flows.catalog import FlowSet, flow_files, load_catalog
from callcenter.flows.diagram import dot, mermaid
from callcenter.flows.loader import schema
from callcenter.flows.simulate import simulate


def _load(cfg: Config, paths: tuple[Path, ...], check_sounds: bool = True) -> FlowSet:
    """A directory stands for its flow files, checked as the set the daemon would load
    from it; named files are checked together with the configured flows directory (goto
    crosses files), as they would run once dropped there."""
    directory = Path(cfg.daemon.flows_dir)
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = flow_files(path)
            if not found:
                raise click.BadParameter(f"{path}: no *.yaml flow files in it", param_hint="PATHS")
            files += found
            directory = path
        else:
            files.append(path)
    files = files or flow_files(directory)
    others = [f for f in flow_files(directory) if f.resolve() not in {p.resolve() for p in files}]
    ctx = flow_context(cfg, sound_index(cfg) if check_sounds else None)
    flows, issues = load_catalog([*files, *others], ctx, Path.cwd())
    if issues:
        for issue in issues:
            click.echo(str(issue), err=True)
        raise click.ClickException(f"{len(issues)} problem(s) in the flows")
    assert flows is not None
    return flows


@click.group()
def flows() -> None:
    """IVR flows in YAML (ivr_flows/)."""


@flows.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--no-sounds", is_flag=True, help="Do not check sound files exist.")
@click.pass_obj
def flows_validate(obj: HasConfig, paths: tuple[Path, ...], no_sounds: bool) -> None:
    """Report every problem at once (file:line:column [rule] path: message); exit 1 if any.

    PATHS: flow files, or directories (every flow file in one, as the daemon loads them)."""
    flow_set = _load(obj.config(), paths, not no_sounds)
    click.echo(f"ok: {', '.join(sorted(flow_set.flows))} (version {flow_set.version})")


@flows.command("simulate")
@click.argument("flow")
@click.option("--digits", default="", help="Comma-separated answers, one per wait: 1,3,1234#")
@click.option("--caller", default="", help="Caller id, e.g. +14155550100")
@click.option("--known", is_flag=True, help="Treat the caller as known.")
@click.option("--at", "at_text", default="", help="ISO time (default now, UTC if no zone)")
@click.option(
    "--stub",
    "stub_texts",
    multiple=True,
    metavar="ENDPOINT=JSON|TEXT",
    help='A lookup endpoint\'s answer (orders=\'{"status": "shipped"}\') or its failure '
    "(orders=timeout); an endpoint without a stub fails.",
)
@click.pass_obj
def flows_simulate(
    obj: HasConfig,
    flow: str,
    digits: str,
    caller: str,
    known: bool,
    at_text: str,
    stub_texts: tuple[str, ...],
) -> None:
    """Run FLOW without Asterisk and print each step and the outcome."""
    flow_set = _load(obj.config(), (), check_sounds=False)
    if flow not in flow_set:
        raise click.ClickException(f"no flow named {flow!r} (have: {', '.join(flow_set.flows)})")
    try:
        at = datetime.fromisoformat(at_text) if at_text else datetime.now(UTC)
    except ValueError as exc:
        raise click.ClickException(f"--at: {exc}") from exc
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    groups = [g.strip() for g in digits.split(",") if g.strip()]
    stubs = dict(_stub(text) for text in stub_texts)
    session, lines = simulate(flow_set.flows, flow, groups, at, caller, known, stubs)
    click.echo("\n".join(lines))
    click.echo(
        "path: "
        + " > ".join(
            f"{s.flow}.{s.node}" + (f"[{s.detail}]" if s.detail else "") for s in session.path
        )
    )


def _stub(text: str) -> tuple[str, dict[str, Any] | str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise click.BadParameter(
            f"{text!r} is not ENDPOINT=JSON or ENDPOINT=TEXT", param_hint="--stub"
        )
    if value.lstrip().startswith("{"):
        try:
            answer = json.loads(value)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"{name}: {exc}", param_hint="--stub") from None
        return name, answer
    return name, value


@flows.command("show")
@click.argument("flow")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "svg"]), default="mermaid")
@click.pass_obj
def flows_show(obj: HasConfig, flow: str, fmt: str) -> None:
    """FLOW as a diagram: Mermaid or Graphviz text, or SVG when Graphviz is installed."""
    flow_set = _load(obj.config(), (), check_sounds=False)
    if flow not in flow_set:
        raise click.ClickException(f"no flow named {flow!r}")
    model = flow_set.flows[flow]
    if fmt == "mermaid":
        click.echo(mermaid(model), nl=False)
        return
    if fmt == "dot":
        click.echo(dot(model), nl=False)
        return
    if shutil.which("dot") is None:
        raise click.ClickException("SVG needs Graphviz: apt-get install graphviz")
    svg = subprocess.run(
        ["dot", "-Tsvg"], input=dot(model), capture_output=True, text=True, check=True
    ).stdout
    click.echo(svg, nl=False)


@flows.command("reload")
@click.pass_obj
def flows_reload(obj: HasConfig) -> None:
    """Ask the running daemon to reload its flows (SIGHUP); see its log for the result."""
    cfg: Config = obj.config()
    pid_file = cfg.state_dir / PID_FILE
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGHUP)
    except (FileNotFoundError, ValueError, ProcessLookupError) as exc:
        raise click.ClickException(f"no running daemon ({pid_file}: {exc})") from exc
    click.echo(f"asked callcenterd (pid {pid}) to reload its flows")


@flows.command("schema")
def flows_schema() -> None:
    """Print the JSON Schema of flow files (for editors)."""
    click.echo(json.dumps(schema(), indent=2))


COMMANDS = (flows,)  # found by the command line's root (cli/main.py)
