// The search page: words said on calls and voicemail or written in chat, email and notes,
// found with one query; each hit with who said it, the second in the recording and a link to
// that moment on its ticket.

import "./search.css";
import { ApiError, get, useSession } from "../api/client";
import { clock, dateTime } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { byId, cell, errorText, input } from "../ui/dom";
import { marked, speakerName } from "../ui/transcript";

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");
const hits = byId("hits", HTMLTableElement);
const kind = byId("kind", HTMLSelectElement);

async function find(): Promise<void> {
  const q = input("q").value.trim();
  if (!q) return;
  const query = { q, limit: 100, kind: kind.value || undefined };
  history.replaceState(null, "", "/search?" + new URLSearchParams({ q, ...(kind.value ? { kind: kind.value } : {}) }).toString());
  const tbody = hits.tBodies[0]!;
  tbody.replaceChildren();
  let body;
  try {
    body = await get("/search", { query });
  } catch (err) {
    status.textContent = err instanceof ApiError ? err.message : errorText(err);
    hits.hidden = true;
    return;
  }
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+\*?/gu) ?? [];
  for (const hit of body.items) {
    const row = tbody.insertRow();
    row.className = "hit kind-" + hit.kind;
    cell(row, dateTime(hit.occurred_at));
    cell(row, t(`kind.${hit.kind}` as "kind.call"));
    cell(row, speakerName(hit.speaker));
    cell(row, hit.start == null ? "" : clock(hit.start));
    marked(cell(row, ""), hit.text, words);
    const a = document.createElement("a");
    if (hit.article_id != null) {
      a.href = `/articles?q=${encodeURIComponent(q)}`;
      a.textContent = t("kind.article");
    } else {
      a.href = `/tickets/${hit.ticket_number}` + (hit.start == null ? "" : `?t=${hit.start}`) + `#interaction-${hit.interaction_id}`;
      a.textContent = "#" + hit.ticket_number;
    }
    cell(row, "").appendChild(a);
  }
  hits.hidden = !body.items.length;
  status.textContent = body.items.length ? t("search.found", { count: body.items.length }) : t("search.nothing");
}

byId("form", HTMLFormElement).addEventListener("submit", (e) => {
  e.preventDefault();
  find().catch((err: unknown) => (status.textContent = errorText(err)));
});
const given = new URLSearchParams(location.search);
if (given.get("q")) {
  input("q").value = given.get("q") ?? "";
  kind.value = given.get("kind") ?? "";
  void find().finally(markLoaded);
} else {
  markLoaded();
}
