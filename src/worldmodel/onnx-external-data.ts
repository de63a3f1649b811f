/**
 * The external data locations an ONNX model names, found by walking its graphs. Kept apart from
 * bundle-read.ts so that no public declaration mentions onnx-proto's types (their `Long` does not
 * type-check in a user's project with `skipLibCheck: false`); this module is internal.
 *
 * @module
 */
import pkg from 'onnx-proto';

const { onnx } = pkg;

type Tensor = pkg.onnx.ITensorProto;
type Graph = pkg.onnx.IGraphProto;

/** Every tensor of a graph, its nodes' attributes and their sub-graphs (Scan bodies, If branches). */
function* graphTensors(g: Graph | null | undefined): Generator<Tensor> {
  if (!g) return;
  yield* g.initializer ?? [];
  for (const s of g.sparseInitializer ?? []) yield* [s.values, s.indices].filter((t): t is Tensor => !!t);
  for (const n of g.node ?? []) yield* nodeTensors(n);
}

function* nodeTensors(n: pkg.onnx.INodeProto): Generator<Tensor> {
  for (const a of n.attribute ?? []) {
    if (a.t) yield a.t;
    yield* a.tensors ?? [];
    for (const s of [a.sparseTensor, ...(a.sparseTensors ?? [])]) if (s) yield* [s.values, s.indices].filter((t): t is Tensor => !!t);
    if (a.g) yield* graphTensors(a.g);
    for (const sub of a.graphs ?? []) yield* graphTensors(sub);
  }
}

/** The distinct external data locations a model's tensors name (none for a self-contained model). */
export function externalDataLocations(model: pkg.onnx.IModelProto): string[] {
  const out = new Set<string>();
  const tensors = [graphTensors(model.graph), ...(model.functions ?? []).flatMap((f) => (f.node ?? []).map(nodeTensors))];
  for (const it of tensors) {
    for (const t of it) {
      const location = t.externalData?.find((e) => e.key === 'location')?.value;
      if (location != null) out.add(location);
      else if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) out.add('');
    }
  }
  return [...out];
}
