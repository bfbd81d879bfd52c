import { describe, expect, it } from 'vitest';
import { MaxFlowGraph } from './maxFlow.ts';

/** Brute force: the cheapest labelling of a tiny graph (source side = 1). */
function bruteForceCut(nodes: number, terminals: Array<[number, number]>, edges: Array<[number, number, number, number]>): number {
  let best = Infinity;
  for (let labels = 0; labels < 1 << nodes; labels++) {
    const side = (node: number) => (labels >> node) & 1;
    let cost = 0;
    terminals.forEach(([source, sink], node) => (cost += side(node) ? sink : source));
    for (const [a, b, forward, backward] of edges) {
      if (side(a) && !side(b)) cost += forward;
      if (!side(a) && side(b)) cost += backward;
    }
    best = Math.min(best, cost);
  }
  return best;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('MaxFlowGraph', () => {
  it('finds the minimum cut of random small graphs, as brute force does', () => {
    const random = seeded(7);
    for (let trial = 0; trial < 60; trial++) {
      const nodes = 2 + Math.floor(random() * 7);
      const terminals: Array<[number, number]> = Array.from({ length: nodes }, () => [random() < 0.3 ? 0 : random() * 5, random() < 0.3 ? 0 : random() * 5]);
      const edges: Array<[number, number, number, number]> = [];
      for (let e = 0; e < nodes * 2; e++) {
        const a = Math.floor(random() * nodes);
        const b = Math.floor(random() * nodes);
        if (a !== b) edges.push([a, b, random() * 4, random() * 4]);
      }
      const graph = new MaxFlowGraph(nodes);
      terminals.forEach(([source, sink], node) => graph.addTerminalWeights(node, source, sink));
      for (const [a, b, forward, backward] of edges) graph.addEdge(a, b, forward, backward);
      const flow = graph.solve();
      const expected = bruteForceCut(nodes, terminals, edges);
      expect(flow).toBeCloseTo(expected, 9);
      // The labelling it returns costs exactly the flow (max-flow = min-cut).
      let cost = 0;
      terminals.forEach(([source, sink], node) => (cost += graph.isSource(node) ? sink : source));
      for (const [a, b, forward, backward] of edges) {
        if (graph.isSource(a) && !graph.isSource(b)) cost += forward;
        if (!graph.isSource(a) && graph.isSource(b)) cost += backward;
      }
      expect(cost).toBeCloseTo(expected, 9);
    }
  });
});
