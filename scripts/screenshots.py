"""The README's tour: screenshots of the staff pages as a new user sees them after
``make run`` — a real sandbox Asterisk and daemon on free ports, signed in through a
one-time link, headless Chromium at 1280 px.

    .venv/bin/python -m scripts.screenshots [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from callcenter.domain.tickets import Role
from tests.support.axe import page_loaded
from tests.support.browser import headless_chromium
from tests.support.instance import DaemonProcess, Instance
from tests.support.staff import sign_in

# (file name, who signs in, their extension, the page)
PAGES = (
    ("desk.png", Role.AGENT, "1001", "/agents/1001/desk"),
    ("board.png", Role.SUPERVISOR, "", "/supervisor"),
    ("recordings.png", Role.SUPERVISOR, "", "/recordings"),
    ("promises.png", Role.SUPERVISOR, "", "/promises"),
    ("search.png", Role.SUPERVISOR, "", "/search"),
    ("widgets.png", Role.ADMIN, "", "/widgets"),
    ("wallboard.png", Role.SUPERVISOR, "", "/wallboard"),
    ("flows.png", Role.ADMIN, "", "/flows?file=main.yaml"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    state = Path(tempfile.mkdtemp(prefix="cc-screenshots-", dir="/var/tmp"))
    instance = Instance.create(state)
    instance.sandbox.up()
    daemon = DaemonProcess(instance, state / "daemon.log")
    try:
        daemon.start()
        with headless_chromium(("--window-size=1280,900",)) as browser:
            for name, role, agent, path in PAGES:
                sign_in(browser, instance, daemon, role, agent)
                browser.get(f"{daemon.url}{path}")
                page_loaded(browser, 30)  # its first data on it
                browser.save_screenshot(str(args.out / name))
                print(f"{args.out / name}: {path} as {role.value}")
    finally:
        daemon.stop()
        instance.sandbox.down()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
