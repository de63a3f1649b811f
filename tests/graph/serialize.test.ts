import * as ort from 'onnxruntime-node';
import pkg from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import * as G from '../../src/graph/index.js';

const { onnx } = pkg;

describe('ONNX serialisation', () => {
  it('writes opset 17, a symbolic batch axis, and only the nodes the outputs need', async () => {
    const g = new G.Graph();
    const x = g.input('x', ['B', 3]);
    const unused = g.input('unused', [2]);
    const w = g.param('w', [3, 2], G.init.uniform(-1, 1));
    const y = G.relu(G.gemm(x, w));
    G.exp(G.add(unused, 1)); // not needed for y
    const params = g.initParams(3);
    const bytes = G.serializeModel({ graph: g, outputs: { y }, paramValues: params }, { producerVersion: 'test', metadata: { k: 'v' } });
    const model = onnx.ModelProto.decode(bytes);
    expect(Number(model.opsetImport[0]!.version)).toBe(17);
    expect(model.graph!.node!.map((n) => n.opType)).toEqual(['Gemm', 'Relu']);
    expect(model.graph!.input!.map((i) => i.name)).toEqual(['x']);
    expect(model.graph!.input![0]!.type!.tensorType!.shape!.dim![0]!.dimParam).toBe('B');
    expect(model.graph!.initializer!.map((i) => i.name)).toEqual(['w']);
    expect(model.metadataProps).toEqual([expect.objectContaining({ key: 'k', value: 'v' })]);

    const s = await ort.InferenceSession.create(bytes);
    for (const batch of [1, 5]) {
      const xs = Float32Array.from({ length: batch * 3 }, (_v, i) => Math.sin(i));
      const r = await s.run({ x: new ort.Tensor('float32', xs, [batch, 3]) });
      const [ref] = G.evaluateGraph(g, [y], { inputs: { x: G.nd([batch, 3], xs) }, params });
      expect(r.y!.dims).toEqual([batch, 2]);
      Array.from(r.y!.data as Float32Array).forEach((v, i) => {
        expect(v).toBeCloseTo(ref!.data[i]!, 6);
      });
    }
  });

  it('makes parameters without values into graph inputs and names outputs exactly', async () => {
    const g = new G.Graph();
    const x = g.input('x', [2, 3]);
    const w = g.param('layer.w', [3, 3], G.init.zeros());
    const bytes = G.serializeModel({ graph: g, outputs: { out: G.matmul(x, w), same_input: x } });
    const s = await ort.InferenceSession.create(bytes);
    expect(s.inputNames).toEqual(['x', 'layer.w']);
    expect(s.outputNames).toEqual(['out', 'same_input']);
    const eye = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const xs = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const r = await s.run({ x: new ort.Tensor('float32', xs, [2, 3]), 'layer.w': new ort.Tensor('float32', eye, [3, 3]) });
    expect(Array.from(r.out!.data as Float32Array)).toEqual(Array.from(xs));
    expect(Array.from(r.same_input!.data as Float32Array)).toEqual(Array.from(xs));
  });

  it('initialises parameters reproducibly per name', () => {
    const a = new G.Graph();
    a.param('p', [4], G.init.normal(1));
    const b = new G.Graph();
    b.param('other', [2], G.init.normal(1));
    b.param('p', [4], G.init.normal(1));
    expect(Array.from(a.initParams(7).get('p')!)).toEqual(Array.from(b.initParams(7).get('p')!));
    expect(Array.from(a.initParams(7).get('p')!)).not.toEqual(Array.from(a.initParams(8).get('p')!));
    const fan = G.initialValues('w', [16, 4], G.init.fanInUniform(), 1);
    expect(Math.max(...fan.map(Math.abs))).toBeLessThanOrEqual(0.25);
  });
});
