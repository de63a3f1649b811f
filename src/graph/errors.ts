/**
 * Errors of the graph builder. Shape problems are caught while the graph is built, so the message can
 * name the op and the shapes involved instead of surfacing as an onnxruntime failure much later.
 *
 * @module
 */
import { EmbodiedError } from '../errors.js';

/** A graph was used inconsistently: tensors from two graphs, a duplicate name, an unknown output. */
export class GraphError extends EmbodiedError {}

/**
 * Two shapes do not fit together in an op (broadcasting, matrix product, concatenation, reshape, ...).
 * The message names the op and every shape involved.
 */
export class ShapeError extends GraphError {
  constructor(
    /** The op that rejected its inputs, e.g. `Gemm`. */
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
  }
}
