// A flow drawn as boxes in rows by their distance from the entry, with an arrow per way on
// (its label the digit, case or outcome); built as SVG elements, names set as text.

const SVG = "http://www.w3.org/2000/svg";

export interface Graph {
  flow: string;
  entry: string;
  nodes: { id: string; type: string }[];
  edges: { from: string; to: string; label: string }[];
}

/** Each node's row: its distance from the entry (unreachable ones last). */
export function rows(g: Graph): Map<string, number> {
  const depth = new Map<string, number>([[g.entry, 0]]);
  const queue = [g.entry];
  while (queue.length) {
    const at = queue.shift()!;
    for (const e of g.edges.filter((x) => x.from === at)) {
      if (!depth.has(e.to)) {
        depth.set(e.to, depth.get(at)! + 1);
        queue.push(e.to);
      }
    }
  }
  const last = Math.max(0, ...depth.values()) + 1;
  for (const n of g.nodes) if (!depth.has(n.id)) depth.set(n.id, last);
  return depth;
}

function el(name: string, attrs: Record<string, string | number>, text = ""): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text) node.textContent = text;
  return node;
}

export function draw(g: Graph): SVGSVGElement {
  const depth = rows(g);
  const byRow = new Map<number, string[]>();
  for (const n of g.nodes) byRow.set(depth.get(n.id)!, [...(byRow.get(depth.get(n.id)!) ?? []), n.id]);
  const W = 130, H = 34, GX = 24, GY = 46;
  const width = Math.max(1, ...[...byRow.values()].map((r) => r.length)) * (W + GX) + GX;
  const height = byRow.size * (H + GY) + GY;
  const at = new Map<string, [number, number]>();
  for (const [row, ids] of byRow) ids.forEach((id, i) => at.set(id, [GX + i * (W + GX), GY / 2 + row * (H + GY)]));
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" }) as SVGSVGElement;
  svg.append(el("title", {}, g.flow));
  for (const e of g.edges) {
    const [x1, y1] = at.get(e.from) ?? [0, 0];
    const [x2, y2] = at.get(e.to) ?? [0, 0];
    svg.append(el("line", { x1: x1 + W / 2, y1: y1 + H, x2: x2 + W / 2, y2, "data-edge": `${e.from}>${e.to}` }));
    svg.append(el("text", { x: (x1 + x2 + W) / 2 + 3, y: (y1 + H + y2) / 2, class: "edge-label" }, e.label));
  }
  for (const n of g.nodes) {
    const [x, y] = at.get(n.id)!;
    const box = el("g", { "data-node": n.id });
    box.append(el("rect", { x, y, width: W, height: H, rx: 5, class: n.id === g.entry ? "entry" : "" }));
    box.append(el("text", { x: x + 6, y: y + 14 }, n.id), el("text", { x: x + 6, y: y + 27 }, n.type));
    svg.append(box);
  }
  return svg;
}
