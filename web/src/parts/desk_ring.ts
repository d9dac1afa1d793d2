// When the phone rings: a browser notification (once the agent allowed them) and a short
// sound, so an agent in another window or tab knows; a click on the notification brings the
// desk and its pop to the front.

import { t } from "../shell/i18n";
import type { Pop } from "../parts/desk_messages";

let audio: AudioContext | null = null;

/** The "tell me when my phone rings" button, shown while the browser has not been asked. */
export function offerNotifications(button: HTMLButtonElement): void {
  if (!("Notification" in window) || Notification.permission !== "default") return;
  button.hidden = false;
  button.addEventListener("click", () => {
    void Notification.requestPermission().then(() => (button.hidden = true));
    audio ??= new AudioContext(); // created on a gesture, so it may play later
  });
}

function beep(): void {
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.6);
  } catch {
    // no sound where the browser allows none: the notification and the pop remain
  }
}

export function ringAlert(pop: Pop, queue: string): void {
  document.body.dataset.ringing = "true";
  beep();
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const who = pop.history?.customer?.name ?? pop.history?.phone ?? pop.caller ?? "";
  const note = new Notification(t("desk.ring_title", { queue }), { body: who, tag: "callcenter-ring" });
  note.onclick = () => {
    window.focus();
    document.getElementById("pop")?.focus();
    note.close();
  };
}
