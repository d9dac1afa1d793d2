import { describe, expect, it } from "vitest";
import { draw, rows, type Graph } from "../src/parts/flows_diagram";

const G: Graph = {
  flow: "main",
  entry: "hours",
  nodes: [
    { id: "hours", type: "branch" },
    { id: "menu", type: "menu" },
    { id: "closed", type: "play" },
    { id: "sales", type: "queue" },
    { id: "orphan", type: "hangup" },
  ],
  edges: [
    { from: "hours", to: "menu", label: "goto" },
    { from: "hours", to: "closed", label: "else" },
    { from: "menu", to: "sales", label: "1" },
  ],
};

describe("the flow diagram", () => {
  it("puts each node in the row of its distance from the entry", () => {
    const r = rows(G);
    expect([r.get("hours"), r.get("menu"), r.get("closed"), r.get("sales")]).toEqual([0, 1, 1, 2]);
    expect(r.get("orphan")).toBe(3); // unreachable: last
  });

  it("draws a box per node and a line per edge, names as text", () => {
    const svg = draw({ ...G, nodes: [...G.nodes, { id: "<b>x</b>", type: "play" }] });
    expect(svg.querySelectorAll("g[data-node]")).toHaveLength(6);
    expect(svg.querySelectorAll("line")).toHaveLength(3);
    expect(svg.querySelector("b")).toBeNull();
  });
});
