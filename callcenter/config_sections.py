"""The configuration's sections as typed values (what :func:`callcenter.config.load_config`
builds): every key with a default that works on a fresh machine. Pure data."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from callcenter.config_admission import AdmissionConfig
from callcenter.config_cluster import ClusterConfig
from callcenter.config_error import ConfigError
from callcenter.config_surveys import SurveyConfig
from callcenter.config_tls import TlsConfig

# (defined apart; read from here as the rest)
__all__ = ["AdmissionConfig", "ClusterConfig", "ConfigError", "TlsConfig"]

if TYPE_CHECKING:
    from callcenter.config_lookups import LookupConfig
    from callcenter.config_trunks import NumberConfig, TrunkConfig


@dataclasses.dataclass(frozen=True)
class InstanceConfig:
    name: str = "default"
    state_dir: str = "var"  # secrets, database, Asterisk runtime files; relative to cwd


ALLOCATORS = ("jemalloc", "glibc")  # asterisk.allocator, daemon.allocator


@dataclasses.dataclass(frozen=True)
class AsteriskConfig:
    # auto/sandbox: the embedded Asterisk (a cached Debian root) we start; system: the
    # machine's, started by its service manager from config_dir (docs/production.md).
    mode: str = "auto"
    config_dir: str = "/etc/asterisk"  # system: where `callcenter asterisk config` writes
    modules_dir: str = ""  # system: "" = found under /usr/lib
    sandbox_cache: str = "/var/cache/callcenter/sandbox"
    debian_suite: str = "testing"
    debian_mirror: str = ""  # empty: taken from this machine's apt configuration
    sip_bind: str = "0.0.0.0"  # noqa: S104 softphones on the LAN must reach it; AMI/ARI never leave loopback
    sip_port: int = 5060
    rtp_start: int = 10000
    rtp_end: int = 10999
    ami_port: int = 5038
    http_port: int = 8088
    start_timeout: float = 30.0
    # AMI/ARI send only the events the daemon uses (off: everything, to measure or debug).
    event_filters: bool = True
    # The sandbox's Asterisk allocates with jemalloc, which gives freed memory back to the
    # system; with glibc's malloc a burst (an ARI link cut under load) left +45 MB kept
    # for good, and the soak saw Asterisk's memory climb fault after fault ("glibc": as is).
    allocator: str = "jemalloc"
    external_signaling_address: str = ""  # behind NAT: the public address (production.md)
    external_media_address: str = ""  # "": external_signaling_address
    local_net: tuple[str, ...] = ()  # networks not behind the NAT


@dataclasses.dataclass(frozen=True)
class DialplanConfig:
    virtual_number: str = "7000"
    fallback_queue: str = "fallback"
    agents: tuple[str, ...] = ("1001", "1002")  # demo extensions until agents live in the store
    queues: tuple[str, ...] = ("sales", "support")  # every agent is a member for now
    mailboxes: tuple[str, ...] = ("100",)
    external_allowlist: tuple[str, ...] = ()  # E.164 numbers a flow may transfer to
    # The demo trunk's addresses (without [[trunks]]): one loopback address no phone uses.
    trunk_networks: tuple[str, ...] = ("127.0.0.2/32",)
    queues_file: str = "queues.yaml"  # app_queue parameters and limits per queue
    # Supervisors' phones: they may listen to, whisper to or barge into an agent's call
    # (*222/*223/*224 + the agent's extension). They take no queue calls.
    supervisors: tuple[str, ...] = ()

    @property
    def phones(self) -> tuple[str, ...]:
        """Every extension with a SIP account: agents, then supervisors."""
        return (*self.agents, *(s for s in self.supervisors if s not in self.agents))


@dataclasses.dataclass(frozen=True)
class DaemonConfig:
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    ari_app: str = "callcenter"
    flows_dir: str = "ivr_flows"
    entry_flow: str = "main"
    flows_poll_seconds: float = 1.0  # how often flow files are checked for changes
    reconnect_max_delay: float = 5.0
    log_level: str = "INFO"
    # Where the daemon reaches AMI/ARI (0: Asterisk's ports; a proxy in fault benchmarks).
    ami_port: int = 0
    ari_port: int = 0
    # The stall catcher records what the event loop was doing when a tick runs this late
    # (stack, task, garbage collections, work in flight); 0 turns it off.
    stall_threshold_ms: float = 40.0
    # The C heap: at most this many malloc arenas (0: glibc's default, 8 per core), and
    # its free pages given back every so many seconds (0: never). See docs/production.md.
    allocator: str = "jemalloc"  # or "glibc" (ALLOCATORS)
    malloc_arenas: int = 2
    heap_trim_seconds: float = 60.0


@dataclasses.dataclass(frozen=True)
class DatabaseConfig:
    url: str = ""  # empty: SQLite file in the state directory
    threads: int = 2  # worker threads for database work (off the event loop)


@dataclasses.dataclass(frozen=True)
class TicketsConfig:
    default_region: str = "RU"  # how caller ids without a country code are read
    join_window_hours: float = 72.0  # a call joins the caller's open ticket active this recently


@dataclasses.dataclass(frozen=True)
class AgentsConfig:
    pause_reasons: tuple[str, ...] = ("lunch", "training", "back-office", "meeting")
    service_level_seconds: float = 20.0  # "answered within" for the service level (80/20)
    resync_seconds: float = 60.0  # how often queue members are checked against the store


@dataclasses.dataclass(frozen=True)
class SecurityConfig:
    # An address that fails SIP authentication ban_after times within ban_window_seconds
    # gets nothing but 403 from Asterisk for ban_seconds. The trunk networks and never_ban
    # are never banned.
    ban_after: int = 10
    ban_window_seconds: float = 60.0
    ban_seconds: float = 900.0
    never_ban: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class StaffConfig:
    session_hours: float = 12.0  # a sign-in lasts this long (then sign in again)
    link_minutes: float = 60.0  # one-time sign-in links (`callcenter staff link`) expire
    # The centre's time zone: the pages show dates and times in it ('': the server's own).
    timezone: str = ""


@dataclasses.dataclass(frozen=True)
class RecordingsConfig:
    enabled: bool = True  # queue calls are recorded (per queue: queues.yaml record)
    ivr: bool = False  # record every call from its start, IVR legs included (one file)
    retention_days: int = 90  # default; per queue: queues.yaml retention_days; 0 = for ever
    # Heard before recording starts when a flow's queue node says announce_recording: a
    # sound of Asterisk's or an uploaded prompt (e.g. "this call may be recorded").
    notice_sound: str = "beep"
    slack_seconds: float = 3.0  # audio may differ from the call's length by this much
    stale_seconds: float = 120.0  # a file not growing this long, with no marker: it ended
    sweep_seconds: float = 2.0  # how often markers, stale files and retention are checked


@dataclasses.dataclass(frozen=True)
class CallbacksConfig:
    trunk_contact: str = "127.0.0.2:5060"  # the demo trunk's (without [[trunks]])
    # What the customer's phone shows: the centre's public number ("": the virtual number),
    # never the agent's extension.
    caller_id: str = ""
    countries: tuple[str, ...] = ("RU",)  # regions a callback may dial (ISO codes)
    deny: tuple[str, ...] = ()  # E.164 numbers or prefixes (+7809) never dialled
    max_attempts: int = 3  # customer busy / no answer: tried again this many times in all
    retry_seconds: float = 120.0  # first retry after this; doubled each time
    ring_seconds: int = 30  # how long the customer's phone rings
    hold_hours: float = 8.0  # a placeholder waits in its queue this long at most
    margin_minutes: float = 5.0  # promises: on top of the computed wait
    round_minutes: int = 15  # promises are whole quarters of an hour (local time)
    floor_minutes: float = 10.0  # never promise sooner than this
    at_risk_share: float = 0.75  # escalate when this share of the window is used
    sweep_seconds: float = 2.0  # how often retries, results and projections are checked
    # Said before the due time ("… today at 2:30 p.m."): a sound of Asterisk's.
    thanks_sound: str = "auth-thankyou"
    offer_sound: str = "vm-tocallback"  # on entering a queue that offers callbacks


@dataclasses.dataclass(frozen=True)
class VoicemailConfig:
    # Messages are taken by the daemon (ARI); the queue whose queues.yaml ``mailbox`` names
    # a box answers its messages (a callback, with its promise).
    max_seconds: int = 120  # the longest message
    silence_seconds: int = 5  # this much silence ends a message (0: never)
    min_seconds: float = 1.0  # shorter is no message (the caller said nothing)
    review: bool = True  # after recording: 1 keep, 2 listen, 3 record again
    greeting_sound: str = "vm-intro"  # "leave your message after the tone …"
    saved_sound: str = "vm-msgsaved"
    sweep_seconds: float = 5.0  # how often VoiceMail()'s spool is imported


@dataclasses.dataclass(frozen=True)
class TranscriptionConfig:
    # Recordings are written down by vosk in worker processes. We ship no model: each
    # entry is LANGUAGE=DIRECTORY of a vosk model (e.g. "en=/srv/vosk-model-small-en-us").
    enabled: bool = False
    models: tuple[str, ...] = ()
    default_language: str = "en"  # the model of calls whose language has none
    workers: int = 1  # decoding processes (each holds its models: ~0.5 GB per model)
    retry_seconds: float = 30.0  # a decode that crashed is tried again (doubled each time)
    max_attempts: int = 5
    redact: tuple[str, ...] = ()  # regular expressions redacted besides card numbers
    sweep_seconds: float = 5.0  # how often new recordings are queued and jobs claimed
    # Live: each party of a queue call streams to a recogniser while it runs (ARI snoop +
    # externalMedia), lines on the agent's desk. At most live_streams parties at once (two
    # per call); beyond that, or when the recogniser falls behind, live is shed first.
    live: bool = False
    live_streams: int = 4
    live_lag_seconds: float = 3.0  # a stream this far behind the call is dropped (shed)


@dataclasses.dataclass(frozen=True)
class WebhooksConfig:
    sweep_seconds: float = 1.0  # how often the outbox is looked at
    retry_seconds: float = 5.0  # the first retry after a failed delivery (doubled each time)


@dataclasses.dataclass(frozen=True)
class GuardConfig:
    # The toll-fraud guard in front of every web- or API-initiated dial (and numbers keyed
    # in at the IVR). Countries, types and the deny list are [callbacks]' own.
    per_number_day: int = 3  # dials to one number in 24 hours
    per_client: int = 5  # requests from one address in client_window_seconds
    client_window_seconds: float = 600.0
    per_widget_hour: int = 60  # dials asked through one widget (or API token) an hour
    budget_hour: int = 200  # all guarded dials together an hour; then the breaker opens
    breaker_minutes: float = 30.0  # how long the breaker refuses everything


@dataclasses.dataclass(frozen=True)
class WidgetsConfig:
    token_minutes: float = 10.0  # a widget page's token lasts this long (one request each)
    # "Call now" (WebRTC): the browser's SIP over the daemon's websocket (/widget/sip) to
    # Asterisk's own, which stays on loopback. At most web_calls calls at once (the
    # dialplan's GROUP), each web_call_minutes at most.
    web_calls: int = 4
    web_call_minutes: int = 30


@dataclasses.dataclass(frozen=True)
class HandoffsConfig:
    # Teams whose agents must read (acknowledge) what was handed to the team since their
    # last shift before they take calls: until then they are logged in, paused
    # ("handoff-reading"). Other teams are shown the same list, and may skip it.
    reading_required: tuple[str, ...] = ()
    shift_hours: float = 8.0  # "due in this shift": promises due within this from login
    lookback_hours: float = 24.0  # a first shift (or a long absence) reads this far back


@dataclasses.dataclass(frozen=True)
class ReportsConfig:
    # The event log behind every report (off only to measure what it costs: benchmarks).
    event_log: bool = True
    # The defaults of every queue's targets (queues.yaml sets a queue's own).
    service_level_target: float = 80.0  # % answered within agents.service_level_seconds
    short_abandon_seconds: float = 5.0  # a caller who hangs up sooner: a short abandon
    # A pause longer than this (minutes), by reason, raises an alert: ["lunch=60"].
    pause_limits: tuple[str, ...] = ()
    alert_every_seconds: float = 10.0  # how often targets are checked


@dataclasses.dataclass(frozen=True)
class Config:
    instance: InstanceConfig = dataclasses.field(default_factory=InstanceConfig)
    asterisk: AsteriskConfig = dataclasses.field(default_factory=AsteriskConfig)
    dialplan: DialplanConfig = dataclasses.field(default_factory=DialplanConfig)
    daemon: DaemonConfig = dataclasses.field(default_factory=DaemonConfig)
    database: DatabaseConfig = dataclasses.field(default_factory=DatabaseConfig)
    tickets: TicketsConfig = dataclasses.field(default_factory=TicketsConfig)
    agents: AgentsConfig = dataclasses.field(default_factory=AgentsConfig)
    security: SecurityConfig = dataclasses.field(default_factory=SecurityConfig)
    staff: StaffConfig = dataclasses.field(default_factory=StaffConfig)
    recordings: RecordingsConfig = dataclasses.field(default_factory=RecordingsConfig)
    callbacks: CallbacksConfig = dataclasses.field(default_factory=CallbacksConfig)
    webhooks: WebhooksConfig = dataclasses.field(default_factory=WebhooksConfig)
    voicemail: VoicemailConfig = dataclasses.field(default_factory=VoicemailConfig)
    transcription: TranscriptionConfig = dataclasses.field(default_factory=TranscriptionConfig)
    guard: GuardConfig = dataclasses.field(default_factory=GuardConfig)
    widgets: WidgetsConfig = dataclasses.field(default_factory=WidgetsConfig)
    handoffs: HandoffsConfig = dataclasses.field(default_factory=HandoffsConfig)
    reports: ReportsConfig = dataclasses.field(default_factory=ReportsConfig)
    cluster: ClusterConfig = dataclasses.field(default_factory=ClusterConfig)
    tls: TlsConfig = dataclasses.field(default_factory=TlsConfig)  # config_tls.py
    admission: AdmissionConfig = dataclasses.field(default_factory=AdmissionConfig)
    surveys: SurveyConfig = dataclasses.field(default_factory=SurveyConfig)  # config_surveys
    trunks: tuple[TrunkConfig, ...] = ()  # [[trunks]] (config_trunks.py)
    numbers: tuple[NumberConfig, ...] = ()  # [[numbers]]
    lookups: tuple[LookupConfig, ...] = ()  # [[lookups]] (config_lookups.py)

    @property
    def state_dir(self) -> Path:
        return Path(self.instance.state_dir).resolve()

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{self.state_dir / 'callcenter.sqlite3'}"
