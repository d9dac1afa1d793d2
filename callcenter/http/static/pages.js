// What the staff pages share (served at /static/pages.js): table cells that never take
// HTML, the API with the page's session, and stacked horizontal bars drawn in SVG.
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
