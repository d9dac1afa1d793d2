// Outgoing webhooks (admins): each subscription (where, which events, active), its latest
// deliveries (state, attempts, the receiver's last error), and removing one after a
// confirmation.

import "./webhooks.css";
import type { operations } from "../../generated/api";
import { get, send, useSession, type Answer } from "../api/client";
import { dateTime, number } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { confirmAction } from "../ui/confirm";
import { byId, errorText, h } from "../ui/dom";
import { DataTable } from "../ui/table";

type Subscription = Answer<operations["list_subscriptions"]>["items"][number];
type Delivery = Answer<operations["list_deliveries"]>["items"][number];

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");

function actions(s: Subscription): Node {
  const span = h("span");
  const show = h("button", { type: "button", class: "deliveries" }, t("webhooks.show"));
  show.addEventListener("click", () => void loadDeliveries(s));
  const remove = h("button", { type: "button", class: "remove" }, t("webhooks.remove"));
  remove.addEventListener("click", () => void removeOne(s));
  span.append(show, " ", remove);
  return span;
}

const subscriptions = new DataTable<Subscription>(byId("webhooks-table", HTMLTableElement), {
  empty: t("webhooks.empty"),
  row: (tr, s) => (tr.id = "webhook-" + s.id),
  columns: [
    { label: "#", value: (s) => String(s.id), sort: (s) => s.id },
    { label: t("webhooks.url"), value: (s) => s.url, sort: (s) => s.url },
    { label: t("webhooks.events"), value: (s) => s.events.join(", ") },
    { label: t("webhooks.state"), value: (s) => (s.active ? t("webhooks.active") : t("webhooks.inactive")) },
    { label: t("webhooks.actions"), value: actions },
  ],
});

const deliveries = new DataTable<Delivery>(byId("deliveries-table", HTMLTableElement), {
  empty: t("webhooks.no_deliveries"),
  columns: [
    { label: t("webhooks.when"), value: (d) => (d.created_at ? dateTime(d.created_at) : "—"), sort: (d) => d.created_at ?? "" },
    { label: t("webhooks.event"), value: (d) => d.type, sort: (d) => d.type },
    { label: t("webhooks.state"), value: (d) => d.state, sort: (d) => d.state, cls: (d) => d.state },
    { label: t("webhooks.attempts"), value: (d) => number(d.attempts), sort: (d) => d.attempts },
    { label: t("webhooks.last_error"), value: (d) => d.last_error ?? "" },
  ],
});

async function loadDeliveries(s: Subscription): Promise<void> {
  const { items } = await get("/webhooks/{webhook_id}/deliveries", { path: { webhook_id: s.id } });
  deliveries.show(items);
  byId("deliveries-heading").textContent = t("webhooks.deliveries_of", { url: s.url });
}

async function removeOne(s: Subscription): Promise<void> {
  if (!(await confirmAction(t("webhooks.remove_question", { url: s.url }), t("webhooks.remove_confirm")))) return;
  try {
    await send("delete", "/webhooks/{webhook_id}", { path: { webhook_id: s.id } });
    status.textContent = t("webhooks.removed", { id: s.id });
  } catch (err) {
    status.textContent = errorText(err);
  }
  await load();
}

async function load(): Promise<void> {
  const { items } = await get("/webhooks");
  subscriptions.show(items);
  const first = items[0];
  if (first) await loadDeliveries(first);
  else deliveries.show([]);
}
load()
  .catch((err: unknown) => (status.textContent = errorText(err)))
  .finally(markLoaded);
