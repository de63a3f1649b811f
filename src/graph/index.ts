/**
 * The ONNX graph builder: typed tensors with static shapes (symbolic batch), seeded parameters, ops with
 * build-time shape checks, reverse-mode gradients, a float64 reference interpreter and ONNX serialisation.
 *
 * @module
 */
export * from './errors.js';
export * from './tensor.js';
export * from './graph.js';
export * from './init.js';
export * from './op.js';
export * from './ndarray.js';
export * from './ops/util.js';
export * from './ops/elementwise.js';
export * from './ops/logic.js';
export * from './ops/reduce.js';
export * from './ops/shape.js';
export * from './ops/linalg.js';
export * from './ops/nn.js';
export * from './ops/mish.js';
export * from './ops/silu.js';
export * from './activations.js';
export * from './losses.js';
export * from './grad.js';
export * from './evaluate.js';
export * from './serialize.js';
export * from './param-scope.js';
export * from './ops/scan.js';
export * from './flops.js';
