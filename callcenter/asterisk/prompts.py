"""Uploaded prompts: any common audio file → what Asterisk plays (8 kHz mono 16-bit WAV).

Contract: :func:`add_prompt` converts ``source`` and stores it as
``<prompts_dir>/<language>/<name>.wav`` (atomically), or raises :class:`PromptError`
naming the file and the problem: unreadable or unknown format, too short or too long,
silent, or clipped. WAV needs nothing else; other formats (mp3, ogg, m4a…) need ffmpeg.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import warnings
from pathlib import Path

with warnings.catch_warnings():
    # pydub imports audioop (deprecated in 3.11, works until 3.13) and warns at import when
    # ffmpeg is absent; we say so ourselves, only when a non-WAV file needs it.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
MIN_SECONDS, MAX_SECONDS = 0.2, 300.0
SILENT_DBFS = -50.0  # quieter than this on average is no prompt at all
CLIPPED_DBFS = -0.1  # a peak this close to full scale is clipping


class PromptError(ValueError):
    """The prompt cannot be added; the message names the file and the reason."""


@dataclasses.dataclass(frozen=True)
class PromptInfo:
    path: Path
    seconds: float
    loudness_dbfs: float
    peak_dbfs: float


def add_prompt(prompts_dir: Path, name: str, source: Path, language: str = "en") -> PromptInfo:
    if not NAME.match(name):
        raise PromptError(f"prompt name {name!r}: use a-z, 0-9, '-' and '_' (max 64)")
    if not LANGUAGE.match(language):
        raise PromptError(f"language {language!r}: use a two-letter code such as en or ru")
    if not source.is_file():
        raise PromptError(f"{source}: no such file")
    if source.suffix.lower() != ".wav" and shutil.which("ffmpeg") is None:
        raise PromptError(
            f"{source}: {source.suffix or 'this'} files need ffmpeg "
            "(apt-get install ffmpeg); WAV files do not"
        )
    try:
        # Our own handle: pydub leaves its own open when decoding fails.
        with open(source, "rb") as handle, warnings.catch_warnings():
            # On a bad WAV pydub probes with ffprobe and warns when it is absent.
            warnings.simplefilter("ignore", RuntimeWarning)
            audio = AudioSegment.from_file(handle, format=source.suffix.lstrip(".").lower())
    except (CouldntDecodeError, OSError, IndexError, EOFError) as exc:
        raise PromptError(f"{source}: not an audio file we can read ({exc})") from exc
    seconds = len(audio) / 1000
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise PromptError(
            f"{source}: {seconds:.1f} s long; a prompt must last {MIN_SECONDS}-{MAX_SECONDS:.0f} s"
        )
    if audio.dBFS < SILENT_DBFS:
        raise PromptError(f"{source}: silent (average {audio.dBFS:.1f} dBFS)")
    if audio.max_dBFS > CLIPPED_DBFS:
        raise PromptError(f"{source}: clipped (peak {audio.max_dBFS:.2f} dBFS); lower the level")
    converted = audio.set_channels(1).set_frame_rate(8000).set_sample_width(2)
    target = prompts_dir / language / f"{name}.wav"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp.wav")
    with open(tmp, "wb") as out:  # our handle: pydub's export returns one left open
        converted.export(out, format="wav")
    os.chmod(tmp, 0o644)  # Asterisk (another user) reads it
    os.replace(tmp, target)
    return PromptInfo(target, seconds, audio.dBFS, audio.max_dBFS)


def prompt_exists(prompts_dir: Path, language: str, name: str) -> bool:
    return (prompts_dir / language / f"{name}.wav").is_file()
