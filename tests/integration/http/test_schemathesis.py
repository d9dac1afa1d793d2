"""The served OpenAPI document against the real daemon, by a fuzzer nobody here wrote:
schemathesis (pinned in pyproject.toml) runs every operation through all of its phases
(examples, coverage, fuzzing, stateful) with a fixed seed on PostgreSQL (the production
store: 15 examples an operation), and all but the random fuzzing on SQLite (the same API
on the other store), and must find nothing. (More examples — ``--max-examples`` — found
no more here, and the suite has 15 minutes.) What no schema can say is in
``schemathesis.toml`` beside this file, with the reason for each operation."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter.app.features import api_routes
from callcenter.domain.tickets import Role
from tests.integration.conftest import IN_CI
from tests.support.daemon_api import api_token
from tests.support.databases import PostgresUnavailable, postgres_database
from tests.support.instance import DaemonProcess, Instance

pytestmark = pytest.mark.asterisk

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = "20261201"
EXAMPLES = {"postgresql": "15", "sqlite": "8"}  # per operation, by store
# Each store gets what the other does not, besides the schema's examples and the stateful
# links (the suite has 15 minutes): PostgreSQL the random fuzzing, SQLite the boundary
# cases of every parameter (the coverage phase).
PHASES = {
    "postgresql": "examples,fuzzing,stateful",
    "sqlite": "examples,coverage,stateful",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaemonProcess]:
    """A daemon of its own (the fuzzer logs agents in and out) on each kind of store."""
    with contextlib.ExitStack() as stack:
        overrides = {}
        if request.param == "postgresql":
            try:
                url = stack.enter_context(postgres_database("cc_fuzz"))
            except PostgresUnavailable as exc:
                if IN_CI:
                    pytest.fail(f"CI needs PostgreSQL and it is not reachable: {exc}")
                pytest.skip(str(exc))
            overrides["CALLCENTER_DATABASE__URL"] = url
        state = tmp_path_factory.mktemp(f"fuzz-{request.param}")
        instance = Instance.create(state, **overrides)
        instance.sandbox.up()
        stack.callback(instance.sandbox.down)
        daemon = DaemonProcess(instance, state / "daemon.log")
        daemon.start()
        stack.callback(daemon.stop)
        yield daemon


def test_schemathesis_finds_nothing(fuzzed: DaemonProcess, tmp_path: Path) -> None:
    token = api_token(fuzzed.instance, Role.ADMIN)
    store = fuzzed.instance.config.database_url.split(":", 1)[0].split("+")[0]
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [
            str(st),
            "--config-file",
            str(CONFIG),
            "run",
            f"{fuzzed.url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--seed",
            SEED,
            "--max-examples",
            EXAMPLES[store],
            "--phases",
            PHASES[store],
            "--continue-on-failure",
            "--request-timeout",
            "10",
            "--no-color",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    summary = result.stdout[result.stdout.find("SUMMARY") :]
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-2000:]
    # Every operation: each route, and the CORS preflight of each widget route.
    routes = api_routes()
    operations = len(routes) + sum(1 for r in routes if r.cors)
    assert f"Selected: {operations}/{operations}" in summary
    assert "Stateful" in summary
    assert "API handler failed" not in fuzzed.log()  # no 500 was answered
