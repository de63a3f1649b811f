/**
 * The graph builder. A {@link Graph} owns tensors and nodes; op functions (`add`, `gemm`, `layerNorm`, ...)
 * append nodes to the graph of their inputs after checking shapes. Nodes are appended in topological
 * order, so gradient construction and serialisation are simple linear walks.
 *
 * @module
 */
import { GraphError } from './errors.js';
import type { Initializer } from './init.js';
import { initialValues } from './init.js';
import type { OpDef } from './op.js';
import type { DType, Node, Shape } from './tensor.js';
import { Tensor, formatShape, isStatic, staticSize } from './tensor.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.:/@-]*$/;

/** A computation graph under construction. */
export class Graph {
  /** Nodes in topological (creation) order. */
  readonly nodes: Node[] = [];
  /** Named inputs. */
  readonly inputs = new Map<string, Tensor>();
  /** Trainable parameters by name. */
  readonly params = new Map<string, Tensor>();
  private nextId = 0;
  private readonly scalarCache = new Map<string, Tensor>();

  /** Declares a named input. Use a string dimension (e.g. `'B'`) for a batch size fixed only at run time. */
  input(name: string, shape: Shape, dtype: DType = 'float32'): Tensor {
    this.checkName(name, 'input');
    if (this.inputs.has(name)) throw new GraphError(`Graph input '${name}' is already declared`);
    checkShape(shape, `input '${name}'`);
    const t = new Tensor(this, this.nextId++, [...shape], dtype, { kind: 'input', name });
    this.inputs.set(name, t);
    return t;
  }

  /** Declares a trainable float32 parameter with a static shape and a seeded initialiser. */
  param(name: string, shape: Shape, initializer: Initializer): Tensor {
    this.checkName(name, 'parameter');
    if (this.params.has(name)) throw new GraphError(`Parameter '${name}' is already declared`);
    checkShape(shape, `parameter '${name}'`);
    if (!isStatic(shape)) throw new GraphError(`Parameter '${name}' needs a static shape, got ${formatShape(shape)}`);
    const t = new Tensor(this, this.nextId++, [...shape], 'float32', { kind: 'param', name, init: initializer });
    this.params.set(name, t);
    return t;
  }

  /** A constant tensor (float32 unless `dtype` says otherwise). A scalar when `shape` is `[]`. */
  constant(values: number | readonly number[] | Float32Array, shape?: readonly number[], dtype: DType = 'float32'): Tensor {
    const list = typeof values === 'number' ? [values] : Array.from(values);
    const s = shape ?? (typeof values === 'number' ? [] : [list.length]);
    if (staticSize(s) !== list.length) {
      throw new GraphError(`Constant of shape ${formatShape(s)} needs ${staticSize(s)} values, got ${list.length}`);
    }
    if (list.some((v) => !Number.isFinite(v))) throw new GraphError(`Constant values must be finite, got ${list.find((v) => !Number.isFinite(v))}`);
    if (s.length === 0) {
      const key = `${dtype}:${list[0]}`;
      const cached = this.scalarCache.get(key);
      if (cached) return cached;
      const t = new Tensor(this, this.nextId++, [], dtype, { kind: 'constant', values: list });
      this.scalarCache.set(key, t);
      return t;
    }
    return new Tensor(this, this.nextId++, [...s], dtype, { kind: 'constant', values: list });
  }

  /** A float32 scalar constant (cached per value). */
  scalar(value: number): Tensor {
    return this.constant(value);
  }

  /** Applies a primitive op: checks the inputs belong here, infers output shapes, appends the node. */
  apply<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
    for (const t of inputs) {
      if (t.graph !== this) throw new GraphError(`${op.name}: input ${t.toString()} belongs to another graph`);
    }
    const infos = op.infer(inputs, attrs);
    const outputs: Tensor[] = [];
    const node: Node = { id: this.nodes.length, op: op as OpDef<never>, attrs, inputs: [...inputs], outputs };
    infos.forEach((info, index) => {
      outputs.push(new Tensor(this, this.nextId++, info.shape, info.dtype, { kind: 'node', node, index }));
    });
    this.nodes.push(node);
    return outputs;
  }

  /** Initial values of every parameter, drawn from `seed` (see {@link initialValues}). */
  initParams(seed: number): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, t] of this.params) {
      if (t.source.kind !== 'param') continue;
      out.set(name, initialValues(name, t.shape, t.source.init, seed));
    }
    return out;
  }

  /** Total number of scalar parameters. */
  paramCount(): number {
    let n = 0;
    for (const t of this.params.values()) n += staticSize(t.shape);
    return n;
  }

  private checkName(name: string, what: string): void {
    if (!NAME.test(name)) throw new GraphError(`Expected the ${what} name to use letters, digits and _.:/@-, got '${name}'`);
  }
}

function checkShape(shape: Shape, what: string): void {
  for (const d of shape) {
    if (typeof d === 'number' ? !(Number.isInteger(d) && d >= 0) : !NAME.test(d)) {
      throw new GraphError(`Expected ${what} dimensions to be non-negative integers or symbol names, got ${formatShape(shape)}`);
    }
  }
}
