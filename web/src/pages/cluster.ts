// The cluster page: every node, whether its lease is live, how long ago it last beat (drawn
// against its lease), its epoch and the callbacks it holds.

import "./cluster.css";
import { get } from "../api/client";
import { number, time } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { stackedBars } from "../ui/bars";
import { byId, cell } from "../ui/dom";

startPage();

interface Lease {
  node: string;
  beat: number;
  left: number;
  over: number;
}

async function show(): Promise<void> {
  const v = await get("/cluster/nodes");
  byId("me").textContent = t("cluster.me", {
    node: v.me,
    state: v.state,
    epoch: v.epoch ?? "—",
    taken: v.taken_over,
    lost: v.lost_calls,
  });
  const body = byId("nodes", HTMLTableElement).tBodies[0]!;
  body.replaceChildren();
  const bars: Lease[] = [];
  for (const n of v.nodes) {
    const row = body.insertRow();
    row.dataset.node = n.node;
    cell(row, n.node);
    cell(row, n.live ? t("cluster.live") : t("cluster.lapsed", { state: n.state }), n.live ? "live" : "lapsed");
    cell(row, String(n.epoch));
    cell(row, t("cluster.ago", { seconds: n.beat_age_seconds.toFixed(1) }));
    cell(row, time(n.lease_until));
    cell(row, n.queues.length ? n.queues.join(", ") : t("cluster.every_queue"));
    cell(row, number(n.waiting));
    cell(row, number(n.dialing));
    const lease = Math.max(0.1, (Date.parse(n.lease_until) - Date.parse(n.beat_at)) / 1000);
    const age = n.beat_age_seconds;
    bars.push({ node: n.node, beat: Math.min(age, lease), left: Math.max(0, lease - age), over: Math.min(lease, Math.max(0, age - lease)) });
  }
  stackedBars(byId("leases") as unknown as SVGSVGElement, bars, ["beat", "left", "over"], (b) => b.node, "b-", 120);
  byId("unowned").textContent = v.unowned_waiting ? t("cluster.unowned", { count: v.unowned_waiting }) : "";
}

void show().finally(markLoaded);
setInterval(() => void show().catch(() => undefined), 3000);
