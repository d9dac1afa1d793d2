// SIP bans (admins): those in force, with a button to lift each, and the latest ones.

import "./security.css";
import { get, send, useSession, type Answer } from "../api/client";
import type { operations } from "../../generated/api";
import { dateTime, number, time } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { byId, cell, errorText, h } from "../ui/dom";

type Bans = Answer<operations["list_bans"]>;
type Ban = Bans["active"][number];

const ctx = startPage();
useSession(ctx.csrf);
const when = (iso: string | null | undefined) => (iso ? dateTime(iso) : "—");
const error = byId("error");

function table(id: string, bans: Ban[], withLift: boolean): void {
  const tab = byId(id, HTMLTableElement);
  tab.replaceChildren();
  const head = tab.createTHead().insertRow();
  const heads = ["security.address", "security.banned", "security.until", "security.failures", "security.why"] as const;
  for (const key of heads) head.appendChild(h("th", { scope: "col" }, t(key)));
  head.appendChild(h("th", { scope: "col" }, withLift ? h("span", { class: "visually-hidden" }, t("security.action")) : t("security.lifted")));
  const body = tab.createTBody();
  if (!bans.length) {
    cell(body.insertRow(), t("security.none"), "empty").colSpan = 6;
    return;
  }
  for (const b of bans) {
    const row = body.insertRow();
    row.className = b.active ? "active" : "ended";
    row.dataset.address = b.address;
    cell(row, b.address);
    cell(row, when(b.banned_at));
    cell(row, when(b.expires_at));
    cell(row, number(b.failures));
    cell(row, b.reason);
    if (withLift) {
      const button = h("button", { type: "button", "aria-label": t("security.lift_of", { address: b.address }) }, t("security.lift"));
      button.addEventListener("click", () => {
        send("delete", "/security/bans/{address}", { path: { address: b.address } })
          .catch((err: unknown) => (error.textContent = errorText(err)))
          .finally(() => void refresh());
      });
      row.insertCell().appendChild(button);
    } else {
      cell(row, b.lifted_at ? t("security.lifted_by", { at: when(b.lifted_at), by: b.lifted_by }) : "—");
    }
  }
}

let timer: number | undefined;
async function refresh(): Promise<void> {
  clearTimeout(timer);
  try {
    const body = await get("/security/bans");
    table("active", body.active, true);
    table("recent", body.recent, false);
    byId("updated").textContent = time(Date.now());
    error.textContent = "";
  } catch (err) {
    error.textContent = errorText(err);
  } finally {
    timer = window.setTimeout(() => void refresh(), 5000);
  }
}
void refresh().finally(markLoaded);
