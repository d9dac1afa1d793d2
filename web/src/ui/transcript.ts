// Transcripts as "Caller 00:03 what was said" lines (a click or Enter on one seeks the
// player to it and plays; the line being heard is marked), and found words marked in text.

import { clock } from "../shell/format";
import { t, type MessageKey } from "../shell/i18n";

export interface Utterance {
  speaker: string;
  start: number;
  end: number;
  text: string;
}

export function speakerName(speaker: string): string {
  const key = ("speaker." + speaker) as MessageKey;
  const name = t(key);
  return name === key ? speaker : name;
}

const markers = new WeakMap<HTMLMediaElement, () => void>();

export function transcriptLines(list: HTMLElement, utterances: Utterance[], audio?: HTMLMediaElement | null): void {
  list.replaceChildren();
  for (const u of utterances) {
    const li = document.createElement("li");
    li.className = "utterance speaker-" + u.speaker;
    li.dataset.start = String(u.start);
    li.dataset.end = String(u.end);
    const who = document.createElement("b");
    who.textContent = speakerName(u.speaker) + " " + clock(u.start) + " ";
    const said = document.createElement("span");
    said.textContent = u.text; // what a customer said is never HTML
    li.append(who, said);
    if (audio) {
      li.tabIndex = 0;
      li.title = t("transcript.play_from", { at: clock(u.start) });
      const seek = () => {
        audio.currentTime = u.start;
        audio.play().catch(() => undefined);
      };
      li.addEventListener("click", seek);
      li.addEventListener("keydown", (e) => {
        if (e.key === "Enter") seek();
      });
    }
    list.appendChild(li);
  }
  if (audio) {
    // One marker per player: a page that shows another transcript replaces it.
    const old = markers.get(audio);
    if (old) audio.removeEventListener("timeupdate", old);
    const marker = () => {
      for (const li of list.children) {
        const el = li as HTMLElement;
        const on =
          audio.currentTime >= Number(el.dataset.start) && audio.currentTime <= Number(el.dataset.end) + 0.3;
        el.classList.toggle("playing", on);
      }
    };
    markers.set(audio, marker);
    audio.addEventListener("timeupdate", marker);
  }
}

/** `text` into `el` with each of `words` (lower-case; a trailing * a prefix) in <mark>,
 * built from text nodes only. */
export function marked(el: HTMLElement, text: string, words: string[]): void {
  el.replaceChildren();
  const parts = words.map((w) => w.replace(/\*$/, "")).filter(Boolean);
  if (!parts.length) {
    el.textContent = text;
    return;
  }
  const escaped = parts.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp("(" + escaped.join("|") + ")", "giu");
  let last = 0;
  for (const m of text.matchAll(re)) {
    el.append(document.createTextNode(text.slice(last, m.index)));
    const mark = document.createElement("mark");
    mark.textContent = m[0];
    el.append(mark);
    last = m.index + m[0].length;
  }
  el.append(document.createTextNode(text.slice(last)));
}
