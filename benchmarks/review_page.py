"""A reviewer's scorecard page with a 10-minute recording and its transcript, over
loopback in headless Chromium against a real daemon: from navigation until the page's data
is on it (transcript, checks, scorecard: ``data-loaded``) and until the player has the
recording's metadata (it can play and seek), p50 / p95 over repeated loads — against a
1-minute call's review and the 404 page (the shell alone) in the same run. Target: the
10-minute call's page opens in ≤ 1 s p95.

    .venv/bin/python -m benchmarks.review_page [--loads 20 --minutes 10]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from benchmarks.staff_pages import load_times, running_daemon
from benchmarks.stats import keep_or_remove, ms, percentile, ratio
from callcenter.domain.tickets import Role
from tests.support.axe import page_loaded
from tests.support.browser import headless_chromium
from tests.support.daemon_api import api_call, api_token
from tests.support.quality import reviewable_call
from tests.support.staff import sign_in

SECTIONS = [{"title": "Call", "criteria": [
    {"id": "greeting", "text": "Greeted, named", "kind": "yes_no", "auto": "greeting"},
    {"id": "closing", "text": "Closing question", "kind": "yes_no", "auto": "closing"},
    {"id": "solved", "text": "Solved", "kind": "scale", "scale": 5, "weight": 3},
]}]  # fmt: skip
READY = "return document.getElementById('player').readyState >= 1"


def open_times(browser: Any, url: str, loads: int) -> list[float]:
    """Seconds from navigation until the data is on the page and the player can play."""
    times = []
    for _ in range(loads):
        started = time.perf_counter()
        browser.get(url)
        page_loaded(browser, 30)
        while not browser.execute_script(READY):
            time.sleep(0.005)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    state, instance, daemon = running_daemon("cc-bench-review-")
    long = reviewable_call(instance.config, "1796000000.1", "1001", args.minutes * 60)
    short = reviewable_call(instance.config, "1796000000.2", "1001", 60.0)
    lead = api_token(instance, Role.SUPERVISOR)
    api_call(daemon, lead, "POST", "/scorecards", {"name": "Calls", "sections": SECTIONS})
    results: dict[str, list[float]] = {}
    data: dict[str, list[float]] = {}
    try:
        with headless_chromium() as browser:
            sign_in(browser, instance, daemon, Role.SUPERVISOR)
            page_loaded(browser, 30)
            pages = {f"{args.minutes:g}-minute call": f"/recordings/{long}/review",
                     "1-minute call": f"/recordings/{short}/review"}  # fmt: skip
            for name, path in pages.items():
                open_times(browser, daemon.url + path, 2)  # warm: the cache, the daemon
                results[name] = open_times(browser, daemon.url + path, args.loads)
                data[name] = load_times(browser, daemon.url + path, args.loads)[1]
            base = load_times(browser, daemon.url + "/no-such-page", args.loads)[1]
    finally:
        daemon.stop()
        instance.sandbox.down()
    print(f"the review page, {args.loads} loads each, loopback, headless Chromium")
    print("page                 data on it p50   p95   playable p50   p95   ÷ 1-minute")
    for name, times in results.items():
        p95 = percentile(times, 95)
        print(f"{name:<20} {ms(percentile(data[name], 50)):>10} {ms(percentile(data[name], 95)):>6}"
              f" {ms(percentile(times, 50)):>12} {ms(p95):>6}   "
              f"{ratio(p95, percentile(results['1-minute call'], 95))}")  # fmt: skip
    print(f"404 page (the shell) {ms(percentile(base, 50)):>10} {ms(percentile(base, 95)):>6}")
    target = percentile(results[f"{args.minutes:g}-minute call"], 95)
    print(f"target ≤ 1 s p95 (playable): {ms(target)} ms — {'met' if target <= 1 else 'MISSED'}")
    keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
