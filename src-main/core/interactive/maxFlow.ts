/**
 * Minimum s–t cut of a sparse graph by the Boykov–Kolmogorov max-flow algorithm (search trees grown from both
 * terminals, reused between augmentations), the usual solver for graph cuts on image grids. Written from the paper
 * (Boykov & Kolmogorov, PAMI 2004); capacities are float64.
 */

const NO_PARENT = -1;
const TERMINAL = -2;
const ORPHAN = -3;

export class MaxFlowGraph {
  private readonly nodeCount: number;
  /** Terminal residual: > 0 = capacity from the source, < 0 = capacity to the sink. */
  private readonly terminal: Float64Array;
  private readonly firstArc: Int32Array;
  private arcHead: Int32Array;
  private arcNext: Int32Array;
  private arcCapacity: Float64Array;
  private arcCount = 0;
  private flow = 0;
  private parent: Int32Array;
  private inSinkTree: Uint8Array;

  constructor(nodeCount: number, arcCapacityHint = nodeCount * 4) {
    this.nodeCount = nodeCount;
    this.terminal = new Float64Array(nodeCount);
    this.firstArc = new Int32Array(nodeCount).fill(-1);
    const arcs = Math.max(arcCapacityHint * 2, 16);
    this.arcHead = new Int32Array(arcs);
    this.arcNext = new Int32Array(arcs);
    this.arcCapacity = new Float64Array(arcs);
    this.parent = new Int32Array(nodeCount).fill(NO_PARENT);
    this.inSinkTree = new Uint8Array(nodeCount);
  }

  /** Adds capacity from the source (cost of labelling the node sink) and to the sink (cost of labelling it source). */
  addTerminalWeights(node: number, sourceCapacity: number, sinkCapacity: number): void {
    this.terminal[node] += sourceCapacity - sinkCapacity;
    this.flow += Math.min(sourceCapacity, sinkCapacity);
  }

  /** An edge a→b with capacity `forward` and b→a with `backward` (arc 2k and its sister 2k+1). */
  addEdge(a: number, b: number, forward: number, backward: number): void {
    if (this.arcCount + 2 > this.arcHead.length) this.growArcs();
    const arc = this.arcCount;
    this.arcHead[arc] = b;
    this.arcCapacity[arc] = forward;
    this.arcNext[arc] = this.firstArc[a];
    this.firstArc[a] = arc;
    this.arcHead[arc + 1] = a;
    this.arcCapacity[arc + 1] = backward;
    this.arcNext[arc + 1] = this.firstArc[b];
    this.firstArc[b] = arc + 1;
    this.arcCount += 2;
  }

  private growArcs(): void {
    const size = this.arcHead.length * 2;
    const head = new Int32Array(size);
    head.set(this.arcHead);
    const next = new Int32Array(size);
    next.set(this.arcNext);
    const capacity = new Float64Array(size);
    capacity.set(this.arcCapacity);
    this.arcHead = head;
    this.arcNext = next;
    this.arcCapacity = capacity;
  }

  /** Runs the max-flow; returns its value. Afterwards `isSource(node)` gives the minimum cut's side. */
  solve(): number {
    const { nodeCount, terminal, firstArc, parent, inSinkTree } = this;
    const head = this.arcHead;
    const next = this.arcNext;
    const capacity = this.arcCapacity;
    const queue = new Int32Array(nodeCount + 1);
    const queued = new Uint8Array(nodeCount);
    let queueStart = 0;
    let queueLength = 0;
    const push = (node: number) => {
      if (queued[node]) return;
      queued[node] = 1;
      queue[(queueStart + queueLength) % queue.length] = node;
      queueLength++;
    };
    for (let node = 0; node < nodeCount; node++) {
      if (terminal[node] !== 0) {
        parent[node] = TERMINAL;
        inSinkTree[node] = terminal[node] < 0 ? 1 : 0;
        push(node);
      }
    }
    const orphans: number[] = [];
    // Orphan check: whether a node's parent chain still reaches a terminal.
    const rooted = (start: number): boolean => {
      let node = start;
      for (;;) {
        const arc = parent[node];
        if (arc === TERMINAL) return true;
        if (arc === ORPHAN || arc === NO_PARENT) return false;
        node = head[arc];
      }
    };
    while (queueLength > 0) {
      const node = queue[queueStart];
      if (parent[node] === NO_PARENT) {
        queueStart = (queueStart + 1) % queue.length;
        queueLength--;
        queued[node] = 0;
        continue;
      }
      // Grow: look for a neighbour in the other tree through an arc with residual capacity.
      let bridge = -1;
      const sinkSide = inSinkTree[node] === 1;
      for (let arc = firstArc[node]; arc >= 0; arc = next[arc]) {
        const residual = sinkSide ? capacity[arc ^ 1] : capacity[arc];
        if (residual <= 0) continue;
        const other = head[arc];
        if (parent[other] === NO_PARENT) {
          parent[other] = arc ^ 1;
          inSinkTree[other] = sinkSide ? 1 : 0;
          push(other);
        } else if (inSinkTree[other] !== inSinkTree[node]) {
          bridge = sinkSide ? arc ^ 1 : arc;
          break;
        }
      }
      if (bridge < 0) {
        queueStart = (queueStart + 1) % queue.length;
        queueLength--;
        queued[node] = 0;
        continue;
      }
      this.augment(bridge, orphans);
      // Adopt orphans: a new parent in the same tree, else the node becomes free.
      while (orphans.length > 0) {
        const orphan = orphans.pop()!;
        const sink = inSinkTree[orphan] === 1;
        let adopted = false;
        for (let arc = firstArc[orphan]; arc >= 0; arc = next[arc]) {
          const other = head[arc];
          const residual = sink ? capacity[arc] : capacity[arc ^ 1];
          if (residual <= 0 || parent[other] === NO_PARENT || inSinkTree[other] !== inSinkTree[orphan]) continue;
          if (rooted(other)) {
            parent[orphan] = arc;
            adopted = true;
            break;
          }
        }
        if (adopted) continue;
        parent[orphan] = NO_PARENT;
        for (let arc = firstArc[orphan]; arc >= 0; arc = next[arc]) {
          const other = head[arc];
          if (parent[other] === NO_PARENT || inSinkTree[other] !== inSinkTree[orphan]) continue;
          const residual = sink ? capacity[arc] : capacity[arc ^ 1];
          if (residual > 0) push(other);
          const otherParent = parent[other];
          if (otherParent >= 0 && head[otherParent] === orphan) {
            parent[other] = ORPHAN;
            orphans.push(other);
          }
        }
      }
    }
    return this.flow;
  }

  /** Pushes the bottleneck along source root → … → tail(bridge) → head(bridge) → … → sink root. */
  private augment(bridge: number, orphans: number[]): void {
    const { terminal, parent } = this;
    const head = this.arcHead;
    const capacity = this.arcCapacity;
    let bottleneck = capacity[bridge];
    let node = head[bridge ^ 1];
    while (parent[node] !== TERMINAL) {
      const arc = parent[node];
      bottleneck = Math.min(bottleneck, capacity[arc ^ 1]);
      node = head[arc];
    }
    bottleneck = Math.min(bottleneck, terminal[node]);
    node = head[bridge];
    while (parent[node] !== TERMINAL) {
      const arc = parent[node];
      bottleneck = Math.min(bottleneck, capacity[arc]);
      node = head[arc];
    }
    bottleneck = Math.min(bottleneck, -terminal[node]);

    capacity[bridge] -= bottleneck;
    capacity[bridge ^ 1] += bottleneck;
    node = head[bridge ^ 1];
    while (parent[node] !== TERMINAL) {
      const arc = parent[node];
      capacity[arc] += bottleneck;
      capacity[arc ^ 1] -= bottleneck;
      const up = head[arc];
      if (capacity[arc ^ 1] <= 0) {
        parent[node] = ORPHAN;
        orphans.push(node);
      }
      node = up;
    }
    terminal[node] -= bottleneck;
    if (terminal[node] <= 0) {
      parent[node] = ORPHAN;
      orphans.push(node);
    }
    node = head[bridge];
    while (parent[node] !== TERMINAL) {
      const arc = parent[node];
      capacity[arc ^ 1] += bottleneck;
      capacity[arc] -= bottleneck;
      const up = head[arc];
      if (capacity[arc] <= 0) {
        parent[node] = ORPHAN;
        orphans.push(node);
      }
      node = up;
    }
    terminal[node] += bottleneck;
    if (terminal[node] >= 0) {
      parent[node] = ORPHAN;
      orphans.push(node);
    }
    this.flow += bottleneck;
  }

  /** After `solve`: true when the node is on the source side of the minimum cut. */
  isSource(node: number): boolean {
    return this.parent[node] !== NO_PARENT && this.inSinkTree[node] === 0;
  }
}
