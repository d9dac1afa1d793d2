"""The staff application's pages over loopback: each page's first contentful paint and the
time until its first data is on it (``data-loaded``), in headless Chromium against a real
daemon, p50/p95 over repeated loads — against the 404 page in the same run (the shell and
nothing else: what every page costs at least) — and what each page's bundle weighs
compressed (gzip -9 of its script, the chunks it imports and its styles; budget: the desk
≤ 300 KB).

    .venv/bin/python -m benchmarks.staff_pages [--loads 15]
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.stats import keep_or_remove, ms, percentile, ratio
from callcenter.domain.tickets import Role
from tests.support.axe import page_loaded
from tests.support.browser import headless_chromium
from tests.support.instance import DaemonProcess, Instance
from tests.support.staff import sign_in

DIST = Path(__file__).resolve().parents[1] / "web" / "dist" / "app"
BUDGET_KB = {"desk": 300.0}
PAGES = {
    Role.AGENT: ["/agents/1001/desk", "/search"],
    Role.SUPERVISOR: [
        "/supervisor",
        "/wallboard",
        "/promises",
        "/voicemails",
        "/recordings",
        "/flows",
        "/widgets",
        "/cluster",
    ],
    Role.ADMIN: ["/security", "/no-such-page"],
}
TIMING = (
    "const paint = performance.getEntriesByName('first-contentful-paint')[0];"
    "const nav = performance.getEntriesByType('navigation')[0];"
    "return [paint ? paint.startTime : null, performance.now(), nav.responseEnd];"
)


def bundle_sizes() -> dict[str, tuple[int, int]]:
    """Each page's (raw, gzip -9) bytes: its entry script, the chunks it imports, its CSS."""
    meta = json.loads((DIST / "meta.json").read_text())
    outputs: dict[str, Any] = meta["outputs"]
    sizes = {}
    for out, info in outputs.items():
        if not out.endswith(".js") or "/chunks/" in out or not info.get("entryPoint"):
            continue
        name = Path(out).stem
        files = {out, *(i["path"] for i in info.get("imports", []))}
        css = out[: -len(".js")] + ".css"
        files |= {css, "dist/app/app.css"} & set(outputs)
        raw = b"".join((DIST.parent.parent / f).read_bytes() for f in sorted(files))
        sizes[name] = (len(raw), len(gzip.compress(raw, 9)))
    return sizes


def load_times(browser: Any, url: str, loads: int) -> tuple[list[float], list[float]]:
    """(first contentful paint, first data on the page) in seconds, per load."""
    paints, data = [], []
    for _ in range(loads):
        browser.get(url)
        page_loaded(browser, 30)
        paint, loaded, _response = browser.execute_script(TIMING)
        if paint is not None:
            paints.append(paint / 1000)
        data.append(loaded / 1000)
    return paints, data


def running_daemon(prefix: str) -> tuple[Path, Instance, DaemonProcess]:
    """A fresh instance with Asterisk up and the daemon started (no SIP load)."""
    state = Path(tempfile.mkdtemp(prefix=prefix, dir="/var/tmp"))
    instance = Instance.create(state)
    instance.sandbox.up()
    daemon = DaemonProcess(instance, state / "daemon.log")
    daemon.start()
    return state, instance, daemon


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=15)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    state, instance, daemon = running_daemon("cc-bench-pages-")
    results: dict[str, tuple[list[float], list[float]]] = {}
    try:
        with headless_chromium() as browser:
            for role, paths in PAGES.items():
                sign_in(browser, instance, daemon, role, "1001" if role is Role.AGENT else "")
                page_loaded(browser, 30)
                for path in paths:
                    load_times(browser, daemon.url + path, 2)  # warm: the cache, the daemon
                    results[path] = load_times(browser, daemon.url + path, args.loads)
    finally:
        daemon.stop()
        instance.sandbox.down()
    base_paint = percentile(results["/no-such-page"][0], 50)
    print(f"first contentful paint and first data, {args.loads} loads each, loopback")
    print("page                  paint p50   p95   data p50   p95   paint ÷ 404 page")
    for path, (paint, data) in results.items():
        print(
            f"{path:<21} {ms(percentile(paint, 50)):>8} {ms(percentile(paint, 95)):>6} "
            f"{ms(percentile(data, 50)):>9} {ms(percentile(data, 95)):>6}   "
            f"{ratio(percentile(paint, 50), base_paint)}"
        )
    print("\nbundle per page (script + chunks + styles)    raw KB   gzip KB   budget")
    for name, (raw, packed) in sorted(bundle_sizes().items()):
        budget = BUDGET_KB.get(name)
        verdict = (
            ""
            if budget is None
            else f"≤ {budget:g} KB: {'met' if packed / 1024 <= budget else 'MISSED'}"
        )
        print(f"{name:<44} {raw / 1024:>6.1f} {packed / 1024:>9.1f}   {verdict}")
    widget = (DIST.parent / "widget.js").read_bytes()
    packed = len(gzip.compress(widget, 9))
    print(f"{'widget (other sites load it)':<44} {len(widget) / 1024:>6.1f} {packed / 1024:>9.1f}")
    keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
