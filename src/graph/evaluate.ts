/**
 * The float64 reference interpreter: evaluates a graph with every op's `evaluate`. It is the oracle of
 * the gradient checks (finite differences in float64 are accurate to ~1e-8) and of the tests that
 * compare onnxruntime's float32 results with the intended semantics.
 *
 * @module
 */
import { GraphError } from './errors.js';
import type { Graph } from './graph.js';
import type { NDArray } from './ndarray.js';
import { nd } from './ndarray.js';
import { neededNodes } from './serialize.js';
import type { Tensor } from './tensor.js';
import { formatShape } from './tensor.js';

/** Inputs (by name) and parameters (by name) for {@link evaluateGraph}. */
export interface EvaluateFeeds {
  readonly inputs?: Readonly<Record<string, NDArray>>;
  readonly params?: ReadonlyMap<string, ArrayLike<number>>;
  /**
   * Fixed values for node outputs, used instead of computing them — e.g. to hold stop-gradient
   * targets constant while finite differences perturb the parameters.
   */
  readonly overrides?: ReadonlyMap<Tensor, NDArray>;
}

/** Evaluates `outputs` of `graph` in float64. Symbolic dimensions take the sizes of the fed inputs. */
export function evaluateGraph(graph: Graph, outputs: readonly Tensor[], feeds: EvaluateFeeds): NDArray[] {
  const values = new Map<Tensor, NDArray>();
  const bindings = new Map<string, number>();
  const leaf = (t: Tensor): NDArray => {
    const cached = values.get(t);
    if (cached) return cached;
    let v: NDArray;
    if (t.source.kind === 'input') {
      const name = t.source.name;
      const fed = feeds.inputs?.[name];
      if (!fed) throw new GraphError(`evaluateGraph: no value for input '${name}'`);
      const mismatch = () => new GraphError(`evaluateGraph: input '${name}' expects ${formatShape(t.shape)}, got [${fed.shape.join(', ')}]`);
      if (fed.shape.length !== t.rank) throw mismatch();
      t.shape.forEach((d, i) => {
        const got = fed.shape[i]!;
        const want = typeof d === 'number' ? d : (bindings.get(d) ?? got);
        if (typeof d === 'string') bindings.set(d, got);
        if (want !== got) throw mismatch();
      });
      v = fed;
    } else if (t.source.kind === 'param') {
      const p = feeds.params?.get(t.source.name);
      if (!p) throw new GraphError(`evaluateGraph: no value for parameter '${t.source.name}'`);
      v = nd(t.shape as number[], p);
    } else if (t.source.kind === 'constant') {
      v = nd(t.shape as number[], t.source.values);
    } else {
      throw new GraphError(`evaluateGraph: ${t.toString()} was not computed`);
    }
    values.set(t, v);
    return v;
  };
  for (const node of neededNodes(graph, outputs)) {
    if (feeds.overrides && node.outputs.every((t) => feeds.overrides!.has(t))) {
      for (const t of node.outputs) values.set(t, feeds.overrides.get(t)!);
      continue;
    }
    const ins = node.inputs.map((t) => (t.producer ? values.get(t)! : leaf(t)));
    const outs = node.op.evaluate(ins, node.attrs as never);
    node.outputs.forEach((t, i) => {
      values.set(t, outs[i]!);
    });
  }
  return outputs.map((t) => values.get(t) ?? leaf(t));
}
