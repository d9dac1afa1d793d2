// The queues as configured: how each rings its agents, its limits and where callers go
// then, the skills it takes (with penalties), recorded or not, its callback digit and mailbox.

import "./queues.css";
import type { operations } from "../../generated/api";
import { get, type Answer } from "../api/client";
import { number } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { byId, errorText } from "../ui/dom";
import { DataTable } from "../ui/table";

type Queue = Answer<operations["list_queues"]>["items"][number];

startPage();
const seconds = (s: number) => (s ? number(s) : "—");
const table = new DataTable<Queue>(byId("queues-table", HTMLTableElement), {
  empty: t("queues.empty"),
  row: (tr, q) => (tr.id = "queue-" + q.name),
  columns: [
    { label: t("queues.name"), value: (q) => q.name, sort: (q) => q.name },
    { label: t("queues.strategy"), value: (q) => q.strategy, sort: (q) => q.strategy },
    { label: t("queues.ring"), value: (q) => seconds(q.ring_timeout), sort: (q) => q.ring_timeout },
    { label: t("queues.wrap_up"), value: (q) => seconds(q.wrap_up), sort: (q) => q.wrap_up },
    { label: t("queues.max_wait"), value: (q) => seconds(q.max_wait), sort: (q) => q.max_wait },
    { label: t("queues.overflow"), value: (q) => q.overflow_node || q.overflow || "—" },
    {
      label: t("queues.skills"),
      value: (q) => Object.entries(q.skills).map(([s, p]) => `${s} (${p})`).join(", ") || t("queues.anyone"),
    },
    { label: t("queues.record"), value: (q) => (q.record ? t("queues.yes") : t("queues.no")) },
    { label: t("queues.callback"), value: (q) => q.callback_digit || "—" },
    { label: t("queues.mailbox"), value: (q) => q.mailbox || "—" },
  ],
});

get("/queues")
  .then(({ items }) => table.show(items))
  .catch((err: unknown) => (byId("status").textContent = errorText(err)))
  .finally(markLoaded);
