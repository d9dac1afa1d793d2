// Admission control on the board: whether the centre takes more callers now (and why not),
// the inbound calls up against the ceiling, and how many callers were admitted, refused
// with 503 and offered a callback since the daemon started — in the reader's language.

import { get } from "../api/client";
import { number } from "../shell/format";
import { t, type MessageKey } from "../shell/i18n";

export async function showAdmission(line: HTMLElement): Promise<void> {
  const a = await get("/admission");
  const up = a.calls_up === null ? "—" : number(a.calls_up);
  const ceiling = a.limits.max_calls ? number(a.limits.max_calls) : t("admission.no_ceiling");
  const door = a.open
    ? t("admission.open")
    : t("admission.closed", { why: t(`admission.why_${a.why.split(",")[0] || "load"}` as MessageKey) });
  line.textContent = t("admission.line", {
    door,
    up,
    ceiling,
    admitted: number(a.counts.admitted),
    refused: number(a.counts.refused),
    callback: number(a.counts.callback),
  });
  line.dataset.open = String(a.open);
  line.dataset.admitted = String(a.counts.admitted);
  line.dataset.refused = String(a.counts.refused);
  line.dataset.callback = String(a.counts.callback);
  line.classList.toggle("closed", !a.open);
}
