/**
 * A policy from demonstrations: collect scripted Reach-v0 episodes, clone them into a policy bundle
 * (ONNX, trained by the SDK's own trainer), measure it on held-out seeds in Rapier, then drive one
 * real-time episode with it as an RxJS agent in `controlLoop`.
 *
 *   npx tsx examples/policy-from-demonstrations.ts                      # writes to a temporary folder
 *   npx tsx examples/policy-from-demonstrations.ts --out out/reach-policy --episodes 200 --steps 2000
 *
 * In your own project, import from 'embodied' instead of '../index.js'.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lastValueFrom, toArray } from 'rxjs';
import { collectDataset, controlLoop, evaluatePolicy, loadPolicyBundle, make, policyAgent, trainBehaviorCloning } from '../index.js';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    episodes: { type: 'string', default: '60' },
    steps: { type: 'string', default: '1200' },
  },
});
const out = args.out ?? mkdtempSync(join(tmpdir(), 'policy-example-'));

// 1. Demonstrations: the environment's scripted controller, seeded.
const data = await collectDataset({ env: 'Reach-v0', policy: 'scripted', episodes: Number(args.episodes), seed: 1, out: join(out, 'data'), overwrite: true });
console.log(`collected ${data.manifest.counts.transitions} transitions in ${data.manifest.counts.episodes} episodes`);

// 2. Behaviour cloning → a policy bundle (policy.onnx + manifest.json + curves.html).
const bc = await trainBehaviorCloning({
  data: join(out, 'data'),
  out: join(out, 'policy'),
  steps: Number(args.steps),
  batchSize: 128,
  network: { hidden: [64, 64] },
  overwrite: true,
});
console.log(`trained ${bc.steps} steps, loss ${bc.finalLosses.loss!.toPrecision(3)}; bundle ${bc.bundle}`);

// 3. Held-out seeds 100–109 in Rapier.
const e = await evaluatePolicy({ policy: bc.bundle!, seeds: Array.from({ length: 10 }, (_v, i) => 100 + i) });
console.log(`held-out success ${(100 * e.summary.successRate).toFixed(0)}% (10 episodes)`);

// 4. The same policy as an RxJS agent in a real-time control loop (20 Hz).
const { policy } = await loadPolicyBundle(bc.bundle!);
try {
  const steps = await lastValueFrom(controlLoop(() => make('Reach-v0'), policyAgent(policy), { dt: 50, seed: 7, maxSteps: 40 }).pipe(toArray()));
  const last = steps.at(-1)!;
  console.log(`controlLoop: ${steps.length} steps, ${steps.filter((s) => s.late).length} late, success ${last.info.success === true}`);
} finally {
  await policy.close();
}
