from __future__ import annotations

import shutil
import time
import wave
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from callcenter.app.assembly import SystemClock
from callcenter.app.features import api_routes, pages
from callcenter.app.search import search_service
from callcenter.asterisk.recording_files import RecordingFiles
from callcenter.asterisk.voicemail_files import VoicemailFiles
from callcenter.config_admission import AdmissionConfig
from callcenter.domain.admission import AdmissionSeen, Door, Limits, Outcome
from callcenter.domain.bans import BanPolicy
from callcenter.domain.callbacks import Callback, NumberPolicy
from callcenter.domain.cluster import ClusterView, LeasePolicy
from callcenter.domain.dial_guard import GuardLimits
from callcenter.domain.handoffs import ShiftPolicy
from callcenter.domain.promises import ALWAYS_OPEN
from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_view import QueueSnapshot, WaitingCaller
from callcenter.domain.reconcile import Difference
from callcenter.domain.recordings import RecordingFilter, RecordingState
from callcenter.domain.reports import Targets
from callcenter.domain.tickets import Role
from callcenter.domain.trunks import RegistrationSeen, TrunkLine
from callcenter.domain.voicemails import VoicemailSource, live_key
from callcenter.domain.widgets import Widget
from callcenter.flows.catalog import flow_files, load_catalog
from callcenter.flows.validate import FlowContext
from callcenter.http.agent_desk import HUB, AgentHub
from callcenter.http.api_admission import ADMISSION
from callcenter.http.api_agents import SUPERVISION
from callcenter.http.api_answers import ANSWERS
from callcenter.http.api_articles import ARTICLES, SUGGESTIONS
from callcenter.http.api_auth import KEYS
from callcenter.http.api_bans import BANS
from callcenter.http.api_calibration import CALIBRATION
from callcenter.http.api_callbacks import CALLBACKS
from callcenter.http.api_cluster import CLUSTER
from callcenter.http.api_dial_guard import TICKET_CALLS
from callcenter.http.api_flows import FLOW_EDITOR
from callcenter.http.api_handoffs import HANDOFFS
from callcenter.http.api_promises import PROMISES
from callcenter.http.api_quality import QUALITY
from callcenter.http.api_recordings import RECORDINGS
from callcenter.http.api_refusals import GUARD
from callcenter.http.api_reports import REPORTS
from callcenter.http.api_routes import CONTROL, STORE
from callcenter.http.api_search import SEARCH
from callcenter.http.api_surveys import SURVEYS, SurveysApi
from callcenter.http.api_topics import TOPICS
from callcenter.http.api_transcripts import TRANSCRIPTS
from callcenter.http.api_trunks import NUMBERS, TRUNKS
from callcenter.http.api_voicemails import VOICEMAILS
from callcenter.http.api_webhooks import WEBHOOKS
from callcenter.http.api_widgets import WIDGETS
from callcenter.http.callback_gate import CALLBACK_GATE
from callcenter.http.server import build_app
from callcenter.http.staff_auth import SESSION_TTL, STAFF
from callcenter.services.admission import Admission
from callcenter.services.agent_control import AgentControl
from callcenter.services.alerts import Alerts
from callcenter.services.answers import Answers
from callcenter.services.articles import Articles
from callcenter.services.bans import SipBans
from callcenter.services.callbacks import CallbackPolicy, Callbacks
from callcenter.services.cluster import Membership
from callcenter.services.dial_guard import DialGuard
from callcenter.services.flow_editor import FlowEditor
from callcenter.services.flow_registry import FlowRegistry
from callcenter.services.handoffs import Handoffs
from callcenter.services.promise_calibration import PromiseCalibration
from callcenter.services.quality import Quality
from callcenter.services.recordings import RecordingPolicy, Recordings
from callcenter.services.reports import Reports
from callcenter.services.suggestions import Suggestions
from callcenter.services.supervision import Supervision
from callcenter.services.surveys import LinkPolicy, Surveys
from callcenter.services.topics import Topics
from callcenter.services.transcripts import TranscriptPolicy, Transcripts
from callcenter.services.trunks import Trunks
from callcenter.services.voicemails import Arrived, VoicemailPolicy, Voicemails
from callcenter.services.webhooks import Webhooks
from callcenter.services.widgets import Widgets
from callcenter.store.answers import SqlAnswers
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.articles import SqlArticles
from callcenter.store.bans import SqlSipBans
from callcenter.store.callbacks import SqlCallbacks
from callcenter.store.cluster import SqlNodes
from callcenter.store.db import make_sessions
from callcenter.store.db_threads import DbThreads
from callcenter.store.dial_guard import SqlDialAudit, SqlPendingNumbers
from callcenter.store.flow_versions import SqlFlowVersions
from callcenter.store.handoffs import SqlHandoffs
from callcenter.store.quality import SqlQuality
from callcenter.store.recordings import SqlRecordings
from callcenter.store.reports import SqlReports
from callcenter.store.staff import SqlStaff
from callcenter.store.survey_reports import SqlSurveyReports
from callcenter.store.surveys import SqlSurveys
from callcenter.store.ticket_store import SqlTicketStore
from callcenter.store.topics import SqlTopics
from callcenter.store.transcripts import SqlTranscripts
from callcenter.store.voicemails import SqlVoicemails
from callcenter.store.webhooks import SqlWebhooks
from callcenter.store.widgets import SqlWidgets
from tests.support.fakes import MemoryQueues, RecordingFirewall

GATE_KEY = "test-gate-key"


class _Reports:
    """The reports feature as the daemon wires it, over this test's database (its alerts
    watch nothing: tests/integration/test_reports.py has them on real calls)."""

    def __init__(self, sessions: sessionmaker[Session], store: SqlTicketStore) -> None:
        self.reports = Reports(
            SqlReports(sessions),
            {"support": Targets(short_abandon=5)},
            Targets(),
            _no_teams,
            UTC,
            SystemClock(),
        )

        async def nothing() -> list[tuple[str, int, float]]:
            return []

        self.alerts = Alerts(
            nothing,
            self.reports.today_figures,
            list,
            self.reports.targets_of,
            {},
            _announce_nothing,
            SystemClock(),
        )
        self.queues = ("support", "fallback")
        self._store = store

    async def known_agents(self) -> set[str]:
        return {a.extension for a in await self._store.list_agents()}

    async def verify(self, day: date) -> tuple[int, int, list[Difference]]:
        return 0, 0, []


async def _no_teams() -> dict[str, str]:
    return {}


async def _announce_nothing(_kind: str, _data: Mapping[str, Any]) -> None:
    return None


class Api:
    """An HTTP client holding one token per role."""

    def __init__(
        self,
        client: TestClient,
        tokens: dict[Role, str],
        store: SqlTicketStore,
        ban_store: SqlSipBans,
        recording_id: int,
        voicemails: Voicemails,
        tmp: Path,
        sessions: sessionmaker[Session],
    ) -> None:
        self.client = client
        self.tokens = tokens
        self.store = store
        self.ban_store = ban_store
        self.recording_id = recording_id  # complete, agent 1001
        self.voicemails = voicemails
        self.tmp = tmp
        self.sessions = sessions  # for staff sign-in links

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def agent_auth(self, ext: str) -> dict[str, str]:
        """An agent's token for ``ext`` (the role's own is 1001's)."""
        token = SqlApiKeys(self.sessions).create_token(f"test-agent-{ext}", Role.AGENT, ext)[1]
        return {"Authorization": f"Bearer {token}"}


async def _health() -> dict[str, bool]:
    return {"db": True}


LIVE_CALL, RECORDED_CALL = "1764669600.1", "1764669600.2"


class _Dialer:
    async def ring_into(self, phone: str, context: str, exten: str, caller_name: str) -> None:
        pass


class _Placeholders:
    """The queue as app_queue would report it, and placeholders kept, not dialled."""

    def __init__(self, queues: MemoryQueues) -> None:
        self.queues = queues
        self.placed: list[tuple[str, int]] = []

    async def place(self, callback: Callback, position: int) -> None:
        self.placed.append((callback.placeholder, position))

    async def alive(self, callback: Callback) -> bool:
        return False

    async def withdraw(self, callback: Callback) -> None:
        self.placed = [p for p in self.placed if p[0] != callback.placeholder]

    async def status(self, queue: str = "") -> list[QueueSnapshot]:
        return await self.queues.status(queue)


class _Work:
    async def for_position(self, queue: str, snapshot: QueueSnapshot, position: int) -> float:
        return 300.0 * position


class _Sender:
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        return 204


async def _agent_name(ext: str) -> str:
    return {"1001": "Anna Petrova"}.get(ext, "")


class _NoComments:
    """Survey comments' audio: none here (test_surveys.py records real ones)."""

    async def adopt_comment(self, call_id: str, path: str, at: datetime, queue: str) -> None:
        return None


def survey_api(sessions: sessionmaker[Session], store: SqlTicketStore, spool: Path) -> SurveysApi:
    surveys = Surveys(
        SqlSurveys(sessions), store, _NoComments(), spool, LinkPolicy(b"survey-key" * 4),
        SystemClock(),
    )  # fmt: skip
    return SurveysApi(surveys, SqlSurveyReports(sessions), UTC)


class _NoDecoder:
    async def decode(self, wav: Path, model: Path) -> list[list[dict[str, object]]]:
        raise AssertionError("nothing is decoded in the API tests")


class _Mute:
    async def mute(self, call_id: str, muted: bool) -> None:
        pass


async def seeded_recordings(
    sessions: sessionmaker[Session], tickets: SqlTicketStore, tmp: Path
) -> tuple[Recordings, int]:
    """Recordings as the daemon keeps them: one live call of agent 1001 and one complete
    recording of theirs adopted from the files Asterisk leaves (the id is returned)."""
    files = RecordingFiles(tmp / "recordings", tmp / "spool")
    (tmp / "spool").mkdir(parents=True)
    service = Recordings(
        SqlRecordings(sessions),
        files,
        _Mute(),
        tickets,
        RecordingPolicy(lambda q: 90),
        SystemClock(),
    )
    start = time.time() - 10
    for call_id in (LIVE_CALL, RECORDED_CALL):
        raw = f"{time.strftime('%Y/%m/%d', time.gmtime(start))}/{call_id}.raw"
        await service.started(call_id, raw, start, "support")
        await service.agent_answered(call_id, "1001", "support")
    (tmp / "recordings" / raw).parent.mkdir(parents=True, exist_ok=True)
    (tmp / "recordings" / raw).write_bytes(b"\0" * 32000 * 10)
    # MixMonitor ran the 10 s up to the marker (its mtime ends the call): on a slow machine
    # the setup above must not make the recording look truncated.
    ran_from = time.time() - 10
    (tmp / "spool" / f"{RECORDED_CALL}.done").write_text(f"{ran_from:.3f} {raw}")
    await service.sweep()
    recorded = await service.search(RecordingFilter(state=RecordingState.COMPLETE), 1, None)
    return service, recorded.items[0].id


def voicemail_service(
    sessions: sessionmaker[Session], tickets: SqlTicketStore, callbacks: Callbacks, tmp: Path
) -> Voicemails:
    """The voicemail service as the daemon wires it (mailbox 100 answered by support)."""
    return Voicemails(
        SqlVoicemails(sessions),
        VoicemailFiles(tmp / "recordings", tmp / "asterisk-spool"),
        tickets,
        callbacks,
        VoicemailPolicy(
            queue_of=lambda box: "support" if box == "100" else "", retention_days=lambda _q: 90
        ),
        SystemClock(),
    )


async def leave_message(api: Api, call_id: str, seconds: float = 3.0) -> int:
    """A message taken live (its WAV where ARI leaves it); returns its id."""
    source = api.tmp / "asterisk-spool" / "recording" / f"callcenter-vm-{call_id}.wav"
    source.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(source), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    arrived = Arrived(
        live_key(call_id), "100", "+79171234567", datetime.now(UTC), VoicemailSource.LIVE
    )
    return (await api.voicemails.received(arrived, source)).voicemail.id


SHOP_ORIGIN = "https://shop.example"  # the seeded widget "shop" may be embedded there


class _Cluster:
    """This server as node "main" of a cluster (the daemon's ClusterWiring)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.membership = Membership(SqlNodes(sessions), "main", (), LeasePolicy(), SystemClock())

    async def view(self) -> ClusterView:
        return await self.membership.view()


class _NoRegistrations:
    """Asterisk has not said anything of the registration yet."""

    async def registrations(self) -> list[RegistrationSeen]:
        return []


class _Gate:
    node, key = "main", GATE_KEY

    def __init__(self, callbacks: Callbacks) -> None:
        self._callbacks = callbacks

    async def take(self, callback_id: int, attempt: int, agent: str) -> bool:
        return await self._callbacks.take(callback_id, attempt, agent)


FLOW_CTX = FlowContext(
    queues=frozenset({"sales", "support"}),
    mailboxes=frozenset({"100"}),
    extensions=frozenset({"1001"}),
)


def flow_editor(
    sessions: sessionmaker[Session], tmp: Path
) -> tuple[FlowEditor, FlowRegistry, Path]:
    """The editor of a copy of the shipped flows (queues sales and support here), the
    running registry it publishes to, and the flows' directory."""
    flows = tmp / "flows"
    flows.mkdir()
    shutil.copy(Path(__file__).resolve().parents[3] / "ivr_flows" / "main.yaml", flows)
    registry = FlowRegistry(lambda: load_catalog(flow_files(flows), FLOW_CTX, tmp))
    editor = FlowEditor(flows, FLOW_CTX, registry, SqlFlowVersions(sessions), SystemClock())
    return editor, registry, flows


@pytest.fixture
async def api(db_engine: Engine, tmp_path: Path) -> AsyncIterator[Api]:
    sessions = make_sessions(db_engine)
    store = SqlTicketStore(sessions, "RU", timedelta(hours=72))
    keys = SqlApiKeys(sessions)
    await store.ensure_agents(["1001", "1002"])  # logged in: the resync puts them in support
    tokens = {
        role: keys.create_token(f"test-{role.value}", role, "1001" if role is Role.AGENT else "")[1]
        for role in Role
    }
    queues = MemoryQueues(("support",), {"support": (WaitingCaller("1.1", "+79161234567", 1, 12),)})
    control = AgentControl(queues, store, {"support": QueueDef("support")}, ("lunch", "training"))
    await control.resync()
    ban_store = SqlSipBans(sessions)
    bans = SipBans(ban_store, RecordingFirewall(), BanPolicy(), lambda: datetime.now(UTC))
    recordings, recorded = await seeded_recordings(sessions, store, tmp_path)
    supervision = Supervision(_Dialer(), frozenset({"1090"}))
    callbacks = Callbacks(
        SqlCallbacks(sessions),
        _Placeholders(queues),
        store,
        _Work(),
        lambda _queue: ALWAYS_OPEN,
        CallbackPolicy(queues=frozenset({"support"})),
        SystemClock(),
    )
    voicemails = voicemail_service(sessions, store, callbacks, tmp_path)
    # Transcripts: the recorded call's job waits (no decoder runs here: test_transcripts.py).
    transcripts = Transcripts(
        SqlTranscripts(sessions),
        recordings,
        _NoDecoder(),
        store,
        TranscriptPolicy({}),
        SystemClock(),
    )
    await transcripts.enqueue()
    guard = DialGuard(
        SqlDialAudit(sessions),
        SqlPendingNumbers(sessions),
        NumberPolicy("RU", frozenset({"RU"})),
        GuardLimits(per_client=1000, per_widget_hour=1000, budget_hour=1000),
        SystemClock(),
    )
    widgets = Widgets(
        SqlWidgets(sessions),
        guard,
        callbacks,
        b"test-widget-key-test-widget-key!",
        SystemClock(),
        lambda _queue: ALWAYS_OPEN,
        frozenset({"support"}),
    )
    await widgets.define(Widget("shop", "support", (SHOP_ORIGIN,), "Shop"), create=True)
    shifts = Handoffs(
        SqlHandoffs(sessions), ShiftPolicy(frozenset({"night"})), SystemClock(), queues
    )
    control.gate = shifts
    cluster = _Cluster(sessions)
    await cluster.membership.join()
    gate = _Gate(callbacks)
    app = build_app(
        _health,
        {
            STORE: store,
            KEYS: keys,
            CONTROL: control,
            BANS: bans,
            RECORDINGS: recordings,
            SUPERVISION: supervision,
            CALLBACKS: callbacks,
            PROMISES: callbacks,
            CALIBRATION: PromiseCalibration(SqlCallbacks(sessions), lambda _queue: ALWAYS_OPEN),
            WEBHOOKS: Webhooks(SqlWebhooks(sessions), _Sender(), SystemClock()),
            VOICEMAILS: voicemails,
            TRANSCRIPTS: transcripts,
            SEARCH: search_service(sessions, DbThreads(1)),
            ARTICLES: (articles := Articles(SqlArticles(sessions), SystemClock())),
            SUGGESTIONS: Suggestions(articles),
            TOPICS: Topics(SqlTopics(sessions), SystemClock()),
            SURVEYS: survey_api(sessions, store, tmp_path / "surveys"),
            QUALITY: Quality(
                SqlQuality(sessions),
                recordings,
                SqlTranscripts(sessions),
                _agent_name,
                SystemClock(),
            ),
            ANSWERS: Answers(
                SqlAnswers(sessions),
                store,
                SqlCallbacks(sessions).open_promises,
                SystemClock(),
                "Europe/Moscow",
            ),
            WIDGETS: widgets,
            GUARD: guard,
            TICKET_CALLS: callbacks,
            HANDOFFS: shifts,
            CLUSTER: cluster,
            CALLBACK_GATE: gate,
            FLOW_EDITOR: flow_editor(sessions, tmp_path)[0],
            STAFF: SqlStaff(sessions),
            SESSION_TTL: timedelta(hours=1),
            HUB: AgentHub(),
            REPORTS: _Reports(sessions, store),
            TRUNKS: Trunks(
                [TrunkLine("carrier", "sip.example.net:5060", True, "sip:u@sip.example.net:5060")],
                _NoRegistrations(),
                SystemClock(),
            ),
            NUMBERS: [{"number": "7000", "flow": "main", "name": "dialplan.virtual_number"}],
            ADMISSION: (_admission(), AdmissionConfig(max_calls=30, mode="refuse")),
        },
        api_routes(),
        pages(),
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield Api(client, tokens, store, ban_store, recorded, voicemails, tmp_path, sessions)
    finally:
        await client.close()


class _NoDoor:
    async def close(self, until: object, why: str) -> None:
        return None

    async def reopen(self) -> None:
        return None

    async def calls_up(self) -> int:
        return 3


def _admission() -> Admission:
    """Two callers refused at the ceiling, one admitted."""
    admission = Admission(
        Door(Limits(0.5, 0.9)), _NoDoor(), lambda: None, SystemClock(), callback_queue="support"
    )
    admission.counts.add(Outcome.ADMITTED)
    admission.seen(AdmissionSeen(Outcome.REFUSED, "calls"))
    admission.seen(AdmissionSeen(Outcome.REFUSED, "calls"))
    return admission
