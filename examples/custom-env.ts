/**
 * Write your own environment: extend `BaseEnv`, register it under a versioned id, `make` it, and let
 * `checkEnv` tell you whether it honours the contract.
 *
 * `GridTreasure-v0` is a 7 × 7 grid: the agent moves up/down/left/right (a `Discrete(4)` action) to a
 * treasure placed from the reset seed; −0.1 per step, +1 and `terminated` on the treasure. It is
 * `Stateful` (exact `getState`/`setState`), so planners and checkers can rewind it.
 *
 *   npx tsx examples/custom-env.ts          # register, make, play one episode, run checkEnv
 *   npx tsx examples/custom-env.ts --bug    # a classic bug (reset ignores its seed): checkEnv catches it, exit code 1
 *
 * In your own project, import from 'embodied' instead of '../index.js'.
 */
import { parseArgs } from 'node:util';
import {
  BaseEnv,
  Box,
  checkEnv,
  Discrete,
  listEnvs,
  make,
  register,
  Rng,
  spec,
  type EnvMetadata,
  type EnvSpec,
  type LifecycleState,
  type ResetResult,
  type Stateful,
  type StepResult,
} from '../index.js';

const { values: args } = parseArgs({ options: { bug: { type: 'boolean', default: false }, seed: { type: 'string', default: '3' } } });

const SIZE = 7;
const MOVES: readonly (readonly [number, number])[] = [
  [0, -1],
  [0, 1],
  [-1, 0],
  [1, 0],
]; // up, down, left, right

interface GridTreasureState {
  readonly agent: readonly [number, number];
  readonly treasure: readonly [number, number];
  readonly lifecycle: LifecycleState; // the random stream and episode phase, so even a later reset() repeats
}

/** A stream nobody reseeds: what an environment that draws from a global generator would do. */
const globalRng = Rng.fromSeed(Date.now());

class GridTreasure extends BaseEnv<Float32Array, number> implements Stateful<GridTreasureState> {
  readonly spec: EnvSpec = { id: 'examples/GridTreasure-v0', maxEpisodeSteps: 50 };
  override readonly metadata: EnvMetadata = { renderModes: ['ansi'] };
  readonly observationSpace = new Box(0, SIZE - 1, [4]); // [agent x, agent y, treasure x, treasure y]
  readonly actionSpace = new Discrete(4);
  private agent: [number, number] = [0, 0];
  private treasure: [number, number] = [0, 0];

  constructor(private readonly options: { buggy?: boolean } = {}) {
    super();
  }

  // BaseEnv has already seeded `this.rng` from reset({ seed }) and checked the lifecycle.
  protected onReset(): ResetResult<Float32Array> {
    const rng = this.options.buggy ? globalRng : this.rng;
    this.agent = [rng.integer(0, SIZE - 1), rng.integer(0, SIZE - 1)];
    do this.treasure = [rng.integer(0, SIZE - 1), rng.integer(0, SIZE - 1)];
    while (this.treasure[0] === this.agent[0] && this.treasure[1] === this.agent[1]);
    return { observation: this.observe(), info: { success: false } };
  }

  // BaseEnv has already checked that `action` is in `actionSpace` (a typed error otherwise).
  protected onStep(action: number): StepResult<Float32Array> {
    const [dx, dy] = MOVES[action]!;
    this.agent = [clamp(this.agent[0] + dx), clamp(this.agent[1] + dy)];
    const success = this.agent[0] === this.treasure[0] && this.agent[1] === this.treasure[1];
    return { observation: this.observe(), reward: success ? 1 : -0.1, terminated: success, truncated: false, info: { success } };
  }

  getState(): GridTreasureState {
    return { agent: [...this.agent], treasure: [...this.treasure], lifecycle: this.captureLifecycle() };
  }

  setState(state: GridTreasureState): void {
    this.restoreLifecycle(state.lifecycle);
    this.agent = [state.agent[0], state.agent[1]];
    this.treasure = [state.treasure[0], state.treasure[1]];
  }

  render(): string {
    const rows = Array.from({ length: SIZE }, (_, y) =>
      Array.from({ length: SIZE }, (_, x) => (x === this.agent[0] && y === this.agent[1] ? 'A' : x === this.treasure[0] && y === this.treasure[1] ? 'T' : '·')).join(' '),
    );
    return rows.join('\n');
  }

  private observe(): Float32Array {
    return Float32Array.of(this.agent[0], this.agent[1], this.treasure[0], this.treasure[1]);
  }
}

function clamp(v: number): number {
  return Math.min(SIZE - 1, Math.max(0, v));
}

// A versioned id (`Name-vN`, optionally `namespace/`); make() adds a TimeLimit of maxEpisodeSteps.
// `module: import.meta.url` lets worker threads (makeVec(id, n, 'worker')) import this file and rebuild it.
const id = 'examples/GridTreasure-v0';
register({
  id,
  entryPoint: (kwargs) => new GridTreasure(kwargs as { buggy?: boolean }),
  module: import.meta.url,
  maxEpisodeSteps: 50,
  kwargs: { buggy: args.bug },
  description: 'walk to a treasure on a 7 × 7 grid',
});
console.log(`registered ${id} (${spec(id).maxEpisodeSteps}-step limit); listEnvs() now has ${listEnvs().length} ids`);

// Play one episode with a greedy walker: step along the larger of the two distances.
const env = make<Float32Array, number>(id);
let { observation } = await env.reset({ seed: Number(args.seed) });
console.log(env.render?.('ansi'));
let total = 0;
for (;;) {
  const [ax, ay, tx, ty] = observation;
  const action = Math.abs(tx! - ax!) >= Math.abs(ty! - ay!) ? (tx! > ax! ? 3 : 2) : ty! > ay! ? 1 : 0;
  const step = await env.step(action);
  observation = step.observation;
  total += step.reward;
  if (step.terminated || step.truncated) {
    console.log(`episode: return ${total.toFixed(1)}, success ${step.info.success}`);
    break;
  }
}
await env.close();

// The conformance checks: spaces, seeding, determinism, exact state restore, lifecycle errors.
const report = await checkEnv(make(id));
for (const c of report.checks) console.log(`  ${c.passed ? (c.skipped ? 'skip' : 'ok  ') : 'FAIL'} ${c.name}${c.message ? ` — ${c.message}` : ''}`);
for (const w of report.warnings) console.log(`  warning: ${w}`);
console.log(`checkEnv(${id}): ${report.passed ? 'passed' : `FAILED (${report.failures.map((f) => f.check).join(', ')})`}`);
process.exitCode = report.passed ? 0 : 1;
