// The staff accounts (admins): role, agent, language, state; disabling one (after a
// confirmation) signs them out everywhere at once.

import "./staff.css";
import type { operations } from "../../generated/api";
import { get, send, useSession, type Answer } from "../api/client";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { confirmAction } from "../ui/confirm";
import { byId, errorText, h } from "../ui/dom";
import { DataTable } from "../ui/table";

type User = Answer<operations["list_staff"]>["items"][number];
const NAMES: Record<string, string> = { en: "English", ru: "Русский", zh: "中文" };

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");

function action(u: User): Node {
  if (u.username === ctx.user) return document.createTextNode("");
  const b = h("button", { type: "button", class: u.disabled ? "enable" : "disable" }, u.disabled ? t("staff.enable") : t("staff.disable"));
  b.addEventListener("click", () => void toggle(u));
  return b;
}

const table = new DataTable<User>(byId("staff-table", HTMLTableElement), {
  empty: t("staff.empty"),
  row: (tr, u) => (tr.id = "staff-" + u.username),
  columns: [
    { label: t("staff.username"), value: (u) => u.username, sort: (u) => u.username },
    { label: t("staff.role"), value: (u) => t(`role.${u.role}` as "role.admin"), sort: (u) => u.role },
    { label: t("staff.agent"), value: (u) => u.agent || "—", sort: (u) => u.agent },
    { label: t("staff.language"), value: (u) => NAMES[u.locale] ?? t("staff.browser") },
    { label: t("staff.state"), value: (u) => (u.disabled ? t("staff.disabled") : t("staff.active")), sort: (u) => String(u.disabled) },
    { label: t("staff.actions"), value: action },
  ],
});

async function toggle(u: User): Promise<void> {
  try {
    if (u.disabled) {
      await send("post", "/staff/{username}/enable", { path: { username: u.username } });
      status.textContent = t("staff.done_enabled", { user: u.username });
    } else {
      if (!(await confirmAction(t("staff.disable_question", { user: u.username }), t("staff.disable_confirm")))) return;
      await send("post", "/staff/{username}/disable", { path: { username: u.username } });
      status.textContent = t("staff.done_disabled", { user: u.username });
    }
  } catch (err) {
    status.textContent = errorText(err);
  }
  await load();
}

async function load(): Promise<void> {
  table.show((await get("/staff")).items);
}
load()
  .catch((err: unknown) => (status.textContent = errorText(err)))
  .finally(markLoaded);
