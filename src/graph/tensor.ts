/**
 * Symbolic tensors and nodes. A {@link Tensor} is a value in a {@link Graph}: a named input, a trainable
 * parameter, a constant, or an output of a node. Shapes are static except for symbolic dimensions
 * (strings, e.g. `'B'` for the batch), which become `dim_param` in the ONNX file.
 *
 * @module
 */
import type { Graph } from './graph.js';
import type { Initializer } from './init.js';
import type { OpDef } from './op.js';

/** One dimension: a size, or a symbolic name such as `'B'` that is fixed only at run time. */
export type Dim = number | string;
/** A tensor shape. `[]` is a scalar. */
export type Shape = readonly Dim[];
/** Element types the builder knows. Trainable values are always float32. */
export type DType = 'float32' | 'int64' | 'bool';

/** Where a tensor's value comes from. */
export type TensorSource =
  | { readonly kind: 'input'; readonly name: string }
  | { readonly kind: 'param'; readonly name: string; readonly init: Initializer }
  | { readonly kind: 'constant'; readonly values: readonly number[] }
  | { readonly kind: 'node'; readonly node: Node; readonly index: number };

/** An operation applied to tensors, producing tensors. Nodes are appended in topological order. */
export interface Node {
  readonly id: number;
  readonly op: OpDef<never>;
  readonly attrs: unknown;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
}

/** A symbolic value in a {@link Graph}. Build new tensors with the op functions (`add`, `gemm`, ...). */
export class Tensor {
  /** @internal */
  constructor(
    /** The graph this tensor lives in; ops refuse to mix graphs. */
    readonly graph: Graph,
    /** Unique id within the graph; also the default ONNX name (`t<id>`). */
    readonly id: number,
    /** Static shape, with symbolic dimensions as strings. */
    readonly shape: Shape,
    /** Element type. */
    readonly dtype: DType,
    /** Input, parameter, constant or node output. */
    readonly source: TensorSource,
  ) {}

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** The node that produced this tensor, if any. */
  get producer(): Node | undefined {
    return this.source.kind === 'node' ? this.source.node : undefined;
  }

  /** A readable label: the input or parameter name, or `t<id>`. */
  get label(): string {
    return this.source.kind === 'input' || this.source.kind === 'param' ? this.source.name : `t${this.id}`;
  }

  /** The shape as text, e.g. `[B, 64]`. */
  toString(): string {
    return `${this.label}${formatShape(this.shape)}`;
  }
}

/** Formats a shape for messages: `[B, 64]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Whether two shapes are identical (same sizes, same symbols). */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Number of elements of a fully static shape; throws on symbolic dimensions. */
export function staticSize(shape: Shape, what = 'shape'): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') throw new TypeError(`${what} ${formatShape(shape)} has the symbolic dimension ${d}; a static shape is needed`);
    n *= d;
  }
  return n;
}

/** Whether every dimension is a number. */
export function isStatic(shape: Shape): boolean {
  return shape.every((d) => typeof d === 'number');
}

/** Resolves a possibly negative axis against `rank`, or returns -1 when out of range. */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : -1;
}
