"""Headless Chromium for the pages (Debian's chromium + chromedriver, driven by Selenium
with an explicit driver path: nothing is downloaded)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


# A browser that is a phone: the fake microphone (a beep each second), no permission
# prompt, and ICE on loopback (where Asterisk's media is bound in the tests).
WEBRTC_FLAGS = (
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
)


class BrowserUnavailable(RuntimeError):
    pass


@contextmanager
def headless_chromium(extra: tuple[str, ...] = ()) -> Iterator[webdriver.Chrome]:
    """``extra``: more flags (e.g. WEBRTC_FLAGS)."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        raise BrowserUnavailable(
            "chromium and chromedriver are not installed (make test installs them)"
        )
    profile = tempfile.mkdtemp(prefix="cc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",  # we run as root
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",  # this machine's network is closed
        "--disable-component-update",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",  # players are played by the tests
        "--mute-audio",
        f"--user-data-dir={profile}",
        *extra,
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
