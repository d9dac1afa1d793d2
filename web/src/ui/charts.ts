// Charts drawn in SVG from numbers (never from markup): bars with a line over them (calls and
// service level per interval), a heat map (weekday × hour), and a histogram with two series
// side by side. Each mark carries its value in a tooltip; the page's tables carry them all.

const SVG = "http://www.w3.org/2000/svg";

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) {
    const tip = document.createElementNS(SVG, "title");
    tip.textContent = text;
    node.appendChild(tip);
  }
  return node;
}

function clear(chart: SVGSVGElement): void {
  while (chart.lastChild && chart.lastChild.nodeName !== "title") chart.removeChild(chart.lastChild);
}

export interface SeriesPoint {
  label: string;
  bar: number;
  line: number | null; // 0-1
  tip: string;
}

/** Bars (counts, scaled to the largest) and a line (a share, 0-1) across the chart. */
export function barsAndLine(chart: SVGSVGElement, points: SeriesPoint[]): void {
  clear(chart);
  const width = Number(chart.getAttribute("width")) - 40;
  const height = Number(chart.getAttribute("height")) - 30;
  const step = points.length ? width / points.length : width;
  const most = Math.max(1, ...points.map((p) => p.bar));
  let path = "";
  points.forEach((p, i) => {
    const x = 30 + i * step;
    const h = (p.bar / most) * height;
    chart.appendChild(el("rect", { x, y: height - h + 5, width: Math.max(1, step - 2), height: h, class: "bar" }, p.tip));
    if (p.line !== null) path += `${path ? "L" : "M"}${x + step / 2},${5 + height - p.line * height}`;
    if (points.length <= 24 || i % Math.ceil(points.length / 12) === 0) {
      const label = el("text", { x, y: height + 22, class: "axis" });
      label.textContent = p.label;
      chart.appendChild(label);
    }
  });
  if (path) chart.appendChild(el("path", { d: path, class: "line" }));
}

/** A grid of cells shaded by a share (0-1; null: no calls), rows × columns. */
export function heatmap(chart: SVGSVGElement, rows: string[], columns: string[], value: (r: number, c: number) => number | null, tip: (r: number, c: number) => string): void {
  clear(chart);
  const left = 60;
  const cw = (Number(chart.getAttribute("width")) - left) / Math.max(1, columns.length);
  const ch = 22;
  chart.setAttribute("height", String(rows.length * ch + 24));
  rows.forEach((name, r) => {
    const label = el("text", { x: 0, y: r * ch + 15, class: "axis" });
    label.textContent = name;
    chart.appendChild(label);
    columns.forEach((_c, c) => {
      const v = value(r, c);
      const shade = v === null ? "none" : `level-${Math.min(4, Math.floor((1 - v) * 5))}`;
      chart.appendChild(el("rect", { x: left + c * cw, y: r * ch, width: cw - 1, height: ch - 2, class: "cell " + shade }, tip(r, c)));
    });
  });
  columns.forEach((name, c) => {
    if (c % 2) return;
    const label = el("text", { x: left + c * cw, y: rows.length * ch + 14, class: "axis" });
    label.textContent = name;
    chart.appendChild(label);
  });
}

/** Two counts per bucket side by side (e.g. answered and abandoned per wait). */
export function pairedHistogram(chart: SVGSVGElement, labels: string[], a: number[], b: number[], tip: (i: number) => string): void {
  clear(chart);
  const width = Number(chart.getAttribute("width")) - 40;
  const height = Number(chart.getAttribute("height")) - 30;
  const step = labels.length ? width / labels.length : width;
  const most = Math.max(1, ...a, ...b);
  labels.forEach((name, i) => {
    const x = 30 + i * step;
    const ha = ((a[i] ?? 0) / most) * height;
    const hb = ((b[i] ?? 0) / most) * height;
    chart.appendChild(el("rect", { x, y: height - ha + 5, width: Math.max(1, step / 2 - 1), height: ha, class: "answered", "data-count": a[i] ?? 0 }, tip(i)));
    chart.appendChild(el("rect", { x: x + step / 2, y: height - hb + 5, width: Math.max(1, step / 2 - 1), height: hb, class: "abandoned", "data-count": b[i] ?? 0 }, tip(i)));
    const label = el("text", { x, y: height + 22, class: "axis" });
    label.textContent = name;
    chart.appendChild(label);
  });
}
