// The click-to-call widget: <script src="https://CENTRE/widget.js" data-widget="ID" async>
// (data-lang="zh" to choose its language; else the page's, else the browser's). Everything
// lives in a shadow root (no CSS leaks in or out) inside one bundle with no globals; JsSIP is
// imported as an ES module, so it adds none either. Text from the server is set as text only.
// Buttons and fields are native: keyboard and screen readers work; the status and the result
// are announced (aria-live).

import { WIDGET_CSS } from "./widget.css";
import { startWidgetI18n, widgetLanguage, wt } from "./widget_i18n";
import { dialWeb, type Admitted } from "./widget_call";
import { WidgetError } from "./widget_error";

interface Status {
  name?: string;
  open: boolean;
  wait_seconds: number;
  promise_due_at?: string | null;
  opens_at?: string | null;
  call_now: boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function build(root: ShadowRoot): Record<string, HTMLElement> {
  const style = el("style");
  style.textContent = WIDGET_CSS;
  const parts = {
    title: el("h2", { id: "title" }, wt("title")),
    status: el("p", { id: "status", role: "status", "aria-live": "polite" }, wt("checking")),
    form: el("form", { id: "callback", novalidate: "" }),
    number: el("input", { id: "number", name: "number", type: "tel", autocomplete: "tel", required: "", maxlength: "32" }),
    at: el("input", { id: "at", name: "at", type: "datetime-local" }),
    ask: el("button", { id: "ask", type: "submit" }, wt("ask")),
    call: el("div", { id: "call", hidden: "" }),
    callNow: el("button", { id: "call-now", type: "button", class: "secondary" }, wt("call_now")),
    hangUp: el("button", { id: "hang-up", type: "button", hidden: "" }, wt("hang_up")),
    remote: el("audio", { id: "remote", autoplay: "" }),
    result: el("p", { id: "result", role: "status", "aria-live": "assertive" }),
  };
  parts.form.append(el("label", { for: "number" }, wt("number")), parts.number, el("label", { for: "at" }, wt("when")), parts.at, parts.ask);
  parts.call.append(parts.callNow, parts.hangUp, parts.remote);
  const panel = el("section", { class: "panel", "aria-labelledby": "title" });
  panel.append(parts.title, parts.status, parts.form, parts.call, parts.result);
  root.append(style, panel);
  return parts;
}

function start(script: HTMLScriptElement): void {
  const id = script.dataset.widget ?? "";
  const base = new URL(script.src).origin;
  const api = `${base}/api/v1/widgets/${encodeURIComponent(id)}`;
  const lang = widgetLanguage(script.dataset.lang, document.documentElement.lang, navigator.language);
  startWidgetI18n(lang);
  const host = el("div", { "data-callcenter-widget": id, lang });
  script.insertAdjacentElement("afterend", host);
  const ui = build(host.attachShadow({ mode: "open" }));
  const fmt = (iso: string) =>
    new Intl.DateTimeFormat(lang, { weekday: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
  const minutes = (s: number) => Math.max(1, Math.round(s / 60));

  async function call<T>(path: string, body?: object): Promise<T> {
    const response = await fetch(`${api}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
    const data = (await response.json().catch(() => ({}))) as { error?: { message?: string; id?: string } };
    if (!response.ok) throw new WidgetError(data.error?.message ?? `error ${response.status}`, data.error?.id ?? "error");
    return data as T;
  }
  const token = async () => (await call<{ token: string }>("/session", {})).token;

  async function refresh(): Promise<void> {
    try {
      const s = await call<Status>("/status");
      if (s.name) ui.title!.textContent = s.name;
      ui.status!.classList.toggle("closed", !s.open);
      const count = minutes(s.wait_seconds);
      ui.status!.textContent = s.open
        ? s.promise_due_at
          ? wt("open_promise", { count, due: fmt(s.promise_due_at) })
          : wt("open", { count })
        : s.opens_at
          ? wt("closed_until", { opens: fmt(s.opens_at) })
          : wt("closed");
      ui.call!.hidden = !s.call_now;
      host.dataset.state = s.open ? "open" : "closed";
    } catch {
      ui.status!.textContent = wt("unavailable");
      host.dataset.state = "unavailable";
    }
  }

  const number = ui.number as HTMLInputElement;
  const at = ui.at as HTMLInputElement;
  const ask = ui.ask as HTMLButtonElement;
  ui.form!.addEventListener("submit", (event) => {
    event.preventDefault();
    const wanted = number.value.trim();
    if (!wanted) {
      ui.result!.textContent = wt("enter_number");
      number.focus();
      return;
    }
    ask.disabled = true;
    ui.result!.textContent = wt("sending");
    const sending = async () => {
      const body: Record<string, string> = { token: await token(), number: wanted, page: location.href.slice(0, 300) };
      if (at.value) body.at = new Date(at.value).toISOString();
      const answer = await call<{ promise: { due_at: string; earliest_at?: string | null }; callback_id: number }>("/callbacks", body);
      const { due_at: due, earliest_at: from } = answer.promise;
      // A wide spread is said as a range ("between 14:30 and 15:00"), else "by 14:35".
      ui.result!.textContent = from ? wt("thanks_range", { from: fmt(from), due: fmt(due) }) : wt("thanks", { due: fmt(due) });
      host.dataset.promise = answer.promise.due_at;
      host.dataset.callback = String(answer.callback_id);
    };
    sending()
      .catch((e: unknown) => {
        ui.result!.textContent = wt("sorry", { error: e instanceof Error ? e.message : String(e) });
        host.dataset.refused = e instanceof WidgetError ? e.id : "error";
      })
      .finally(() => (ask.disabled = false));
  });

  dialWeb(base, host, ui, async () => call<Admitted>("/calls", { token: await token(), page: location.href.slice(0, 300) }));
  void refresh();
  setInterval(() => void refresh(), 30000);
}

const script = document.currentScript;
if (script instanceof HTMLScriptElement && script.dataset.widget) start(script);
