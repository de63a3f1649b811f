/**
 * Parameter lookup for model-building code. A model asks its scope for `name` with a shape and an
 * initialiser; the scope declares the parameter once and hands back the same tensor on every later
 * request (weights shared across time steps and calls). A scope can instead serve substitutes — the
 * updated values of a previous training step — so one model function builds every unrolled step.
 *
 * @module
 */
import { GraphError } from './errors.js';
import type { Graph } from './graph.js';
import type { Initializer } from './init.js';
import type { Shape, Tensor } from './tensor.js';
import { formatShape, sameShape } from './tensor.js';

/** Hands out parameter tensors by name. */
export class ParamScope {
  private readonly cache = new Map<string, Tensor>();

  /**
   * @param graph - the graph parameters are declared in
   * @param substitutes - tensors to return instead of declaring parameters (must have the same shapes)
   */
  constructor(
    readonly graph: Graph,
    private readonly substitutes?: ReadonlyMap<string, Tensor>,
  ) {}

  /** The parameter `name`, declared on first use. */
  get(name: string, shape: Shape, initializer: Initializer): Tensor {
    const cached = this.cache.get(name);
    if (cached) {
      if (!sameShape(cached.shape, shape)) throw new GraphError(`Parameter '${name}' requested as ${formatShape(shape)} but declared as ${formatShape(cached.shape)}`);
      return cached;
    }
    let t: Tensor;
    if (this.substitutes) {
      const s = this.substitutes.get(name);
      if (!s) throw new GraphError(`No substitute for parameter '${name}'`);
      if (!sameShape(s.shape, shape)) throw new GraphError(`Substitute for parameter '${name}' is ${formatShape(s.shape)}, expected ${formatShape(shape)}`);
      t = s;
    } else {
      t = this.graph.params.get(name) ?? this.graph.param(name, shape, initializer);
      if (!sameShape(t.shape, shape)) throw new GraphError(`Parameter '${name}' requested as ${formatShape(shape)} but declared as ${formatShape(t.shape)}`);
    }
    this.cache.set(name, t);
    return t;
  }

  /** Names requested so far, in order of first request. */
  names(): string[] {
    return [...this.cache.keys()];
  }
}
