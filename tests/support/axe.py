"""axe-core (installed from npm into web/node_modules by `make setup`) run in the page a
test's browser shows: what it finds of serious or critical impact, described."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.until import until

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def page_loaded(browser: Any, timeout: float = 15) -> None:
    """Wait until the page's script put its first data on it (failing, say what the
    browser's console said)."""
    try:
        until(
            lambda: browser.execute_script(
                "return document.documentElement.dataset.loaded === 'true'"
            ),
            timeout,
            what=f"{browser.current_url} loaded",
        )
    except AssertionError as exc:
        console = "\n".join(str(e.get("message")) for e in browser.get_log("browser"))
        raise AssertionError(f"{exc}; the browser's console:\n{console}") from None


def violations(browser: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each
    (rule, impact, the first elements it names)."""
    if not AXE.is_file():
        raise FileNotFoundError(f"{AXE} is missing: `make setup` installs axe-core from npm")
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    found = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then((r) => done(r.violations), (e) => done([{id: 'axe-error', impact: 'critical',"
        " help: String(e), nodes: []}]));"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        for v in found
        if v.get("impact") in SERIOUS
    ]
