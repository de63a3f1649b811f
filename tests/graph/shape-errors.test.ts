import { describe, expect, it } from 'vitest';
import * as G from '../../src/graph/index.js';

function graph() {
  const g = new G.Graph();
  return {
    g,
    x: g.input('x', ['B', 64]),
    y: g.input('y', ['B', 32]),
    w: g.param('w', [32, 16], G.init.fanInUniform()),
    s: g.input('s', [3, 4]),
  };
}

describe('shape errors name the op and both shapes', () => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      'Add of incompatible shapes',
      () => {
        const { x, y } = graph();
        return G.add(x, y);
      },
      /^Add: cannot broadcast \[B, 64\] with \[B, 32\] \(dimension 1 of the result: 64 vs 32\)/,
    ],
    [
      'Mul of different symbols',
      () => {
        const { g, x } = graph();
        return G.mul(x, g.input('z', ['N', 64]));
      },
      /^Mul: cannot broadcast \[B, 64\] with \[N, 64\]/,
    ],
    [
      'Gemm inner dimensions',
      () => {
        const { x, w } = graph();
        return G.gemm(x, w);
      },
      /^Gemm: inner dimensions differ: A x\[B, 64\] has K=64, B w\[32, 16\] has K=32/,
    ],
    [
      'Gemm bias shape',
      () => {
        const { g, y, w } = graph();
        return G.gemm(y, w, g.param('b', [8], G.init.zeros()));
      },
      /^Gemm: cannot broadcast \[B, 16\] with \[8\]/,
    ],
    [
      'Gemm rank',
      () => {
        const { g, w } = graph();
        return G.gemm(g.input('t', [2, 3, 32]), w);
      },
      /^Gemm: expected A of rank 2, got t\[2, 3, 32\]/,
    ],
    [
      'MatMul inner dimensions',
      () => {
        const { s, w } = graph();
        return G.matmul(s, w);
      },
      /^MatMul: inner dimensions differ: A s\[3, 4\] has K=4, B w\[32, 16\] has K=32/,
    ],
    [
      'Concat off-axis mismatch',
      () => {
        const { g, s } = graph();
        return G.concat([s, g.input('t', [2, 4])], 1);
      },
      /^Concat: shapes differ off axis 1: s\[3, 4\] vs t\[2, 4\]/,
    ],
    [
      'Concat along the symbolic axis',
      () => {
        const { x } = graph();
        return G.concat([x, x], 0);
      },
      /^Concat: cannot concatenate along the symbolic axis of x\[B, 64\]/,
    ],
    [
      'Reshape element counts',
      () => {
        const { x } = graph();
        return G.reshape(x, ['B', 60]);
      },
      /^Reshape: cannot reshape x\[B, 64\] to \[B, 60\]: element counts differ/,
    ],
    [
      'Slice out of range',
      () => {
        const { s } = graph();
        return G.slice(s, 1, 2, 5);
      },
      /^Slice: range \[2, 5\) does not fit axis 1 of s\[3, 4\]/,
    ],
    [
      'Split sizes',
      () => {
        const { s } = graph();
        return G.split(s, 1, [1, 2]);
      },
      /^Split: sizes \[1, 2\] \(sum 3\) do not match axis 1 of s\[3, 4\]/,
    ],
    [
      'Transpose perm',
      () => {
        const { s } = graph();
        return G.transpose(s, [0, 0]);
      },
      /^Transpose: perm \[0, 0\] is not a permutation of the axes of s\[3, 4\]/,
    ],
    [
      'LayerNorm scale',
      () => {
        const { g, x } = graph();
        return G.layerNorm(x, g.param('sc', [32], G.init.ones()), g.param('bi', [64], G.init.zeros()));
      },
      /^LayerNormalization: expected scale and bias of shape \[64\] for x\[B, 64\], got sc\[32\]/,
    ],
    [
      'ReduceSum axis',
      () => {
        const { s } = graph();
        return G.reduceSum(s, [2]);
      },
      /^ReduceSum: axes \[2\] out of range for s\[3, 4\]/,
    ],
    [
      'SimNorm group',
      () => {
        const { g } = graph();
        return G.simNorm(g.input('z', ['B', 12]), 8);
      },
      /^SimNorm: last dimension of z\[B, 12\] must be a multiple of the group size 8/,
    ],
    [
      'MSE shapes',
      () => {
        const { x, y } = graph();
        return G.mse(x, y);
      },
      /^MSE: prediction x\[B, 64\] and target y\[B, 32\] differ/,
    ],
    [
      'Clip bounds',
      () => {
        const { s } = graph();
        return G.clip(s, 1, 0);
      },
      /^Clip: expected min <= max, got min=1, max=0/,
    ],
    [
      'Where condition type',
      () => {
        const { s } = graph();
        return G.where(s, s, s);
      },
      /^Where: expected bool inputs, got float32 s\[3, 4\]/,
    ],
  ];
  it.each(cases)('%s', (_name, build, message) => {
    expect(build).toThrow(G.ShapeError);
    expect(build).toThrow(message);
  });

  it('refuses tensors from another graph', () => {
    const a = graph();
    const b = graph();
    expect(() => G.add(a.s, b.s)).toThrow(/^Add: input s\[3, 4\] belongs to another graph/);
  });

  it('refuses duplicate names and bad shapes', () => {
    const { g } = graph();
    expect(() => g.input('x', [1])).toThrow(/Graph input 'x' is already declared/);
    expect(() => g.param('w', [1], G.init.zeros())).toThrow(/Parameter 'w' is already declared/);
    expect(() => g.param('p', ['B', 3], G.init.zeros())).toThrow(/Parameter 'p' needs a static shape, got \[B, 3\]/);
    expect(() => g.input('bad name', [1])).toThrow(/Expected the input name to use letters, digits/);
    expect(() => g.input('neg', [-1])).toThrow(/non-negative integers or symbol names, got \[-1\]/);
  });

  it('grad refuses a non-scalar loss', () => {
    const { s } = graph();
    expect(() => G.grad(s, [s])).toThrow(/grad: expected a scalar float32 loss, got s\[3, 4\]/);
  });
});
