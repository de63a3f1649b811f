/**
 * Reverse-mode differentiation on the graph: walks the nodes between the parameters and the loss in
 * reverse order, asks each op for the gradients of its inputs, and sums the contributions of tensors
 * used more than once. The backward pass is ordinary graph nodes, so it serialises like the forward.
 *
 * @module
 */
import { GraphError } from './errors.js';
import { addN } from './ops/elementwise.js';
import type { Node, Tensor } from './tensor.js';
import { formatShape, isStatic, sameShape, staticSize } from './tensor.js';

/**
 * Gradients of the scalar `loss` with respect to each of `wrt` (parameters or any tensor of the same
 * graph). A tensor the loss does not depend on gets a zero constant gradient.
 * @throws {@link GraphError} when the loss is not a scalar or tensors come from another graph
 */
export function grad(loss: Tensor, wrt: readonly Tensor[]): Tensor[] {
  const g = loss.graph;
  if (loss.dtype !== 'float32' || !isStatic(loss.shape) || staticSize(loss.shape) !== 1) {
    throw new GraphError(`grad: expected a scalar float32 loss, got ${loss.toString()}`);
  }
  for (const t of wrt) if (t.graph !== g) throw new GraphError(`grad: ${t.toString()} belongs to another graph`);

  // Nodes on a path from some `wrt` tensor to the loss.
  const targets = new Set<Tensor>(wrt);
  const dependsOnTarget = new Set<Node>();
  for (const n of g.nodes) {
    if (n.inputs.some((t) => targets.has(t) || (t.producer !== undefined && dependsOnTarget.has(t.producer)))) dependsOnTarget.add(n);
  }
  const contributions = new Map<Tensor, Tensor[]>();
  contributions.set(loss, [g.constant(new Array<number>(staticSize(loss.shape)).fill(1), loss.shape as number[])]);
  const lossNode = loss.producer;
  const order = lossNode ? g.nodes.slice(0, lossNode.id + 1) : [];
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    if (!dependsOnTarget.has(node)) continue;
    const gradOutputs = node.outputs.map((t) => sumOf(t, contributions));
    if (gradOutputs.every((x) => x === undefined)) continue;
    if (!node.op.backward) {
      if (node.outputs.some((t) => t.dtype === 'float32')) throw new GraphError(`grad: ${node.op.name} has no gradient`);
      continue;
    }
    const gradInputs = node.op.backward(node, gradOutputs);
    node.inputs.forEach((t, k) => {
      const gi = gradInputs[k];
      if (!gi || t.dtype !== 'float32') return;
      if (!sameShape(gi.shape, t.shape)) {
        throw new GraphError(`grad: ${node.op.name} produced a gradient ${formatShape(gi.shape)} for input ${t.toString()}`);
      }
      const list = contributions.get(t);
      if (list) list.push(gi);
      else contributions.set(t, [gi]);
    });
  }
  return wrt.map((t) => sumOf(t, contributions) ?? g.constant(new Array<number>(staticSize(t.shape, t.label)).fill(0), t.shape as number[]));
}

function sumOf(t: Tensor, contributions: Map<Tensor, Tensor[]>): Tensor | undefined {
  const list = contributions.get(t);
  if (!list || list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const s = addN(list);
  contributions.set(t, [s]);
  return s;
}
