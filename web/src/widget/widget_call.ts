// "Call now from this browser": a WebRTC call with JsSIP (served by the daemon at
// /widget/jssip.js, imported only when asked for) through the daemon's SIP websocket, into
// the widget's queue; Escape or the button hangs up.

import { WidgetError } from "./widget_error";
import { wt } from "./widget_i18n";

export interface Admitted {
  websocket: string;
  target: string;
}

interface Session {
  connection: RTCPeerConnection;
  on(event: "progress" | "confirmed" | "ended" | "failed", fn: (e?: { cause?: string }) => void): void;
  terminate(): void;
}
interface UA {
  on(event: "connected", fn: () => void): void;
  call(target: string, options: object): Session;
  start(): void;
  stop(): void;
}
interface JsSIP {
  UA: new (config: object) => UA;
  WebSocketInterface: new (url: string) => object;
}

export function dialWeb(base: string, host: HTMLElement, ui: Record<string, HTMLElement>, admit: () => Promise<Admitted>): void {
  const callNow = ui.callNow as HTMLButtonElement;
  const hangUp = ui.hangUp as HTMLButtonElement;
  const result = ui.result!;
  let session: Session | null = null;

  async function dial(): Promise<void> {
    const module = (await import(/* @vite-ignore */ `${base}/widget/jssip.js`)) as { default: JsSIP };
    const jssip = module.default;
    const admitted = await admit();
    const ua = new jssip.UA({
      sockets: [new jssip.WebSocketInterface(admitted.websocket)],
      uri: "sip:web@callcenter.invalid",
      display_name: wt("visitor"),
      register: false,
      session_timers: false,
    });
    ua.on("connected", () => {
      const s = ua.call(admitted.target, {
        mediaConstraints: { audio: true, video: false },
        pcConfig: { iceServers: [] },
        rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
      });
      session = s;
      s.connection.addEventListener("track", (e: RTCTrackEvent) => {
        (ui.remote as HTMLAudioElement).srcObject = e.streams[0] ?? null;
      });
      s.on("progress", () => {
        result.textContent = wt("ringing");
        host.dataset.call = "ringing";
      });
      s.on("confirmed", () => {
        result.textContent = wt("connected");
        host.dataset.call = "connected";
        hangUp.hidden = false;
        hangUp.focus();
      });
      const ended = (e?: { cause?: string }) => {
        result.textContent = e?.cause ? wt("ended_why", { cause: e.cause }) : wt("ended");
        host.dataset.call = "ended";
        hangUp.hidden = true;
        callNow.disabled = false;
        ua.stop();
      };
      s.on("ended", ended);
      s.on("failed", ended);
    });
    ua.start();
  }

  callNow.addEventListener("click", () => {
    callNow.disabled = true;
    result.textContent = wt("connecting");
    dial().catch((e: unknown) => {
      result.textContent = wt("sorry", { error: e instanceof Error ? e.message : String(e) });
      host.dataset.refused = e instanceof WidgetError ? e.id : "error";
      callNow.disabled = false;
    });
  });
  hangUp.addEventListener("click", () => session?.terminate());
  host.addEventListener("keydown", (e) => {
    if (e.key === "Escape") session?.terminate();
  });
}
