// What the staff pages share (served at /static/pages.js): table cells that never take
// HTML, the API with the page's session, stacked horizontal bars drawn in SVG, transcripts
// whose lines seek a player, and found words marked in text.
"use strict";

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;  // customer text is never HTML
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

async function api(path, init) {
  const resp = await fetch("/api/v1" + path, init);
  if (!resp.ok) throw new Error(path + ": " + resp.status);
  return resp.json();
}

// One bar per row (label on the left), one segment per part, scaled to the largest total;
// each segment has class `prefix + part`, its count in data-count and a tooltip.
function stackedBars(chart, rows, parts, label, prefix, labelWidth) {
  const SVG = "http://www.w3.org/2000/svg";
  while (chart.lastChild && chart.lastChild.nodeName !== "title") chart.removeChild(chart.lastChild);
  const total = (r) => parts.reduce((sum, part) => sum + r[part], 0);
  const most = Math.max(1, ...rows.map(total));
  const rowH = 22, width = Number(chart.getAttribute("width")) - labelWidth - 10;
  chart.setAttribute("height", String(Math.max(20, rows.length * rowH)));
  rows.forEach((r, i) => {
    const text = document.createElementNS(SVG, "text");
    text.setAttribute("x", "0");
    text.setAttribute("y", String(i * rowH + 15));
    text.textContent = label(r);
    chart.appendChild(text);
    let x = labelWidth;
    for (const part of parts) {
      const w = (r[part] / most) * width;
      if (w <= 0) continue;
      const bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("x", String(x));
      bar.setAttribute("y", String(i * rowH + 3));
      bar.setAttribute("width", String(w));
      bar.setAttribute("height", String(rowH - 6));
      bar.setAttribute("class", prefix + part);
      bar.setAttribute("data-count", String(r[part]));
      const tip = document.createElementNS(SVG, "title");
      tip.textContent = r[part] + " " + part.replace("_", " ");
      bar.appendChild(tip);
      chart.appendChild(bar);
      x += w;
    }
  });
}

const SPEAKER = {caller: "Caller", agent: "Agent", customer: "Customer", staff: "Staff"};

function clock(seconds) {
  const s = Math.max(0, Math.round(seconds || 0));
  return String(Math.floor(s / 60)).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
}

// A transcript as a list of "Caller 00:03 what was said" lines; clicking one seeks `audio`
// to it and plays; the line being heard is marked while it plays.
function transcriptLines(list, utterances, audio) {
  list.replaceChildren();
  for (const u of utterances) {
    const li = document.createElement("li");
    li.className = "utterance speaker-" + u.speaker;
    li.dataset.start = String(u.start);
    li.dataset.end = String(u.end);
    const who = document.createElement("b");
    who.textContent = (SPEAKER[u.speaker] || u.speaker) + " " + clock(u.start) + " ";
    const said = document.createElement("span");
    said.textContent = u.text;  // what a customer said is never HTML
    li.append(who, said);
    if (audio) {
      li.tabIndex = 0;
      li.title = "play from " + clock(u.start);
      const seek = () => { audio.currentTime = u.start; audio.play().catch(() => {}); };
      li.addEventListener("click", seek);
      li.addEventListener("keydown", (e) => { if (e.key === "Enter") seek(); });
    }
    list.appendChild(li);
  }
  if (audio) {
    // One marker per player: a page that shows another transcript replaces it.
    if (audio.transcriptMarker) audio.removeEventListener("timeupdate", audio.transcriptMarker);
    audio.transcriptMarker = () => {
      for (const li of list.children) {
        const on = audio.currentTime >= Number(li.dataset.start) && audio.currentTime <= Number(li.dataset.end) + 0.3;
        li.classList.toggle("playing", on);
      }
    };
    audio.addEventListener("timeupdate", audio.transcriptMarker);
  }
}

// `text` into `el` with each of `words` (lower-case; a trailing * a prefix) in <mark>,
// built from text nodes only.
function marked(el, text, words) {
  el.replaceChildren();
  const parts = words.map((w) => w.replace(/\*$/, "")).filter(Boolean);
  if (!parts.length) { el.textContent = text; return; }
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
