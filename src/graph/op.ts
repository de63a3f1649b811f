/**
 * The op contract. Every primitive op is one {@link OpDef}: shape inference (which throws
 * {@link ShapeError} while the graph is built), ONNX emission, its gradient written with other ops,
 * and a float64 reference evaluation used by the gradient checks. `docs/training.md` shows how to add one.
 *
 * @module
 */
import type { NDArray } from './ndarray.js';
import type { DType, Node, Shape, Tensor } from './tensor.js';

/** An ONNX attribute value, tagged with its type. */
export type OnnxAttr =
  | { readonly name: string; readonly f: number }
  | { readonly name: string; readonly i: number }
  | { readonly name: string; readonly ints: readonly number[] }
  | { readonly name: string; readonly floats: readonly number[] }
  | { readonly name: string; readonly s: string }
  | { readonly name: string; readonly graph: unknown };

/** What an op's `emit` writes into: ONNX nodes and int64/float constants. */
export interface Emitter {
  /** Adds an ONNX node. */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs?: readonly OnnxAttr[]): void;
  /** The name of an int64 constant initializer holding `values` (1-D unless `shape` is given). */
  int64(values: readonly number[], shape?: readonly number[]): string;
  /** The name of a float32 constant initializer. */
  float(values: readonly number[], shape?: readonly number[]): string;
  /** A fresh intermediate value name. */
  temp(hint: string): string;
  /** Serialises a sub-graph (for control-flow ops such as Scan). */
  subgraph(body: unknown): unknown;
}

/** Output description returned by shape inference. */
export interface OutputInfo {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A primitive op. `A` is its attribute object. */
export interface OpDef<A> {
  /** Op name used in messages, e.g. `Gemm`. */
  readonly name: string;
  /** Output shapes and types; throws {@link ShapeError} on incompatible inputs. */
  infer(inputs: readonly Tensor[], attrs: A): OutputInfo[];
  /** Writes the ONNX node(s) computing `outputs` from `inputs`. */
  emit(e: Emitter, inputs: readonly string[], outputs: readonly string[], attrs: A, node: Node): void;
  /**
   * Gradients of the inputs given the gradients of the outputs (undefined = zero), written with ops in
   * the same graph. Omit for ops that are not differentiable (comparisons, shapes).
   */
  backward?(node: Node, gradOutputs: readonly (Tensor | undefined)[]): (Tensor | undefined)[];
  /** Float64 reference semantics (same as ONNX), for tests and the gradient checker. */
  evaluate(inputs: readonly NDArray[], attrs: A): NDArray[];
}

/** Attribute helpers. */
export const attr = {
  /** A float attribute. */
  f: (name: string, f: number): OnnxAttr => ({ name, f }),
  /** An integer attribute. */
  i: (name: string, i: number): OnnxAttr => ({ name, i }),
  /** An integer-list attribute. */
  ints: (name: string, ints: readonly number[]): OnnxAttr => ({ name, ints }),
  /** A float-list attribute. */
  floats: (name: string, floats: readonly number[]): OnnxAttr => ({ name, floats }),
  /** A string attribute. */
  s: (name: string, s: string): OnnxAttr => ({ name, s }),
  /** A subgraph attribute (e.g. a `Scan` body). */
  graph: (name: string, graph: unknown): OnnxAttr => ({ name, graph }),
};
