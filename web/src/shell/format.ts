// Dates, times, durations and numbers in the reader's language and the centre's time zone.

import { t } from "./i18n";

let locale = "en";
let timeZone: string | undefined;

export function setFormat(lang: string, zone: string | undefined): void {
  locale = lang;
  timeZone = zone;
}

/** "6 Dec 2026, 14:05" in the reader's way of writing it. */
export function dateTime(iso: string | number | Date): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(
    new Date(iso),
  );
}

export function time(iso: string | number | Date): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: "medium", timeZone }).format(new Date(iso));
}

export function number(n: number): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** 0.873 → "87 %" (in the reader's way); null → "—". */
export function percent(x: number | null | undefined): string {
  return x == null ? "—" : new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(x);
}

/** Seconds as a duration: "42 s", "3 min 5 s", "2 h 10 min" in the reader's units. */
export function duration(seconds: number | null | undefined): string {
  if (seconds == null) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t("duration.s", { s: number(s) });
  if (s < 3600) return t("duration.m_s", { m: number(Math.floor(s / 60)), s: number(s % 60) });
  return t("duration.h_m", { h: number(Math.floor(s / 3600)), m: number(Math.floor((s % 3600) / 60)) });
}

/** mm:ss of a recording. */
export function clock(seconds: number | null | undefined): string {
  const s = Math.max(0, Math.round(seconds ?? 0));
  return String(Math.floor(s / 60)).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
}
