// The wallboard: each queue in large figures coloured against the targets, the agents by
// state; it needs no one to touch it, and when the daemon goes away (a restart) it says so,
// keeps the last figures dimmed and reconnects by itself.

import "./wallboard.css";
import type { operations } from "../../generated/api";
import { get, type Answer } from "../api/client";
import { duration, number, percent, time } from "../shell/format";
import { t, type MessageKey } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { byId, h } from "../ui/dom";
import { grade, worst, type Grade } from "../parts/wallboard_targets";

type Live = Answer<operations["live_queues"]>;
type Queue = Live["queues"][number];

startPage();
const STATES = ["available", "on_call", "ringing", "wrap_up", "paused", "unavailable"] as const;

function figure(label: MessageKey, value: string, g: Grade = ""): Node[] {
  return [h("dt", {}, t(label)), h("dd", { class: g || undefined }, value)];
}

function tile(q: Queue, free: number): HTMLElement {
  const k = q.today;
  const grades = {
    wait: grade.wait(q.longest_wait),
    sl: grade.serviceLevel(k?.service_level ?? null),
    waiting: grade.waiting(q.waiting.length, free),
  };
  const el = h("section", { class: `tile ${worst(Object.values(grades))}`, id: "tile-" + q.queue, "aria-labelledby": "tile-h-" + q.queue });
  el.append(
    h("h2", { id: "tile-h-" + q.queue }, q.queue),
    h(
      "dl",
      {},
      ...figure("wallboard.waiting", number(q.waiting.length), grades.waiting),
      ...figure("wallboard.longest", duration(q.longest_wait), grades.wait),
      ...figure("wallboard.service_level", percent(k?.service_level), grades.sl),
      ...figure("wallboard.abandoned", percent(k?.abandonment_rate)),
      ...figure("wallboard.answered", number(k?.answered ?? 0)),
    ),
  );
  return el;
}

function render(live: Live): void {
  const free = (queue: string) => live.queues.find((q) => q.queue === queue)?.agents.filter((a) => a.state === "available").length ?? 0;
  byId("tiles").replaceChildren(...live.queues.map((q) => tile(q, free(q.queue))));
  const counts = new Map<string, number>();
  for (const a of live.agents) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
  byId("agent-counts").replaceChildren(
    ...STATES.flatMap((s) => [h("dt", {}, t(`agent.state.${s}`)), h("dd", { id: "count-" + s }, number(counts.get(s) ?? 0))]),
  );
  byId("updated").textContent = t("wallboard.updated", { at: time(Date.now()) });
}

let failures = 0;
async function refresh(): Promise<void> {
  try {
    render(await get("/queues/live"));
    failures = 0;
    document.body.classList.remove("stale");
    document.body.dataset.connection = "up";
    byId("connection").hidden = true;
    markLoaded();
  } catch {
    failures += 1;
    document.body.classList.add("stale");
    document.body.dataset.connection = "lost";
    byId("connection").hidden = false;
  }
  // Every 2 s while up; backing off to 10 s while the daemon is away.
  window.setTimeout(() => void refresh(), Math.min(10000, 2000 * 2 ** Math.min(failures, 3)));
}
void refresh();
