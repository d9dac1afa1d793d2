// Targets breached now (a queue's waiting callers, longest wait, service level, abandonment;
// an agent's pause): a banner that says each in the reader's language, and a short tone
// when a new one appears (the browser may hold the sound until the page was touched once).

import { get } from "../api/client";
import { number } from "../shell/format";
import { t, type MessageKey } from "../shell/i18n";
import { h, link } from "../ui/dom";

const seen = new Set<string>();
let first = true;

function tone(): void {
  try {
    const audio = new AudioContext();
    const beep = audio.createOscillator();
    beep.frequency.value = 880;
    beep.connect(audio.destination);
    beep.start();
    beep.stop(audio.currentTime + 0.25);
  } catch {
    // no audio here: the banner says it
  }
}

export async function showAlerts(box: HTMLElement): Promise<void> {
  const items = (await get("/reports/alerts")).items;
  box.replaceChildren(
    ...items.map((a) => {
      const p = h("p", { "data-rule": a.rule, "data-subject": a.subject }, t(`reports.alert_${a.rule}` as MessageKey, { subject: a.subject, value: number(a.value), limit: number(a.limit) }));
      // A tag spiking: the tickets behind it, one click away.
      if (a.rule === "tag_spike") p.append(" ", link(`/topics?tag=${encodeURIComponent(a.subject)}`, t("topics.tickets_of", { tag: a.subject })));
      return p;
    }),
  );
  box.hidden = items.length === 0;
  const fresh = items.filter((a) => !seen.has(a.rule + ":" + a.subject));
  for (const a of items) seen.add(a.rule + ":" + a.subject);
  if (fresh.length && !first) tone();
  first = false;
}
