// Stacked horizontal bars drawn in SVG: one bar per row (label on the left), one segment per
// part, scaled to the largest total; each segment has class `prefix + part`, its count in
// data-count and a tooltip.

const SVG = "http://www.w3.org/2000/svg";

export function stackedBars<R>(
  chart: SVGSVGElement,
  rows: R[],
  parts: (keyof R & string)[],
  label: (r: R) => string,
  prefix: string,
  labelWidth: number,
  partName: (part: string) => string = (p) => p.replace("_", " "),
): void {
  while (chart.lastChild && chart.lastChild.nodeName !== "title") chart.removeChild(chart.lastChild);
  const value = (r: R, part: keyof R) => Number(r[part]) || 0;
  const total = (r: R) => parts.reduce((sum, part) => sum + value(r, part), 0);
  const most = Math.max(1, ...rows.map(total));
  const rowH = 22;
  const width = Number(chart.getAttribute("width")) - labelWidth - 10;
  chart.setAttribute("height", String(Math.max(20, rows.length * rowH)));
  rows.forEach((r, i) => {
    const text = document.createElementNS(SVG, "text");
    text.setAttribute("x", "0");
    text.setAttribute("y", String(i * rowH + 15));
    text.textContent = label(r);
    chart.appendChild(text);
    let x = labelWidth;
    for (const part of parts) {
      const w = (value(r, part) / most) * width;
      if (w <= 0) continue;
      const bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("x", String(x));
      bar.setAttribute("y", String(i * rowH + 3));
      bar.setAttribute("width", String(w));
      bar.setAttribute("height", String(rowH - 6));
      bar.setAttribute("class", prefix + part);
      bar.setAttribute("data-count", String(value(r, part)));
      const tip = document.createElementNS(SVG, "title");
      tip.textContent = `${value(r, part)} ${partName(part)}`;
      bar.appendChild(tip);
      chart.appendChild(bar);
      x += w;
    }
  });
}
