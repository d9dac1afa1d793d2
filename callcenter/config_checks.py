"""The rules a configuration must keep, each broken one a ConfigError naming its key
(``load_config`` calls :func:`check` on every configuration it builds)."""

from __future__ import annotations

import ipaddress
import re
import zoneinfo
from pathlib import Path

import phonenumbers

from callcenter.config_admission import check_admission
from callcenter.config_lookups import check_lookups
from callcenter.config_sections import (
    ALLOCATORS,
    CallbacksConfig,
    ClusterConfig,
    Config,
    ConfigError,
    GuardConfig,
    HandoffsConfig,
    ReportsConfig,
    TranscriptionConfig,
    VoicemailConfig,
    WidgetsConfig,
)
from callcenter.config_surveys import check_surveys
from callcenter.config_trunks import check_nat, check_numbers, check_tls, check_trunks
from callcenter.domain.alerts import pause_limits
from callcenter.domain.cluster import ClusterError, node_addresses, partitions

_EXTENSION = re.compile(r"^[0-9]{2,15}$")
_QUEUE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def _is_e164(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.is_valid_number(parsed) and formatted == number


def _check_callbacks(c: CallbacksConfig) -> None:
    host, _, port = c.trunk_contact.rpartition(":")
    try:
        ipaddress.ip_address(host)
        ok = port.isdigit() and 1 <= int(port) <= 65535
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(f"callbacks.trunk_contact: {c.trunk_contact!r} is not ADDRESS:PORT")
    if c.caller_id and not re.fullmatch(r"\+?[0-9]{2,15}", c.caller_id):
        raise ConfigError(f"callbacks.caller_id: {c.caller_id!r} is not a phone number")
    for region in c.countries:
        if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ConfigError(f"callbacks.countries: {region!r} is not a region code (e.g. RU)")
    for number in c.deny:
        if not re.fullmatch(r"\+[1-9][0-9]{0,14}", number):
            raise ConfigError(
                f"callbacks.deny: {number!r} is not an E.164 number or prefix (e.g. +7809)"
            )
    for key in ("thanks_sound", "offer_sound"):
        value = getattr(c, key)
        if not re.fullmatch(r"[A-Za-z0-9_/-]{1,120}", value) or ".." in value:
            raise ConfigError(f"callbacks.{key}: {value!r} is not a sound name")
    if not 1 <= c.max_attempts <= 10 or not 5 <= c.ring_seconds <= 120:
        raise ConfigError("callbacks: max_attempts must be 1..10 and ring_seconds 5..120")
    if min(c.retry_seconds, c.hold_hours, c.sweep_seconds, c.round_minutes) <= 0:
        raise ConfigError("callbacks: retry_seconds, hold_hours, sweep_seconds, round_minutes > 0")
    if c.margin_minutes < 0 or c.floor_minutes < 0 or not 0 < c.at_risk_share <= 1:
        raise ConfigError("callbacks: margins >= 0 and at_risk_share in (0, 1]")


def _check_voicemail(v: VoicemailConfig) -> None:
    for key in ("greeting_sound", "saved_sound"):
        value = getattr(v, key)
        if not re.fullmatch(r"[A-Za-z0-9_/-]{1,120}", value) or ".." in value:
            raise ConfigError(f"voicemail.{key}: {value!r} is not a sound name")
    if not 5 <= v.max_seconds <= 3600 or not 0 <= v.silence_seconds <= 60:
        raise ConfigError("voicemail: max_seconds must be 5..3600 and silence_seconds 0..60")
    if v.min_seconds < 0 or v.sweep_seconds <= 0:
        raise ConfigError("voicemail: min_seconds >= 0 and sweep_seconds above 0")


def transcription_models(t: TranscriptionConfig) -> dict[str, Path]:
    """``models`` as language → directory; ConfigError naming the entry otherwise."""
    models: dict[str, Path] = {}
    for entry in t.models:
        language, _, directory = entry.partition("=")
        if not re.fullmatch(r"[a-z]{2,3}", language) or not directory:
            raise ConfigError(
                f"transcription.models: {entry!r} is not LANGUAGE=DIRECTORY (e.g. en=/srv/model)"
            )
        models[language] = Path(directory)
    return models


def _check_transcription(t: TranscriptionConfig) -> None:
    models = transcription_models(t)
    for pattern in t.redact:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"transcription.redact: {pattern!r}: {exc}") from None
    if t.enabled and not models:
        raise ConfigError("transcription.enabled needs transcription.models (we ship none)")
    if not 1 <= t.workers <= 32 or t.retry_seconds <= 0 or t.sweep_seconds <= 0:
        raise ConfigError("transcription: workers 1..32, retry_seconds and sweep_seconds > 0")
    if t.max_attempts < 1:
        raise ConfigError("transcription.max_attempts must be at least 1")
    if t.live and not t.enabled:
        raise ConfigError("transcription.live needs transcription.enabled (and its models)")
    if not 2 <= t.live_streams <= 64 or t.live_lag_seconds <= 0:
        raise ConfigError("transcription: live_streams 2..64 (two per call), live_lag_seconds > 0")


def _check_guard(g: GuardConfig, w: WidgetsConfig) -> None:
    counts = (g.per_number_day, g.per_client, g.per_widget_hour, g.budget_hour)
    if min(counts) < 1:
        raise ConfigError("guard: per_number_day, per_client, per_widget_hour, budget_hour >= 1")
    if g.client_window_seconds <= 0 or g.breaker_minutes <= 0:
        raise ConfigError("guard: client_window_seconds and breaker_minutes > 0")
    if not 0 < w.token_minutes <= 60:
        raise ConfigError("widgets.token_minutes: 0 < minutes <= 60 (tokens are short-lived)")
    if not 0 <= w.web_calls <= 500 or not 1 <= w.web_call_minutes <= 240:
        raise ConfigError("widgets: web_calls 0..500 and web_call_minutes 1..240")


def _check_handoffs(s: HandoffsConfig) -> None:
    for team in s.reading_required:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}", team):
            raise ConfigError(f"handoffs.reading_required: {team!r} is not a team name")
    if not 0 < s.shift_hours <= 24 or not 0 < s.lookback_hours <= 24 * 14:
        raise ConfigError("handoffs: 0 < shift_hours <= 24 and 0 < lookback_hours <= 336")


def _check_reports(r: ReportsConfig) -> None:
    try:
        pause_limits(r.pause_limits)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if not 0 < r.service_level_target <= 100 or not 0 <= r.short_abandon_seconds <= 300:
        raise ConfigError("reports: 0 < service_level_target <= 100, short_abandon_seconds 0..300")
    if not 1 <= r.alert_every_seconds <= 300:
        raise ConfigError("reports.alert_every_seconds: within 1..300")


def _check_cluster(c: ClusterConfig) -> None:
    if not re.fullmatch(r"[a-z0-9-]{1,32}", c.node):
        raise ConfigError(f"cluster.node: {c.node!r} is not 1-32 of a-z, 0-9 and '-'")
    if not 1 <= c.lease_seconds <= 300:
        raise ConfigError(f"cluster.lease_seconds: {c.lease_seconds} is not within 1..300")
    for queue in c.queues:
        if not _QUEUE_NAME.match(queue):
            raise ConfigError(f"cluster.queues: {queue!r} is not a queue name")
    try:
        partitions(c.partitions, node_addresses(c.nodes))
    except ClusterError as exc:
        raise ConfigError(str(exc)) from None
    if not 1 <= c.probe_seconds <= 60 or not 1024 <= c.front_port <= 65535:
        raise ConfigError("cluster: probe_seconds 1..60 and front_port 1024..65535")
    try:
        ipaddress.IPv4Address(c.front_bind)
    except ValueError:
        raise ConfigError(f"cluster.front_bind: {c.front_bind!r} is not an IPv4 address") from None


def check(config: Config) -> None:
    """Every rule a configuration must keep; the first broken one raises ConfigError
    naming its key."""
    _check_asterisk(config)
    _check_dialplan(config)
    _check_features(config)
    check_lookups(config.lookups)


def _check_asterisk(config: Config) -> None:
    a = config.asterisk
    if a.mode not in ("auto", "system", "sandbox"):
        raise ConfigError(f"asterisk.mode must be auto, system or sandbox, got {a.mode!r}")
    for section, value in (("asterisk", a.allocator), ("daemon", config.daemon.allocator)):
        if value not in ALLOCATORS:
            raise ConfigError(
                f"{section}.allocator must be one of {list(ALLOCATORS)}, got {value!r}"
            )
    for key in ("sip_port", "rtp_start", "rtp_end", "ami_port", "http_port"):
        port = getattr(a, key)
        if not 1 <= port <= 65535:
            raise ConfigError(f"asterisk.{key} must be a port 1..65535, got {port}")
    if not 1 <= config.daemon.http_port <= 65535:
        raise ConfigError(
            f"daemon.http_port must be a port 1..65535, got {config.daemon.http_port}"
        )
    for key, top in (
        ("stall_threshold_ms", 60_000),
        ("malloc_arenas", 64),
        ("heap_trim_seconds", 86_400),
    ):
        if not 0 <= getattr(config.daemon, key) <= top:
            raise ConfigError(
                f"daemon.{key} must be 0 (off) to {top}, got {getattr(config.daemon, key)}"
            )
    if a.rtp_end - a.rtp_start < 10:
        raise ConfigError("asterisk.rtp_end must be at least 10 above asterisk.rtp_start")
    try:
        ipaddress.ip_address(a.sip_bind)
    except ValueError as exc:
        raise ConfigError(f"asterisk.sip_bind must be an IP address, got {a.sip_bind!r}") from exc


def _check_dialplan(config: Config) -> None:
    d = config.dialplan
    for net in d.trunk_networks:
        try:
            ipaddress.ip_network(net)
        except ValueError as exc:
            raise ConfigError(f"dialplan.trunk_networks: {net!r} is not a network") from exc
    for ext in (d.virtual_number, *d.agents, *d.supervisors):
        if not _EXTENSION.match(ext):
            raise ConfigError(f"dialplan: extension {ext!r} must be 2-15 digits")
    if both := set(d.agents) & set(d.supervisors):
        raise ConfigError(f"dialplan: {', '.join(sorted(both))} both agent and supervisor")
    if d.virtual_number in d.phones:
        raise ConfigError(f"dialplan.virtual_number {d.virtual_number} is also an agent extension")
    for queue in (d.fallback_queue, *d.queues):
        if not _QUEUE_NAME.match(queue):
            raise ConfigError(f"dialplan: {queue!r} is not a valid queue name")
    for mailbox in d.mailboxes:
        if not re.fullmatch(r"[0-9]{2,10}", mailbox):
            raise ConfigError(f"dialplan.mailboxes: {mailbox!r} must be 2-10 digits")
    for number in d.external_allowlist:
        if not _is_e164(number):
            raise ConfigError(
                f"dialplan.external_allowlist: {number!r} is not a valid E.164 number"
            )


def _check_features(config: Config) -> None:
    d = config.dialplan
    r = config.recordings
    if not re.fullmatch(r"[A-Za-z0-9_/-]{1,120}", r.notice_sound) or ".." in r.notice_sound:
        raise ConfigError(f"recordings.notice_sound: {r.notice_sound!r} is not a sound name")
    if r.retention_days < 0 or r.slack_seconds < 0 or r.stale_seconds <= 0 or r.sweep_seconds <= 0:
        raise ConfigError("recordings: retention_days and slack_seconds >= 0, the others above 0")
    _check_callbacks(config.callbacks)
    _check_guard(config.guard, config.widgets)
    _check_voicemail(config.voicemail)
    _check_handoffs(config.handoffs)
    _check_reports(config.reports)
    _check_cluster(config.cluster)
    if config.cluster.lost_calls_queue not in ("", *d.queues):
        raise ConfigError(
            f"cluster.lost_calls_queue: {config.cluster.lost_calls_queue!r} is not one of"
            f" dialplan.queues {list(d.queues)}"
        )
    _check_transcription(config.transcription)
    check_surveys(config.surveys)
    check_nat(config.asterisk)
    check_tls(config.tls, config.asterisk.sip_port)
    check_admission(config.admission, d.queues)
    check_trunks(config.trunks, d.phones)
    check_numbers(config.numbers, d.phones)
    if config.webhooks.sweep_seconds <= 0 or config.webhooks.retry_seconds <= 0:
        raise ConfigError("webhooks: sweep_seconds and retry_seconds must be above 0")
    sec = config.security
    if sec.ban_after < 1 or sec.ban_window_seconds <= 0 or sec.ban_seconds <= 0:
        raise ConfigError("security: ban_after must be >= 1, the windows above 0")
    for net in sec.never_ban:
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError as exc:
            raise ConfigError(f"security.never_ban: {net!r} is not a network") from exc
    if config.staff.session_hours <= 0 or config.staff.link_minutes <= 0:
        raise ConfigError("staff: session_hours and link_minutes must be above 0")
    if config.staff.timezone:
        try:
            zoneinfo.ZoneInfo(config.staff.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"staff.timezone {config.staff.timezone!r} is not a time zone (e.g. Europe/Moscow)"
            ) from None
    if not 1 <= config.database.threads <= 32:
        raise ConfigError(f"database.threads must be 1..32, got {config.database.threads}")
    region = config.tickets.default_region
    if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(f"tickets.default_region {region!r} is not a region code (e.g. RU, US)")
    if config.tickets.join_window_hours < 0:
        raise ConfigError("tickets.join_window_hours must not be negative")
    if not 1 <= len(config.agents.pause_reasons) <= 9:
        raise ConfigError("agents.pause_reasons: 1 to 9 reasons (feature codes *731-*739)")
    for reason in config.agents.pause_reasons:
        if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", reason):
            raise ConfigError(f"agents.pause_reasons: {reason!r} must be a-z, 0-9, _ or -")
    if config.daemon.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"daemon.log_level {config.daemon.log_level!r} is not a log level")
