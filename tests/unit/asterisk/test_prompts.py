"""Prompt conversion on real audio files made here (no fixtures shipped)."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import pytest

from callcenter.asterisk.prompts import PromptError, add_prompt, prompt_exists


def write_wav(
    path: Path, seconds: float, amplitude: float, rate: int = 44100, channels: int = 2
) -> Path:
    frames = bytearray()
    for n in range(int(rate * seconds)):
        sample = int(amplitude * 32767 * math.sin(2 * math.pi * 440 * n / rate))
        frames += struct.pack("<h", sample) * channels
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return path


def test_a_cd_quality_wav_becomes_8khz_mono(tmp_path: Path) -> None:
    source = write_wav(tmp_path / "hello.wav", 1.0, 0.3)
    info = add_prompt(tmp_path / "prompts", "welcome", source, "ru")
    assert info.path == tmp_path / "prompts" / "ru" / "welcome.wav"
    with wave.open(str(info.path)) as result:
        assert (result.getframerate(), result.getnchannels(), result.getsampwidth()) == (8000, 1, 2)
        assert abs(result.getnframes() / 8000 - 1.0) < 0.01
    assert prompt_exists(tmp_path / "prompts", "ru", "welcome")
    assert not prompt_exists(tmp_path / "prompts", "en", "welcome")


@pytest.mark.parametrize(
    ("seconds", "amplitude", "message"),
    [(0.05, 0.3, "long"), (1.0, 0.0, "silent"), (1.0, 1.0, "clipped")],
)
def test_bad_audio_is_refused_naming_the_file(
    tmp_path: Path, seconds: float, amplitude: float, message: str
) -> None:
    source = write_wav(tmp_path / "bad.wav", seconds, amplitude)
    with pytest.raises(PromptError, match=message) as info:
        add_prompt(tmp_path / "prompts", "x", source)
    assert "bad.wav" in str(info.value)
    assert not (tmp_path / "prompts" / "en" / "x.wav").exists()


def test_not_audio_and_bad_names(tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_text("not audio")
    with pytest.raises(PromptError, match=r"junk\.wav"):
        add_prompt(tmp_path, "x", junk)
    with pytest.raises(PromptError, match="prompt name"):
        add_prompt(tmp_path, "../etc", junk)
    with pytest.raises(PromptError, match="language"):
        add_prompt(tmp_path, "x", junk, "english")
    with pytest.raises(PromptError, match="no such file"):
        add_prompt(tmp_path, "x", tmp_path / "missing.wav")
