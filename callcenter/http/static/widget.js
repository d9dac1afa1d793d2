// The click-to-call widget: <script src="https://CENTRE/widget.js" data-widget="ID" async>.
// Everything lives in a shadow root (no CSS leaks in or out) inside one IIFE (no globals);
// JsSIP is imported as an ES module, so it adds no global either. Text from the server is
// set with textContent only. Buttons and fields are native: keyboard and screen readers
// work; the status and the result are announced (aria-live).
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.dataset.widget) return;
  const base = new URL(script.src).origin;
  const id = script.dataset.widget;
  const api = `${base}/api/v1/widgets/${encodeURIComponent(id)}`;

  const host = document.createElement("div");
  host.setAttribute("data-callcenter-widget", id);
  script.insertAdjacentElement("afterend", host);
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
<style>
  :host { all: initial; font: 15px/1.4 system-ui, sans-serif; color: #1b1b1b; }
  .panel { border: 1px solid #c8c8c8; border-radius: 8px; padding: 12px; max-width: 320px;
           background: #fff; }
  h2 { font-size: 16px; margin: 0 0 6px; }
  p { margin: 4px 0; }
  label { display: block; margin: 8px 0 2px; }
  input, button { font: inherit; }
  input { width: 100%; box-sizing: border-box; padding: 6px; border: 1px solid #888;
          border-radius: 4px; }
  button { margin-top: 8px; padding: 6px 12px; border-radius: 4px; border: 1px solid #245;
           background: #246; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #246; }
  button:focus-visible, input:focus-visible { outline: 3px solid #f90; outline-offset: 1px; }
  .closed { color: #8a1c1c; }
  [hidden] { display: none !important; }
</style>
<section class="panel" aria-labelledby="title">
  <h2 id="title">Talk to us</h2>
  <p id="status" role="status" aria-live="polite">Checking…</p>
  <form id="callback" novalidate>
    <label for="number">Your phone number</label>
    <input id="number" name="number" type="tel" autocomplete="tel" required maxlength="32">
    <label for="at">When (optional; leave empty for as soon as possible)</label>
    <input id="at" name="at" type="datetime-local">
    <button id="ask" type="submit">Call me back</button>
  </form>
  <div id="call" hidden>
    <button id="call-now" type="button" class="secondary">Call now from this browser</button>
    <button id="hang-up" type="button" hidden>Hang up</button>
    <audio id="remote" autoplay></audio>
  </div>
  <p id="result" role="status" aria-live="assertive"></p>
</section>`;
  const $ = (sel) => root.querySelector(sel);
  const status = $("#status"), result = $("#result");

  const fmt = (iso) =>
    new Date(iso).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
  const minutes = (s) => Math.max(1, Math.round(s / 60));

  async function call(path, body) {
    const response = await fetch(`${api}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = (data.error && data.error.message) || `error ${response.status}`;
      const error = new Error(message);
      error.id = data.error && data.error.id;
      error.status = response.status;
      throw error;
    }
    return data;
  }
  const token = async () => (await call("/session", {})).token;

  async function refresh() {
    try {
      const s = await call("/status");
      if (s.name) $("#title").textContent = s.name;
      if (s.open) {
        status.classList.remove("closed");
        status.textContent = `We are open. Wait about ${minutes(s.wait_seconds)} min` +
          (s.promise_due_at ? `; a callback now would come by ${fmt(s.promise_due_at)}.` : ".");
      } else {
        status.classList.add("closed");
        status.textContent = "We are closed now" +
          (s.opens_at ? `; we open ${fmt(s.opens_at)}.` : ".") +
          " Leave your number and we call you back.";
      }
      $("#call").hidden = !s.call_now;
      host.dataset.state = s.open ? "open" : "closed";
    } catch (e) {
      status.textContent = "Calls are not available right now.";
      host.dataset.state = "unavailable";
    }
  }

  $("#callback").addEventListener("submit", async (event) => {
    event.preventDefault();
    const number = $("#number").value.trim();
    if (!number) {
      result.textContent = "Please enter your phone number.";
      $("#number").focus();
      return;
    }
    $("#ask").disabled = true;
    result.textContent = "Sending…";
    try {
      const at = $("#at").value ? new Date($("#at").value).toISOString() : undefined;
      const body = { token: await token(), number, page: location.href.slice(0, 300) };
      if (at) body.at = at;
      const answer = await call("/callbacks", body);
      result.textContent = `Thank you. We will call you by ${fmt(answer.promise.due_at)}.`;
      host.dataset.promise = answer.promise.due_at;
      host.dataset.callback = String(answer.callback_id);
    } catch (e) {
      result.textContent = `Sorry: ${e.message}`;
      host.dataset.refused = e.id || "error";
    } finally {
      $("#ask").disabled = false;
    }
  });

  let ua = null, session = null;
  $("#call-now").addEventListener("click", async () => {
    $("#call-now").disabled = true;
    result.textContent = "Connecting…";
    try {
      const JsSIP = (await import(`${base}/widget/jssip.js`)).default;
      const admitted = await call("/calls", { token: await token(), page: location.href.slice(0, 300) });
      ua = new JsSIP.UA({
        sockets: [new JsSIP.WebSocketInterface(admitted.websocket)],
        uri: "sip:web@callcenter.invalid",
        display_name: "Web visitor",
        register: false,
        session_timers: false,
      });
      ua.on("connected", () => {
        session = ua.call(admitted.target, {
          mediaConstraints: { audio: true, video: false },
          pcConfig: { iceServers: [] },
          rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
        });
        session.connection.addEventListener("track", (e) => {
          $("#remote").srcObject = e.streams[0];
        });
        session.on("progress", () => { result.textContent = "Ringing…"; host.dataset.call = "ringing"; });
        session.on("confirmed", () => {
          result.textContent = "Connected. You are in the queue.";
          host.dataset.call = "connected";
          $("#hang-up").hidden = false;
          $("#hang-up").focus();
        });
        const ended = (e) => {
          result.textContent = `Call ended${e && e.cause ? ` (${e.cause})` : ""}.`;
          host.dataset.call = "ended";
          $("#hang-up").hidden = true;
          $("#call-now").disabled = false;
          ua.stop();
        };
        session.on("ended", ended);
        session.on("failed", ended);
      });
      ua.start();
    } catch (e) {
      result.textContent = `Sorry: ${e.message}`;
      host.dataset.refused = e.id || "error";
      $("#call-now").disabled = false;
    }
  });
  $("#hang-up").addEventListener("click", () => { if (session) session.terminate(); });
  host.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && session) session.terminate();
  });

  refresh();
  setInterval(refresh, 30000);
})();
