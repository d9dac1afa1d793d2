"""Runs a call through the IVR: carries out the engine's commands on the live call.

Contract: the handler pins the flow set current at the call's start (a reload never changes
a call in progress), feeds the engine ChannelDtmfReceived digits, the end of the *current*
prompt (stale playbacks are ignored) and input timeouts; stores the IVR path and outcome
on the call; and hands the call on through the dialplan (queue, voicemail, callback,
transfer) or hangs up. A call that returns from a queue timeout (Stasis args
``resume,FLOW,NODE``) continues at that node.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from callcenter.domain.calls import CallOutcome, DtmfReceived, IvrResult, PlaybackFinished
from callcenter.flows import engine
from callcenter.flows import session as flow_session
from callcenter.flows.catalog import FlowSet
from callcenter.services.call_session import CallSession, Handler
from callcenter.services.flow_lookups import Lookups, look_up
from callcenter.services.ports import CallerDirectory, Clock
from callcenter.services.wait_estimates import announced_minutes

log = logging.getLogger(__name__)

HANDOFF_CONTEXTS = {
    "queue": "callcenter-queue",
    "voicemail": "callcenter-voicemail",
    "callback": "callcenter-callback",
    "transfer": "callcenter-transfer",
}
OUTCOMES = {
    "queue": CallOutcome.QUEUE,
    "voicemail": CallOutcome.VOICEMAIL,
    "callback": CallOutcome.CALLBACK,
    "transfer": CallOutcome.TRANSFER,
    "hangup": CallOutcome.COMPLETED,
}
LAST_PROMPT_LIMIT = 120.0  # seconds a goodbye prompt may take before we hang up anyway


class CallbackTaker(Protocol):
    async def take(
        self,
        session: CallSession,
        queue: str,
        joined: datetime | None,
        priority: int,
        source: str,
        language: str = "en",
        record: bool = True,
        ask_time: Sequence[str] = (),
    ) -> CallOutcome:
        """Confirm the number, (``ask_time``: ask when to call) make the callback request,
        tell the promise, hang up."""
        ...


class VoicemailTaker(Protocol):
    async def take(self, session: CallSession, mailbox: str, language: str = "en") -> CallOutcome:
        """Record the caller's message, keep it, tell the promise, hang up."""
        ...


class WaitEstimator(Protocol):
    async def estimate(self, queue: str) -> float | None:
        """Seconds a caller entering ``queue`` now will likely wait; never raises."""
        ...


def ivr_handler(
    flows: Callable[[], FlowSet],
    entry_flow: str,
    directory: CallerDirectory,
    clock: Clock,
    prompts_dir: Path,
    waits: WaitEstimator | None = None,
    callbacks: CallbackTaker | None = None,
    voicemail: VoicemailTaker | None = None,
    lookups: Lookups | None = None,
) -> Handler:
    async def handle(session: CallSession) -> CallOutcome | None:
        flow_set = flows()  # pinned for the whole call
        runner = _Run(session, flow_set, clock, prompts_dir, waits, callbacks, voicemail)
        runner.lookups = lookups
        return await runner.run(entry_flow, await directory.is_known(session.entered.caller))

    return handle


class _Run:
    def __init__(
        self,
        session: CallSession,
        flow_set: FlowSet,
        clock: Clock,
        prompts_dir: Path,
        waits: WaitEstimator | None = None,
        callbacks: CallbackTaker | None = None,
        voicemail: VoicemailTaker | None = None,
    ) -> None:
        self.session = session
        self.waits = waits
        self.callbacks = callbacks
        self.voicemail = voicemail
        self.flow_set = flow_set
        self.flows = flow_set.flows
        self.clock = clock
        self.prompts_dir = prompts_dir
        self.playback: str | None = None
        self.pending: list[str] = []  # the rest of the current prompt, item by item
        self.language = "en"
        self.deadline: float | None = None
        self.lookups: Lookups | None = None
        self.answered: flow_session.LookupDone | None = None  # fed to the engine next

    def _start_point(self, entry_flow: str) -> tuple[str, str]:
        args = self.session.entered.args
        if len(args) >= 3 and args[0] == "resume":
            flow, node = args[1], args[2]
            if flow in self.flows and node in self.flows[flow].nodes:
                return flow, node
            log.warning(
                "cannot resume at %s.%s (not in flows %s); starting over",
                flow,
                node,
                self.flow_set.version,
            )
        return entry_flow, ""

    async def run(self, entry_flow: str, caller_known: bool) -> CallOutcome:
        flow, node = self._start_point(entry_flow)
        now = self.clock.now()
        state, commands = engine.start(
            self.flows,
            flow,
            flow_session.Start(now, self.session.entered.caller, caller_known, node),
        )
        log.info(
            "IVR %s@%s from %s (caller known: %s)",
            flow,
            self.flow_set.version,
            node or "entry",
            caller_known,
        )
        await self.session.answer()
        while True:
            for command in commands:
                if isinstance(command, flow_session.Finish):
                    return await self._finish(state, command)
                await self._execute(command)
            event = await self._next_event()
            if event is None:
                commands = []  # an ignored event (e.g. a stale playback) runs nothing
                continue
            state, commands = engine.step(self.flows, state, event)
            log.debug("IVR at %s.%s (%s)", state.flow, state.node, state.phase)

    async def _execute(self, command: flow_session.Command) -> None:
        if isinstance(command, flow_session.Play):
            # One playback per item: Asterisk's stop on a media *list* ends only the current
            # item and plays on, which would defeat barge-in and delay every later command.
            self.pending = [self._media(m, command.language) for m in command.media]
            self.language = command.language
            self.deadline = None
            await self._play_next()
        elif isinstance(command, flow_session.StopPlayback):
            self.pending = []
            if self.playback is not None:
                await self.session.stop_playback(self.playback)
                self.playback = None
        elif isinstance(command, flow_session.WaitForInput):
            self.deadline = time.monotonic() + command.seconds
        elif isinstance(command, flow_session.SetLanguage):
            await self.session.set_variable("CHANNEL(language)", command.language)
        elif isinstance(command, flow_session.Lookup):
            self.answered = await look_up(self.lookups, command, self.clock.now())

    async def _play_next(self) -> bool:
        """Start the next item of the prompt; False when the prompt is over."""
        if not self.pending:
            self.playback = None
            return False
        self.playback = await self.session.play(self.pending.pop(0), self.language)
        return True

    def _media(self, uri: str, language: str) -> str:
        if uri.startswith("sound:callcenter/"):
            # Uploaded prompts live in the instance, per language, by absolute path.
            name = uri.removeprefix("sound:callcenter/")
            return f"sound:{self.prompts_dir / language / name}"
        return uri

    async def _next_event(self) -> flow_session.Event | None:
        if self.answered is not None:
            done, self.answered = self.answered, None
            return done
        timeout = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
        event = await self.session.next_event(timeout=timeout)
        now = self.clock.now()
        if event is None:
            self.deadline = None
            return flow_session.Timeout(now)
        if isinstance(event, DtmfReceived):
            log.info("caller pressed %s", event.digit)
            await self.session.record_digit(event.digit)
            return flow_session.Digit(now, event.digit)
        if isinstance(event, PlaybackFinished) and event.playback_id == self.playback:
            if await self._play_next():
                return None
            return flow_session.PlaybackDone(now)
        return None

    async def _finish(
        self, state: flow_session.Session, finish: flow_session.Finish
    ) -> CallOutcome:
        path = tuple(
            {"flow": s.flow, "node": s.node, "type": s.type, "detail": s.detail} for s in state.path
        )
        outcome = OUTCOMES[finish.outcome]
        detail = finish.target or finish.reason
        await self.session.record_ivr(
            IvrResult(
                f"{state.flow}@{self.flow_set.version}", path, outcome, detail, state.language
            )
        )
        log.info("IVR outcome %s %s", finish.outcome, detail)
        if finish.outcome == "hangup":
            await self._let_last_prompt_finish()
            await self.session.hangup()
            return outcome
        if finish.outcome == "callback" and self.callbacks is not None:
            # The caller stays on this call: which number, the request, the promise.
            await self._let_last_prompt_finish()
            return await self.callbacks.take(
                self.session,
                finish.target,
                None,
                0,
                "ivr",
                self.language,
                record=False,
                ask_time=[self._media(m, self.language) for m in finish.ask_time],
            )
        if finish.outcome == "voicemail" and self.voicemail is not None:
            # The daemon takes the message itself (ARI): recording store, ticket, promise.
            await self._let_last_prompt_finish()
            return await self.voicemail.take(self.session, finish.target, self.language)
        variables = {"CC_TARGET": finish.target}
        if finish.outcome == "queue":
            variables |= {
                "CC_QUEUE": finish.target,
                "CC_PRIORITY": str(finish.priority),
                "CC_TIMEOUT": str(int(finish.timeout)) if finish.timeout else "",
                "CC_RESUME": f"{state.flow},{finish.resume_node}" if finish.resume_node else "",
                # The dialplan says "this call may be recorded" before recording starts.
                "CC_REC_NOTICE": "1" if finish.announce_recording else "",
                # The flow asks for the post-call survey (else the queue's survey: true).
                "CC_SURVEY": "1" if finish.survey else "",
                # Said before the caller joins the queue (dialplan): our estimate, if any.
                "CC_WAIT_MINUTES": announced_minutes(
                    await self.waits.estimate(finish.target) if self.waits else None
                ),
            }
        for name, value in variables.items():
            await self.session.set_variable(name, value)
        self.pending = []
        if self.playback is not None:
            await self.session.stop_playback(self.playback)
        await self.session.continue_in_dialplan(HANDOFF_CONTEXTS[finish.outcome])
        return outcome

    async def _let_last_prompt_finish(self) -> None:
        limit = time.monotonic() + LAST_PROMPT_LIMIT
        while self.playback is not None and time.monotonic() < limit:
            event = await self.session.next_event(timeout=limit - time.monotonic())
            if isinstance(event, PlaybackFinished) and event.playback_id == self.playback:
                await self._play_next()
