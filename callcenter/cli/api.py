"""``callcenter api openapi``: the API's OpenAPI document as the daemon serves it at
``/api/v1/openapi.json``, without a daemon; the staff application's build generates its API
types from it, so a changed endpoint breaks the build rather than a page."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def api() -> None:
    """The HTTP API."""


@api.command("openapi")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write it to this file (default: standard output)",
)
def api_openapi(output: Path | None) -> None:
    """Print the OpenAPI document of every route the assembled features declare."""
    from callcenter.app.features import api_routes
    from callcenter.http.api import PREFIX
    from callcenter.http.api_document import openapi

    text = json.dumps(openapi(api_routes(), PREFIX), indent=1, sort_keys=True)
    if output is None:
        click.echo(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n", encoding="utf-8")


COMMANDS = (api,)  # found by the command line's root (cli/main.py)
