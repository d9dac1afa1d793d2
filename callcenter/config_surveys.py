"""``[surveys]``: what callers hear in a post-call survey, and how long its links last.

A queue asks (queues.yaml ``survey: true``); the dialplan tells its callers before an
agent answers (``notice_sound``), and after the agent hangs up asks each question (a sound
each, one or two, in the call's language: the caller keys 1-5), then — when
``comment_seconds`` is above 0 and a score was given — asks for a comment
(``comment_sound``, then a beep) and records it until silence or that many seconds, then
``thanks_sound``. Sounds are Asterisk's or uploaded prompts (``callcenter/NAME``): the
defaults are Asterisk's own, a beep before each question — upload your own wording.
Links (web callbacks, chat-side calls) last ``link_hours``.
"""

from __future__ import annotations

import dataclasses
import re

from callcenter.config_error import ConfigError

SOUND = re.compile(r"^[A-Za-z0-9_/-]{1,120}$")


@dataclasses.dataclass(frozen=True)
class SurveyConfig:
    notice_sound: str = "beep"  # before the agent answers: "a short survey follows"
    questions: tuple[str, ...] = ("beep",)  # one or two sounds, each asking for 1-5
    comment_sound: str = "vm-intro"  # asks for a comment ("… after the tone")
    comment_seconds: int = 30  # longest comment; 0: no comment asked
    thanks_sound: str = "auth-thankyou"
    link_hours: float = 72.0  # a survey link's life
    sweep_seconds: float = 2.0  # how often the dialplan's results are imported


def check_surveys(c: SurveyConfig) -> None:
    """Raise :class:`ConfigError` naming the first key that is wrong."""
    if not 1 <= len(c.questions) <= 2:
        raise ConfigError(f"surveys.questions: one or two sounds, not {len(c.questions)}")
    named = {"notice_sound": c.notice_sound, "comment_sound": c.comment_sound,
             "thanks_sound": c.thanks_sound}  # fmt: skip
    named |= {f"questions[{i}]": q for i, q in enumerate(c.questions)}
    for key, sound in named.items():
        if not SOUND.fullmatch(sound) or ".." in sound:
            raise ConfigError(f"surveys.{key}: {sound!r} is not a sound name")
    if not 0 <= c.comment_seconds <= 300:
        raise ConfigError(f"surveys.comment_seconds: {c.comment_seconds} is not within 0..300")
    if not 0 < c.link_hours <= 24 * 90:
        raise ConfigError(f"surveys.link_hours: {c.link_hours} is not within (0, 2160]")
    if c.sweep_seconds <= 0:
        raise ConfigError("surveys.sweep_seconds must be above 0")
