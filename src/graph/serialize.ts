/**
 * ONNX serialisation with `onnx-proto` (opset 17). Only the nodes the requested outputs depend on are
 * written. Parameters become initializers when their values are given (inference export) and graph
 * inputs otherwise (training graphs, which take weights and optimiser state in and out).
 *
 * @module
 */
import pkg from 'onnx-proto';
import { GraphError } from './errors.js';
import type { Graph } from './graph.js';
import type { Emitter, OnnxAttr } from './op.js';
import type { DType, Node, Shape, Tensor } from './tensor.js';
import { formatShape, staticSize } from './tensor.js';

const { onnx } = pkg;

/** The ONNX opset every graph is written for. */
export const OPSET = 17;
/** The ONNX IR version matching {@link OPSET}. */
export const IR_VERSION = 8;

/** What to serialise. */
export interface GraphSpec {
  /** The graph. */
  readonly graph: Graph;
  /** Graph outputs by ONNX name. */
  readonly outputs: Readonly<Record<string, Tensor>>;
  /**
   * Graph inputs in order. Default: every declared input the outputs depend on, in declaration order.
   * Parameters without values are appended after these.
   */
  readonly inputs?: readonly Tensor[];
  /** Values of parameters to bake in as initializers; other parameters the outputs need become inputs. */
  readonly paramValues?: ReadonlyMap<string, Float32Array>;
  /** ONNX graph name. Default `'graph'`. */
  readonly name?: string;
}

/** Options of a whole model file. */
export interface ModelOptions {
  /** `doc_string` of the model. */
  readonly docString?: string;
  /** `producer_version`. */
  readonly producerVersion?: string;
  /** Extra `metadata_props`. */
  readonly metadata?: Readonly<Record<string, string>>;
}

const DTYPE: Record<DType, number> = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64, bool: onnx.TensorProto.DataType.BOOL };

function valueInfo(name: string, shape: Shape, dtype: DType): pkg.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: DTYPE[dtype], shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function tensorProto(name: string, dims: readonly number[], dtype: DType, values: ArrayLike<number>): pkg.onnx.ITensorProto {
  let raw: Uint8Array;
  if (dtype === 'float32') {
    const f = values instanceof Float32Array ? values : Float32Array.from(values);
    raw = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  } else if (dtype === 'int64') {
    const b = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
    raw = new Uint8Array(b.buffer);
  } else {
    raw = Uint8Array.from(values);
  }
  return { name, dims: [...dims], dataType: DTYPE[dtype], rawData: raw };
}

function onnxAttr(a: OnnxAttr): pkg.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('f' in a) return { name: a.name, type: T.FLOAT, f: a.f };
  if ('i' in a) return { name: a.name, type: T.INT, i: a.i };
  if ('ints' in a) return { name: a.name, type: T.INTS, ints: [...a.ints] };
  if ('floats' in a) return { name: a.name, type: T.FLOATS, floats: [...a.floats] };
  if ('s' in a) return { name: a.name, type: T.STRING, s: new TextEncoder().encode(a.s) };
  return { name: a.name, type: T.GRAPH, g: a.graph as pkg.onnx.IGraphProto };
}

/** Nodes needed for `outputs`, in topological order. */
export function neededNodes(graph: Graph, outputs: readonly Tensor[]): Node[] {
  const need = new Set<Node>();
  const stack = outputs.map((t) => t.producer).filter((n): n is Node => n !== undefined);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (need.has(n)) continue;
    need.add(n);
    for (const t of n.inputs) if (t.producer && !need.has(t.producer)) stack.push(t.producer);
  }
  return graph.nodes.filter((n) => need.has(n));
}

class GraphEmitter implements Emitter {
  readonly nodes: pkg.onnx.INodeProto[] = [];
  readonly initializers: pkg.onnx.ITensorProto[] = [];
  private readonly constCache = new Map<string, string>();
  private counter = 0;

  constructor(private readonly prefix: string) {}

  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: readonly OnnxAttr[] = []): void {
    this.nodes.push({ opType, input: [...inputs], output: [...outputs], name: `${this.prefix}n${this.nodes.length}_${opType}`, attribute: attrs.map(onnxAttr) });
  }
  int64(values: readonly number[], shape?: readonly number[]): string {
    return this.constant('int64', values, shape ?? [values.length]);
  }
  float(values: readonly number[], shape?: readonly number[]): string {
    return this.constant('float32', values, shape ?? [values.length]);
  }
  temp(hint: string): string {
    return `${this.prefix}${hint}~${this.counter++}`;
  }
  subgraph(body: unknown): unknown {
    return buildGraphProto(body as GraphSpec, `${this.prefix}${(body as GraphSpec).name ?? 'body'}/`);
  }
  constant(dtype: DType, values: ArrayLike<number>, shape: readonly number[], name?: string): string {
    const key = name ?? `${dtype}:${shape.join('x')}:${Array.from(values).join(',')}`;
    const cached = this.constCache.get(key);
    if (cached) return cached;
    const n = name ?? `${this.prefix}const~${this.constCache.size}`;
    this.initializers.push(tensorProto(n, shape, dtype, values));
    this.constCache.set(key, n);
    return n;
  }
}

/**
 * Builds an ONNX GraphProto. `prefix` keeps names of sub-graphs apart from their parent's. Module-private:
 * onnx-proto's types must stay out of the public declarations (see `serializeModel`).
 */
function buildGraphProto(spec: GraphSpec, prefix = ''): pkg.onnx.IGraphProto {
  const { graph, outputs, paramValues } = spec;
  const outEntries = Object.entries(outputs);
  for (const [name, t] of outEntries) {
    if (t.graph !== graph) throw new GraphError(`Output '${name}' ${t.toString()} belongs to another graph`);
  }
  const nodes = neededNodes(
    graph,
    outEntries.map(([, t]) => t),
  );
  const used = new Set<Tensor>(outEntries.map(([, t]) => t));
  for (const n of nodes) for (const t of n.inputs) used.add(t);

  const e = new GraphEmitter(prefix);
  const names = new Map<Tensor, string>();
  const inputs: pkg.onnx.IValueInfoProto[] = [];
  const declared = spec.inputs ?? [...graph.inputs.values()].filter((t) => used.has(t));
  for (const t of declared) {
    if (t.source.kind !== 'input' && t.source.kind !== 'param') throw new GraphError(`Graph inputs must be inputs or parameters, got ${t.toString()}`);
    const n = `${prefix}${t.source.name}`;
    names.set(t, n);
    inputs.push(valueInfo(n, t.shape, t.dtype));
  }
  for (const t of used) {
    if (names.has(t)) continue;
    if (t.source.kind === 'input') throw new GraphError(`The outputs depend on input '${t.source.name}', which is missing from the inputs list`);
    if (t.source.kind === 'param') {
      const n = `${prefix}${t.source.name}`;
      const v = paramValues?.get(t.source.name);
      if (v) {
        if (v.length !== staticSize(t.shape)) throw new GraphError(`Parameter '${t.source.name}' ${formatShape(t.shape)} needs ${staticSize(t.shape)} values, got ${v.length}`);
        e.constant('float32', v, t.shape as number[], n);
      } else {
        inputs.push(valueInfo(n, t.shape, t.dtype));
      }
      names.set(t, n);
    } else if (t.source.kind === 'constant') {
      names.set(t, e.constant(t.dtype, t.source.values, t.shape as number[]));
    }
  }
  // Output tensors produced by a node take the output name directly; others go through Identity.
  for (const [name, t] of outEntries) {
    if (t.producer && !names.has(t)) names.set(t, `${prefix}${name}`);
  }
  for (const n of nodes) {
    for (const t of n.outputs) if (!names.has(t)) names.set(t, `${prefix}${t.id}~`);
    n.op.emit(
      e,
      n.inputs.map((t) => names.get(t)!),
      n.outputs.map((t) => names.get(t)!),
      n.attrs as never,
      n,
    );
  }
  for (const [name, t] of outEntries) {
    const full = `${prefix}${name}`;
    if (names.get(t) !== full) e.node('Identity', [names.get(t)!], [full]);
  }
  return {
    name: spec.name ?? 'graph',
    node: e.nodes,
    initializer: e.initializers,
    input: inputs,
    output: outEntries.map(([name, t]) => valueInfo(`${prefix}${name}`, t.shape, t.dtype)),
  };
}

/** Serialises a graph into ONNX model bytes. */
export function serializeModel(spec: GraphSpec, options: ModelOptions = {}): Uint8Array {
  const model: pkg.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'embodied',
    producerVersion: options.producerVersion ?? '',
    docString: options.docString ?? '',
    graph: buildGraphProto(spec),
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
