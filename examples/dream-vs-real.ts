/**
 * Dream vs real: start a learned world model from a real Rapier observation, feed it and Rapier the
 * same actions, and watch imagination drift away from reality.
 *
 * The world model is an environment too (`WorldModelEnv`): `reset({ options: { prompt } })` encodes a
 * real observation into its latent state, and each `step` predicts the next observation (decoded) and
 * reward. Each printed row is one step: the error of each observation field in its own units (RMS over
 * the field's entries), and the latent gap ‖encode(real observation) − imagined latent‖ — how far the
 * imagined state is from where the encoder puts reality (DINO-WM's imagination–reality gap).
 *
 *   npx tsx examples/dream-vs-real.ts                            # the shipped models/pushbox, 40 steps
 *   npx tsx examples/dream-vs-real.ts --model my-bundle/ --seed 3 --steps 60 --actions random
 *
 * Actions come from the scripted pusher (`--actions scripted`, default: the box actually moves, so
 * contact matters) or are uniform random (`--actions random`), computed from the real observation.
 * In your own project, import from 'embodied' instead of '../index.js'.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { make, pushBoxPolicy, randomPolicy, validationSpecFor, WorldModelEnv, type ObservationField } from '../index.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: fileURLToPath(new URL('../models/pushbox', import.meta.url)) },
    seed: { type: 'string', default: '0' },
    steps: { type: 'string', default: '40' },
    every: { type: 'string', default: '5' },
    actions: { type: 'string', default: 'scripted' },
  },
});
if (!existsSync(`${args.model}/manifest.json`)) {
  console.error(`no world-model bundle at ${args.model}; pass --model <dir> (models/README.md has the commands that train models/pushbox)`);
  process.exit(1);
}
const seed = Number(args.seed);
const steps = Number(args.steps);
const every = Number(args.every);

// The imagined world. Termination is ignored so both worlds run the same number of steps.
const dream = await WorldModelEnv.load(args.model, { terminationFn: () => false });
const envId = dream.model.manifest.envId;
if (!dream.model.hasDecoder) throw new Error(`${args.model} has no decoder: it predicts latents only, so there is no observation to compare`);
const real = make(envId);
const fields: readonly ObservationField[] = dream.model.manifest.observationFields ?? validationSpecFor(envId).fields;
const policy = args.actions === 'random' ? randomPolicy(real.actionSpace, seed) : pushBoxPolicy();
if (args.actions !== 'random' && envId !== 'PushBox-v0') throw new Error(`--actions scripted drives PushBox-v0; this model is for ${envId}: pass --actions random`);
policy.reset?.(seed);

// Prompt: the dream starts from the real reset observation.
let realObs = (await real.reset({ seed })).observation;
let dreamObs = (await dream.reset({ options: { prompt: realObs } })).observation;
console.log(`${dream.model.manifest.name} (${envId}, latent ${dream.model.latentDim}) prompted with the real observation of seed ${seed}; ${args.actions} actions`);

const rms = (a: Float32Array, b: Float32Array, f: ObservationField) => {
  let s = 0;
  for (let d = f.start; d < f.start + f.size; d++) s += (a[d]! - b[d]!) ** 2;
  return Math.sqrt(s / f.size);
};
const columns = fields.map((f) => `${f.name}${f.unit ? ` (${f.unit})` : ''}`);
console.log(['step', ...columns, 'latent gap'].map((c, i) => (i === 0 ? c.padEnd(5) : c.padStart(Math.max(11, c.length)))).join(' '));
const total = new Float64Array(fields.length);
let lastGap = 0;
let realSteps = 0;
for (let t = 1; t <= steps; t++) {
  const action = policy.act(realObs) as Float32Array;
  const r = await real.step(action);
  const d = await dream.step(action);
  realObs = r.observation;
  dreamObs = d.observation;
  realSteps = t;
  // Where the encoder puts reality, against where the dynamics took the imagined latent.
  const encoded = await dream.model.encode(realObs);
  const latent = d.info.latent as Float32Array;
  let gap = 0;
  for (let i = 0; i < latent.length; i++) gap += (encoded[i]! - latent[i]!) ** 2;
  lastGap = Math.sqrt(gap);
  const errors = fields.map((f) => rms(dreamObs, realObs, f));
  errors.forEach((e, k) => {
    total[k]! += e;
  });
  if (t % every === 0 || t === 1 || r.terminated || r.truncated || t === steps) {
    console.log([String(t).padEnd(5), ...errors.map((e, k) => e.toFixed(4).padStart(Math.max(11, columns[k]!.length))), lastGap.toFixed(4).padStart(11)].join(' '));
  }
  if (r.terminated || r.truncated) {
    console.log(`the real episode ended at step ${t} (${r.terminated ? 'terminated' : 'truncated'}, success ${r.info.success})`);
    break;
  }
}
console.log(
  `mean error over ${realSteps} steps: ${fields.map((f, k) => `${f.name} ${(total[k]! / realSteps).toFixed(4)}${f.unit ? ` ${f.unit}` : ''}`).join(', ')}; final latent gap ${lastGap.toFixed(4)}`,
);
await Promise.all([dream.close(), real.close()]);
