/**
 * {@link expressionObjective}: a planning objective written as a formula over named observation
 * entries, e.g. `-(box_position_0 - goal_position_0)^2 - (box_position_2 - goal_position_1)^2`,
 * parsed and compiled once with mathjs and evaluated for every candidate at every step.
 *
 * The formula reads *observations*. The Rapier oracle's states are observations; a world model's states
 * are latents, so with one the objective needs `decode` (a bundle with a decoder) — without it the
 * state size rarely matches and the objective says so instead of scoring latents as if they were
 * observations.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { EvalFunction, MathNode } from 'mathjs';
import { describeValue, InvalidArgumentError } from '../errors.js';
import type { DecodeFunction, PlanningObjective, RolloutBatch } from './objectives.js';
import { PlanningError } from './optimizer.js';

/** A named slice of the observation vector (the shape of a validation spec's or bundle manifest's field). */
export interface ExpressionField {
  /** Human name, e.g. `'box position'`; its symbols are {@link expressionSymbols}. */
  readonly name: string;
  /** First index. */
  readonly start: number;
  /** Number of entries. */
  readonly size: number;
}

/** Options of {@link expressionObjective}. */
export interface ExpressionObjectiveOptions {
  /**
   * Names of the observation entries: one identifier per entry (`['x', 'v']`), or named slices (an env's
   * validation-spec `fields`, a bundle manifest's `observationFields`; see {@link expressionSymbols}).
   * Default: none — only `o0`, `o1`, … name the entries.
   */
  readonly fields?: readonly string[] | readonly ExpressionField[];
  /** O, entries per observation. Default: the end of the last field (required without `fields`). */
  readonly observationDim?: number;
  /** γ ∈ (0, 1]: step t's value weighs γ^t. Default: `1`. */
  readonly discount?: number;
  /** Decodes states into observations (a world model's `decode`); without it the states must be observations. */
  readonly decode?: DecodeFunction;
}

/** The symbols a formula may read besides the observation entries: `t`, the step (0-based), and `reward`, that step's predicted reward. */
const STEP_SYMBOLS = ['t', 'reward'] as const;

type MathNumberModule = typeof import('mathjs');
let mathjs: MathNumberModule | undefined;

/** mathjs's number-only build, loaded on first use: it takes ~0.5 s to load, which no one else should pay. */
function math(): MathNumberModule {
  mathjs ??= createRequire(import.meta.url)('mathjs/number') as MathNumberModule;
  return mathjs;
}

/** `'box heading (cos, sin)'` → `'box_heading_cos_sin'`. */
function identifier(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^(?=[0-9])/, '_');
}

/**
 * The symbol of every observation entry a formula may read, by index: `o0`, `o1`, … always, plus the
 * names from `fields` — a string list names each entry; a field of size 1 is its name as an identifier
 * (`'box yaw rate'` → `box_yaw_rate`), a larger one is that identifier with the entry's offset
 * (`'box position'` → `box_position_0`, `box_position_1`, `box_position_2`).
 */
export function expressionSymbols(fields: ExpressionObjectiveOptions['fields'], observationDim: number): Map<string, number> {
  const symbols = new Map<string, number>();
  for (let i = 0; i < observationDim; i++) symbols.set(`o${i}`, i);
  for (const [k, field] of (fields ?? []).entries()) {
    if (typeof field === 'string') {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) {
        throw new InvalidArgumentError(`expressionObjective: expected \`fields[${k}]\` to be an identifier (letters, digits, _), got ${describeValue(field)}`);
      }
      symbols.set(field, k);
      continue;
    }
    const base = identifier(field.name);
    if (field.size === 1) symbols.set(base, field.start);
    else for (let j = 0; j < field.size; j++) symbols.set(`${base}_${j}`, field.start + j);
  }
  return symbols;
}

function observationDimOf(options: ExpressionObjectiveOptions): number {
  const { fields, observationDim } = options;
  if (observationDim !== undefined) {
    if (!Number.isSafeInteger(observationDim) || observationDim <= 0) {
      throw new InvalidArgumentError(`expressionObjective: expected \`observationDim\` to be a positive integer, got ${describeValue(observationDim)}`);
    }
    return observationDim;
  }
  if (fields === undefined || fields.length === 0) {
    throw new InvalidArgumentError('expressionObjective: expected `fields` or `observationDim` (the observation size), got neither');
  }
  return Math.max(...fields.map((f, k) => (typeof f === 'string' ? k + 1 : f.start + f.size)));
}

/** Parses `expression` and checks every symbol it reads; returns the entries it reads, by symbol. */
function parseExpression(expression: string, symbols: ReadonlyMap<string, number>): { node: MathNode; reads: Map<string, number> } {
  const m = math();
  let node: MathNode;
  try {
    node = m.parse(expression);
  } catch (e) {
    throw new InvalidArgumentError(`expressionObjective: cannot parse the expression ${JSON.stringify(expression)}: ${(e as Error).message}`);
  }
  const reads = new Map<string, number>();
  node.traverse((n, path, parent) => {
    if (n.type === 'AssignmentNode' || n.type === 'FunctionAssignmentNode') {
      throw new InvalidArgumentError(`expressionObjective: the expression ${JSON.stringify(expression)} assigns (${n.toString()}); expected a formula that only reads`);
    }
    if (n.type !== 'SymbolNode') return;
    const name = (n as MathNode & { name: string }).name;
    const isCall = parent?.type === 'FunctionNode' && path === 'fn';
    const index = symbols.get(name);
    if (index !== undefined && !isCall) reads.set(name, index);
    else if (isCall ? typeof (m as Record<string, unknown>)[name] !== 'function' : !(STEP_SYMBOLS as readonly string[]).includes(name) && !(name in m)) {
      const known = [...symbols.keys()].filter((s) => !/^o[0-9]+$/.test(s));
      throw new InvalidArgumentError(
        `expressionObjective: the expression ${JSON.stringify(expression)} reads the unknown ${isCall ? 'function' : 'symbol'} \`${name}\`; ` +
          `known: ${[...known, ...STEP_SYMBOLS].join(', ')}, o0 … o${Math.max(...symbols.values())}`,
      );
    }
  });
  return { node, reads };
}

/**
 * A planning objective from a formula over the observation: cost = −Σ_t γ^t f(o_t, reward_t, t), so the
 * formula is a reward (higher is better). It is parsed, checked and compiled once; every candidate at
 * every step evaluates it with one reused scope that holds only the entries it reads.
 *
 * @example
 * ```ts
 * const objective = expressionObjective('-(box_position_0 - goal_position_0)^2 - (box_position_2 - goal_position_1)^2', {
 *   fields: pushBoxSpec.fields,
 * });
 * ```
 * @throws {@link InvalidArgumentError} for an expression that does not parse, assigns, or reads an unknown symbol
 *   (the message names the expression and the symbol), and for bad options.
 */
export function expressionObjective(expression: string, options: ExpressionObjectiveOptions = {}): PlanningObjective {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new InvalidArgumentError(`expressionObjective: expected \`expression\` to be a non-empty formula, got ${describeValue(expression)}`);
  }
  const discount = options.discount ?? 1;
  if (!(discount > 0 && discount <= 1)) throw new InvalidArgumentError(`expressionObjective: expected \`discount\` in (0, 1], got ${describeValue(options.discount)}`);
  const observationDim = observationDimOf(options);
  const { node, reads } = parseExpression(expression, expressionSymbols(options.fields, observationDim));
  const compiled = node.compile();
  const names = [...reads.keys()];
  const offsets = Int32Array.from(reads.values());
  return {
    name: 'expression',
    async evaluate(batch, costs) {
      const observations = await observationsOf(batch, observationDim, options.decode);
      scoreSteps(compiled, expression, batch, observations, { names, offsets, observationDim, discount }, costs);
    },
  };
}

/** The rollout's states as observations `N × H × O`: decoded, or the states themselves when their size is O. */
async function observationsOf(batch: RolloutBatch, observationDim: number, decode: DecodeFunction | undefined): Promise<Float32Array> {
  const { count: n, horizon: h, stateDim: s } = batch;
  if (decode === undefined) {
    if (s !== observationDim) {
      throw new PlanningError(
        `expressionObjective: the model's states have ${s} values but the expression reads observations of ${observationDim}; ` +
          "a world model's states are latents: pass `decode` (a bundle with a decoder) or plan with the physics oracle",
      );
    }
    return batch.rollout.states;
  }
  const observations = await decode(batch.rollout.states, n * h);
  if (!(observations instanceof Float32Array) || observations.length !== n * h * observationDim) {
    throw new PlanningError(
      `expressionObjective: expected \`decode\` to return a Float32Array of ${n * h} × ${observationDim} = ${n * h * observationDim} values, got ${describeValue(observations)}`,
    );
  }
  return observations;
}

interface ScoreLayout {
  readonly names: readonly string[];
  readonly offsets: Int32Array;
  readonly observationDim: number;
  readonly discount: number;
}

/** Subtracts Σ_t γ^t f(o_t) from each candidate's cost; one scope object serves every evaluation. */
function scoreSteps(compiled: EvalFunction, expression: string, batch: RolloutBatch, observations: Float32Array, layout: ScoreLayout, costs: Float32Array): void {
  const { count: n, horizon: h } = batch;
  const { names, offsets, observationDim: o, discount } = layout;
  const rewards = batch.rollout.rewards;
  const scope = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    let g = 0;
    let w = 1;
    for (let t = 0; t < h; t++) {
      const base = (i * h + t) * o;
      for (let k = 0; k < names.length; k++) scope.set(names[k]!, observations[base + offsets[k]!]!);
      scope.set('t', t);
      scope.set('reward', rewards[i * h + t]!);
      const value = compiled.evaluate(scope);
      if (typeof value !== 'number' && typeof value !== 'boolean') {
        throw new PlanningError(`expressionObjective: the expression ${JSON.stringify(expression)} gave ${describeValue(value)}, expected a number`);
      }
      g += w * Number(value);
      w *= discount;
    }
    costs[i] = costs[i]! - g;
  }
}
