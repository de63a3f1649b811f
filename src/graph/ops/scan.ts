/**
 * ONNX `Scan`: runs a body graph once per step along a scan axis, carrying state. Used to fuse an
 * H-step latent rollout into one graph (`rollout.onnx`). Forward only: training unrolls explicitly.
 *
 * @module
 */
import { ShapeError } from '../errors.js';
import { evaluateGraph } from '../evaluate.js';
import type { Graph } from '../graph.js';
import type { NDArray } from '../ndarray.js';
import { nd, sliceArray, reshapeArray, concatArrays } from '../ndarray.js';
import type { OpDef } from '../op.js';
import { attr } from '../op.js';
import type { GraphSpec } from '../serialize.js';
import type { Tensor } from '../tensor.js';
import { formatShape, sameShape } from '../tensor.js';

/** Scan attributes: the body and its layout. */
export interface ScanAttrs {
  /** Body inputs: state values then one element of each scan input; outputs: new states then scan outputs. */
  readonly body: GraphSpec & { readonly inputs: readonly Tensor[] };
  readonly numStates: number;
  readonly scanInputAxes: readonly number[];
  readonly scanOutputAxes: readonly number[];
}

/** The Scan op. */
export const ScanOp: OpDef<ScanAttrs> = {
  name: 'Scan',
  infer(inputs, { body, numStates, scanInputAxes, scanOutputAxes }) {
    const bodyOuts = Object.values(body.outputs);
    const numScanIn = inputs.length - numStates;
    if (body.inputs.length !== inputs.length || scanInputAxes.length !== numScanIn || scanOutputAxes.length !== bodyOuts.length - numStates) {
      throw new ShapeError('Scan', `body has ${body.inputs.length} inputs and ${bodyOuts.length} outputs for ${numStates} states and ${numScanIn} scan inputs`);
    }
    let length: number | string | undefined;
    inputs.forEach((t, i) => {
      const b = body.inputs[i]!;
      if (i < numStates) {
        if (!sameShape(t.shape, b.shape)) throw new ShapeError('Scan', `state ${i}: ${t.toString()} vs body input ${b.toString()}`);
        return;
      }
      const ax = scanInputAxes[i - numStates]!;
      const elem = t.shape.filter((_d, k) => k !== ax);
      if (!sameShape(elem, b.shape)) throw new ShapeError('Scan', `scan input ${t.toString()} without axis ${ax} is ${formatShape(elem)}, body expects ${b.toString()}`);
      const len = t.shape[ax]!;
      if (length !== undefined && length !== len) throw new ShapeError('Scan', `scan inputs disagree on the length: ${length} vs ${len}`);
      length = len;
    });
    if (length === undefined) throw new ShapeError('Scan', 'expected at least one scan input');
    return bodyOuts.map((t, i) => {
      if (i < numStates) return { shape: t.shape, dtype: t.dtype };
      const shape = [...t.shape];
      shape.splice(scanOutputAxes[i - numStates]!, 0, length!);
      return { shape, dtype: t.dtype };
    });
  },
  emit(e, inputs, outputs, { body, numStates, scanInputAxes, scanOutputAxes }) {
    e.node('Scan', inputs, outputs, [
      attr.graph('body', e.subgraph(body)),
      attr.i('num_scan_inputs', inputs.length - numStates),
      attr.ints('scan_input_axes', scanInputAxes),
      attr.ints('scan_output_axes', scanOutputAxes),
    ]);
  },
  evaluate(inputs, { body, numStates, scanInputAxes, scanOutputAxes }) {
    const bodyOuts = Object.values(body.outputs);
    const scanIns = inputs.slice(numStates);
    const length = scanIns[0]!.shape[scanInputAxes[0]!]!;
    let states = inputs.slice(0, numStates);
    const collected: NDArray[][] = bodyOuts.slice(numStates).map(() => []);
    for (let s = 0; s < length; s++) {
      const feeds: Record<string, NDArray> = {};
      body.inputs.forEach((t, i) => {
        const name = t.source.kind === 'input' ? t.source.name : t.label;
        if (i < numStates) feeds[name] = states[i]!;
        else {
          const ax = scanInputAxes[i - numStates]!;
          const x = scanIns[i - numStates]!;
          const part = sliceArray(x, ax, s, s + 1);
          feeds[name] = reshapeArray(
            part,
            x.shape.filter((_d, k) => k !== ax),
          );
        }
      });
      const outs = evaluateGraph(body.graph as Graph, bodyOuts, { inputs: feeds, params: body.paramValues ?? new Map() });
      states = outs.slice(0, numStates);
      outs.slice(numStates).forEach((o, k) => {
        const shape = [...o.shape];
        shape.splice(scanOutputAxes[k]!, 0, 1);
        collected[k]!.push(reshapeArray(o, shape));
      });
    }
    return [...states, ...collected.map((parts, k) => (parts.length > 0 ? concatArrays(parts, scanOutputAxes[k]!) : nd([0])))];
  },
};

/**
 * A Scan node. `body` must declare its inputs in order (states, then scan elements) and its outputs
 * (new states, then per-step outputs) in `body.outputs` insertion order.
 */
export function scan(
  graph: Graph,
  body: ScanAttrs['body'],
  states: readonly Tensor[],
  scanInputs: readonly Tensor[],
  options: { scanInputAxes?: readonly number[]; scanOutputAxes?: readonly number[] } = {},
): Tensor[] {
  const numOut = Object.keys(body.outputs).length - states.length;
  return graph.apply(ScanOp, [...states, ...scanInputs], {
    body,
    numStates: states.length,
    scanInputAxes: options.scanInputAxes ?? scanInputs.map(() => 0),
    scanOutputAxes: options.scanOutputAxes ?? new Array<number>(numOut).fill(0),
  });
}
