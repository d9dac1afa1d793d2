// The click-to-call widgets with their snippets, and what the toll-fraud guard decided in
// the last 24 hours: accepted and refused per rule (drawn), and its latest decisions.

import "./widgets.css";
import { get } from "../api/client";
import { dateTime } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { stackedBars } from "../ui/bars";
import { byId, cell, h, input } from "../ui/dom";

startPage();

async function widgets(): Promise<void> {
  const body = byId("widgets", HTMLTableElement).tBodies[0]!;
  body.replaceChildren();
  const items = (await get("/widgets")).items ?? [];
  for (const w of items) {
    const row = body.insertRow();
    cell(row, w.name ? `${w.id} (${w.name})` : w.id);
    cell(row, w.queue);
    cell(row, w.call_now ? t("widgets.offers_both") : t("widgets.offers_callback"));
    cell(row, w.origins.join(", "));
    cell(row, "").appendChild(h("code", {}, w.snippet));
  }
  byId("widgets-empty").hidden = items.length > 0;
}

interface RuleRow {
  rule: string;
  accepted: number;
  refused: number;
}

async function guard(): Promise<void> {
  const s = await get("/dial-guard/summary");
  byId("breaker").hidden = !s.breaker_open;
  const l = s.limits;
  byId("limits").textContent = t("widgets.limits", {
    day: l.per_number_day,
    client: l.per_client,
    window: l.client_window_seconds,
    widget: l.per_widget_hour,
    budget: l.budget_hour,
    breaker: l.breaker_minutes,
  });
  const rows: RuleRow[] = [{ rule: t("widgets.accepted"), accepted: s.accepted, refused: 0 }];
  for (const [rule, n] of Object.entries(s.refused)) rows.push({ rule, accepted: 0, refused: n });
  const chart = byId("chart") as unknown as SVGSVGElement;
  stackedBars(chart, rows, ["accepted", "refused"], (r) => `${r.rule} (${r.accepted + r.refused})`, "g-", 170);
  const query = input("only-refused").checked ? { refused: "true" as const, limit: 50 } : { limit: 50 };
  const body = byId("decisions", HTMLTableElement).tBodies[0]!;
  const { items } = await get("/dial-guard/decisions", { query });
  body.replaceChildren();
  for (const d of items) {
    const row = body.insertRow();
    cell(row, dateTime(d.at));
    cell(row, d.source);
    cell(row, d.number || "—");
    cell(row, [d.widget, d.client, d.origin].filter(Boolean).join(" · "));
    cell(row, d.accepted ? t("widgets.accepted") : t("widgets.refused", { rule: d.rule }), d.accepted ? "" : "refused");
    cell(row, d.message ?? "");
    cell(row, d.user_agent ?? "");
  }
  if (!items.length) cell(body.insertRow(), t("widgets.no_decisions"), "empty").colSpan = 7;
}

input("only-refused").addEventListener("change", () => void guard());
void Promise.allSettled([widgets(), guard()]).then(markLoaded);
setInterval(() => void guard().catch(() => undefined), 10000);
